// Where passwords come from: stdin (--password-stdin), an interactive prompt without echo, or generated
// (src/app/password-generator.ts).
// Never from argv: the process list and shell history would show it.

import { UserError } from './errors.ts';

export { generatePassword } from '../app/password-generator.ts';

/** Reads stdin to its end; the password is the first line (a trailing newline is not part of it). */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const password = text.split(/\r?\n/)[0] ?? '';
  if (password === '') throw new UserError('no password on standard input');
  return password;
}

/** Prompts on the terminal with echo off; asks twice when `confirm`. */
export async function promptPassword(prompt: string, confirm: boolean): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new UserError(
      'no password given: use --password-stdin (or --generate-password) when not on a terminal',
    );
  }
  const first = await readHidden(prompt);
  if (first === '') throw new UserError('empty password');
  if (confirm && (await readHidden('Repeat password: ')) !== first)
    throw new UserError('passwords do not match');
  return first;
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UserError('interrupted'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else if (ch >= ' ') text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
