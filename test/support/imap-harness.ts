// An in-memory IMAP server for tests: a real store (test/support/imap-store.ts), sessions over
// stream.duplexPair, a password check standing in for AccountService (bob@hamburger.edu / "secret"), no
// login delays.

import { duplexPair, type Duplex } from 'node:stream';
import { systemClock, type Clock } from '../../src/app/context.ts';
import { configFromDefaults, type DeepPartial } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { ImapSession } from '../../src/imap/server/session.ts';
import type { Authenticator, SessionContext } from '../../src/imap/server/session-context.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { MailboxService } from '../../src/mailbox/mailbox-service.ts';
import { parseMessage } from '../../src/message/parse.ts';
import { Transport } from '../../src/net/transport.ts';
import type { Account, Mailbox, Uid } from '../../src/storage/ports.ts';
import { openTestStore, type TestStore } from './imap-store.ts';

export const PASSWORD = 'secret';

export interface ImapHarness {
  t: TestStore;
  account: Account;
  config: Config;
  context: SessionContext;
  /** Delays requested by failed logins, in order. */
  delays: number[];
  connect(options?: { loopback?: boolean; starttls?: boolean }): ImapClientConnection;
  /** Appends a message straight through the store (like SMTP delivery). */
  deliver(mailbox: string, message: string | Buffer, flags?: string[], date?: Date): Promise<Uid>;
  mailbox(name: string): Promise<Mailbox>;
  close(): Promise<void>;
}

export interface ImapClientConnection {
  stream: Duplex;
  session: ImapSession;
  done: Promise<void>;
  lines: LineReader;
  send(text: string | Buffer): void;
}

export function testConfig(overrides: DeepPartial<Omit<Config, 'source'>> = {}): Config {
  return configFromDefaults({ ...overrides, imap: { auth_failure_delay_ms: 100, ...overrides.imap } });
}

export async function startHarness(
  options: { config?: DeepPartial<Omit<Config, 'source'>>; clock?: Clock } = {},
): Promise<ImapHarness> {
  const t = await openTestStore();
  const config = testConfig(options.config);
  const delays: number[] = [];
  const accounts: Authenticator = {
    async authenticate(address, password) {
      const account = await t.store.accounts.getAccount(address.toLowerCase());
      return account && password === PASSWORD ? account : null;
    },
  };
  const context: SessionContext = {
    config,
    log: silentLogger(),
    mail: t.store.mail,
    mailboxes: new MailboxService(t.store.mail, t.store.changes),
    accounts,
    tls: null,
    clock: options.clock ?? systemClock,
    sleep: async (ms) => {
      delays.push(ms);
    },
    parseMessage: (bytes) => parseMessage(bytes),
  };
  let counter = 0;
  const open: ImapClientConnection[] = [];
  return {
    t,
    account: t.account,
    config,
    context,
    delays,
    connect(connectOptions = {}) {
      const [serverSide, clientSide] = duplexPair();
      const session = new ImapSession(context, new Transport(serverSide), {
        id: `test${++counter}`,
        starttls: connectOptions.starttls ?? false,
        loopback: connectOptions.loopback ?? true,
        remote: '127.0.0.1:1',
      });
      const done = session.run();
      const connection: ImapClientConnection = {
        stream: clientSide,
        session,
        done,
        lines: new LineReader(clientSide),
        send: (text) => clientSide.write(text),
      };
      open.push(connection);
      return connection;
    },
    async deliver(name, message, flags = [], date = new Date()) {
      const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message.replace(/\r?\n/g, '\r\n'));
      const mailbox = await t.store.mail.getMailbox(t.account.id, name);
      if (!mailbox) throw new Error(`no mailbox ${name}`);
      const blobId = await t.store.mail.putBlob(bytes, parseMessage(bytes));
      const [result] = await t.store.mail.append(mailbox.id, [{ blobId, flags, internalDate: date }]);
      return result!.uid;
    },
    async mailbox(name) {
      const mailbox = await t.store.mail.getMailbox(t.account.id, name);
      if (!mailbox) throw new Error(`no mailbox ${name}`);
      return mailbox;
    },
    async close() {
      for (const c of open) c.stream.end();
      await Promise.allSettled(open.map((c) => c.done));
      await t.close();
    },
  };
}

/** Reads CRLF-terminated lines from the client side of a session, waiting for them (with a timeout). */
export class LineReader {
  #buffer = Buffer.alloc(0);
  #pending: Buffer[] = []; // received, not yet joined to #buffer (joining only when needed keeps reads linear)
  #ended = false;
  #waiter: (() => void) | null = null;

  constructor(stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.#pending.push(chunk);
      this.#wake();
    });
    stream.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
    stream.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
  }

  #join(): boolean {
    if (this.#pending.length === 0) return false;
    this.#buffer = Buffer.concat([this.#buffer, ...this.#pending]);
    this.#pending = [];
    return true;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /** The next line without CRLF; null at end of stream. Rejects after timeoutMs. */
  async next(timeoutMs = 5000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let at = this.#buffer.indexOf('\r\n');
      if (at < 0 && this.#join()) at = this.#buffer.indexOf('\r\n');
      if (at >= 0) {
        const line = this.#buffer.toString('utf8', 0, at);
        this.#buffer = this.#buffer.subarray(at + 2);
        return line;
      }
      if (this.#ended) {
        if (this.#buffer.length === 0) return null;
        const rest = this.#buffer.toString('utf8');
        this.#buffer = Buffer.alloc(0);
        return rest;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for a server line (buffered: ${JSON.stringify(this.#buffer.toString())})`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Exactly n octets (a literal's content). */
  async bytes(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buffer.length < n) {
      if (this.#join()) continue;
      if (this.#ended) throw new Error('stream ended inside a literal');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for literal data');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** Lines up to and including the tagged reply for `tag`. */
  async until(tag: string, timeoutMs = 5000): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.next(timeoutMs);
      if (line === null) throw new Error(`stream ended before ${tag} completed: ${lines.join(' | ')}`);
      lines.push(line);
      if (line.startsWith(tag + ' ')) return lines;
    }
  }

  get pending(): string {
    this.#join();
    return this.#buffer.toString('utf8');
  }
}
