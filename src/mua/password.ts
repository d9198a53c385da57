// Where an account's password comes from, in this order: the profile's password_command (run with
// `sh -c`, first line of its output, like msmtp's passwordeval), its password_env variable, else a prompt
// on the terminal. Nothing is cached on disk; one process asks once.

import { spawn } from 'node:child_process';
import { UserError } from '../cli/errors.ts';
import type { MailProfile } from './profile.ts';
import type { Prompter } from './prompt.ts';

export interface PasswordDeps {
  env: NodeJS.ProcessEnv;
  prompter: () => Prompter;
  runCommand?: (command: string) => Promise<string>;
}

export async function resolvePassword(profile: MailProfile, deps: PasswordDeps): Promise<string> {
  if (profile.passwordCommand !== undefined) {
    const output = await (deps.runCommand ?? runPasswordCommand)(profile.passwordCommand);
    const password = output.split(/\r?\n/)[0] ?? '';
    if (password === '') throw new UserError(`password command for ${profile.name} printed nothing`);
    return password;
  }
  if (profile.passwordEnv !== undefined) {
    const password = deps.env[profile.passwordEnv];
    if (password === undefined || password === '') {
      throw new UserError(
        `environment variable ${profile.passwordEnv} (password of ${profile.name}) is not set`,
      );
    }
    return password;
  }
  const prompter = deps.prompter();
  try {
    const password = await prompter.askHidden(`Password for ${profile.address}`);
    if (password === '') throw new UserError('empty password');
    return password;
  } finally {
    prompter.close();
  }
}

/** Runs `command` in the shell; stdin and stderr stay the terminal's so gpg/pass can ask for a passphrase. */
export function runPasswordCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['inherit', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (err) => reject(new UserError(`password command failed: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(new UserError(`password command exited with status ${code ?? 'unknown'}`));
    });
  });
}
