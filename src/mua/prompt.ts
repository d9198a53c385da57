// Questions on the terminal (account add, passwords). Answers come line by line from stdin, so a script
// can pipe them in; passwords are read without echo when stdin is a terminal. Prompts go to stderr, so
// stdout stays clean for output.

import * as readline from 'node:readline';
import { UserError } from '../cli/errors.ts';

export interface Prompter {
  ask(question: string, defaultAnswer?: string): Promise<string>;
  askHidden(question: string): Promise<string>;
  confirm(question: string, defaultYes: boolean): Promise<boolean>;
  close(): void;
}

export function terminalPrompter(
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown } = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Prompter {
  const lines: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let ended = false;
  let rl: readline.Interface | null = null;
  const start = () => {
    if (rl || input.isTTY) return;
    rl = readline.createInterface({ input, terminal: false });
    rl.on('line', (line) => {
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    });
    rl.on('close', () => {
      ended = true;
      for (const w of waiting.splice(0)) w(null);
    });
  };
  const nextLine = async (): Promise<string> => {
    if (input.isTTY) return readTtyLine(input, output, true);
    start();
    const line =
      lines.length > 0
        ? lines.shift()!
        : ended
          ? null
          : await new Promise<string | null>((r) => waiting.push(r));
    if (line === null) throw new UserError('no answer: standard input ended');
    return line;
  };
  return {
    async ask(question, defaultAnswer) {
      output.write(defaultAnswer ? `${question} [${defaultAnswer}]: ` : `${question}: `);
      const answer = (await nextLine()).trim();
      return answer === '' ? (defaultAnswer ?? '') : answer;
    },
    async askHidden(question) {
      output.write(`${question}: `);
      if (input.isTTY) return readTtyLine(input, output, false);
      return nextLine();
    },
    async confirm(question, defaultYes) {
      output.write(`${question} [${defaultYes ? 'Y/n' : 'y/N'}]: `);
      const answer = (await nextLine()).trim().toLowerCase();
      if (answer === '') return defaultYes;
      return answer === 'y' || answer === 'yes';
    },
    close() {
      rl?.close();
    },
  };
}

/** One line from a terminal in raw mode; `echo` false for passwords. */
function readTtyLine(
  input: NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => unknown },
  output: NodeJS.WritableStream,
  echo: boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (error?: Error) => {
      input.setRawMode?.(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UserError('interrupted'));
        if (ch === '\u007f' || ch === '\b') {
          if (text.length > 0 && echo) output.write('\b \b');
          text = text.slice(0, -1);
        } else if (ch >= ' ') {
          text += ch;
          if (echo) output.write(ch);
        }
      }
    };
    input.on('data', onData);
  });
}
