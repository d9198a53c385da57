// One run of a `posthorn mail` command: the chosen profile, its password (asked for at most once), the
// IMAP connection (opened on first use, logged out at the end), the submitter, and where output goes.

import type { ImapFlow } from 'imapflow';
import { connectImap } from './imap-connect.ts';
import { resolvePassword } from './password.ts';
import { loadProfiles, mailConfigPath, pickProfile, type MailProfile } from './profile.ts';
import { terminalPrompter, type Prompter } from './prompt.ts';
import { detectTerminal, type TerminalInfo } from './output/style.ts';
import { smtpSubmitter, type Submitter } from './submit.ts';
import { safeJson } from './output/terminal-safe.ts';

export interface MuaIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  now(): Date;
}

export function processIo(): MuaIo {
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    now: () => new Date(),
  };
}

export class MailSession {
  readonly io: MuaIo;
  readonly profile: MailProfile;
  readonly configPath: string;
  readonly terminal: TerminalInfo;
  #password: Promise<string> | null = null;
  #imap: Promise<ImapFlow> | null = null;
  submitterFactory: (profile: MailProfile, password: string) => Submitter = smtpSubmitter;

  constructor(io: MuaIo, profile: MailProfile, configPath: string) {
    this.io = io;
    this.profile = profile;
    this.configPath = configPath;
    this.terminal = detectTerminal(io.stdout, io.env);
  }

  static open(io: MuaIo, account: string | undefined): MailSession {
    const path = mailConfigPath(io.env);
    return new MailSession(io, pickProfile(loadProfiles(path), account, path), path);
  }

  prompter(): Prompter {
    return terminalPrompter(this.io.stdin, this.io.stderr);
  }

  password(): Promise<string> {
    this.#password ??= resolvePassword(this.profile, { env: this.io.env, prompter: () => this.prompter() });
    return this.#password;
  }

  imap(): Promise<ImapFlow> {
    this.#imap ??= this.password().then((password) =>
      connectImap(this.profile, password, { trace: this.io.env['POSTHORN_MAIL_TRACE'] === '1' }),
    );
    return this.#imap;
  }

  async submitter(): Promise<Submitter> {
    return this.submitterFactory(this.profile, await this.password());
  }

  out(line = ''): void {
    this.io.stdout.write(line + '\n');
  }

  /** JSON for scripts on stdout (terminal-safe, docs/mua.md). */
  json(value: unknown): void {
    this.io.stdout.write(safeJson(value) + '\n');
  }

  warn(line: string): void {
    this.io.stderr.write(`posthorn: ${line}\n`);
  }

  async close(): Promise<void> {
    if (!this.#imap) return;
    const pending = this.#imap;
    this.#imap = null;
    try {
      const client = await pending;
      await client.logout().catch(() => client.close());
    } catch {
      // connecting failed: the error was already reported by the command
    }
  }
}

/** Runs `fn` with a session for `account` and always closes it. */
export async function withSession<T>(
  io: MuaIo,
  account: string | undefined,
  fn: (session: MailSession) => Promise<T>,
): Promise<T> {
  const session = MailSession.open(io, account);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
