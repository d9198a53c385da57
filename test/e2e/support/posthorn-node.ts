// A whole Posthorn app (startApp, the usual services) for the end-to-end and interop suites: one domain,
// listeners on 127.0.0.1 port 0, SQLite and the generated self-signed TLS pair in a temporary directory
// that stop() removes. Outside clients trust the pair through `certFile` (its SAN has the host name,
// localhost and 127.0.0.1). POSTHORN_TEST_LOG=debug shows the server's log on stderr.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../../../src/accounts/index.ts';
import { TEST_ARGON2 } from '../../../src/accounts/password.ts';
import { startApp, type RunningApp } from '../../../src/app/app.ts';
import { listeningAddresses, type ListenerName } from '../../../src/app/listening.ts';
import { configFromDefaults, type DeepPartial } from '../../../src/config/load.ts';
import type { Config, RouteSpec } from '../../../src/config/schema.ts';
import { createLogger, silentLogger } from '../../../src/log/logger.ts';
import { parseMessage } from '../../../src/message/parse.ts';
import { parseHostPort } from '../../../src/net/host-port.ts';
import type { AccountId, MailboxId, MessageRecord, Store } from '../../../src/storage/ports.ts';

export interface NodeOptions {
  domain: string;
  hostname: string;
  listeners: ListenerName[];
  /** address → password, created at start. */
  accounts?: Record<string, string>;
  routes?: Record<string, RouteSpec>;
  /** Sections merged over the defaults (e.g. { queue: { min_backoff_s: 1 } }). */
  config?: DeepPartial<Omit<Config, 'source'>>;
}

export interface PosthornNode {
  domain: string;
  hostname: string;
  app: RunningApp;
  store: Store;
  accounts: AccountService;
  dataDir: string;
  /** PEM file of the server's self-signed certificate, for clients to trust. */
  certFile: string;
  port(name: ListenerName): number;
  /** The full messages of one of an account's mailboxes, in UID order. */
  messages(address: string, mailbox?: string): Promise<Buffer[]>;
  /** A mailbox as stored: UIDVALIDITY and every message with its flags and bytes; null if it does not exist. */
  mailbox(address: string, name: string): Promise<StoredMailbox | null>;
  /** Names of the account's mailboxes, sorted. */
  mailboxNames(address: string): Promise<string[]>;
  /** Stores a message straight into a mailbox, as delivery or APPEND would; returns its UID. */
  deliver(address: string, mailbox: string, bytes: Buffer, flags?: string[]): Promise<number>;
  /** Resolves with the mailbox's messages once it holds `count` (checked at once and on every change). */
  waitForMessages(address: string, count: number, mailbox?: string, timeoutMs?: number): Promise<Buffer[]>;
  stop(): Promise<void>;
}

export interface StoredMailbox {
  id: MailboxId;
  uidValidity: number;
  highestModSeq: number;
  messages: Array<MessageRecord & { bytes: Buffer }>;
}

const ALL: ListenerName[] = ['smtp', 'submission', 'submissions', 'imap', 'imaps'];

export async function startNode(options: NodeOptions): Promise<PosthornNode> {
  const dataDir = mkdtempSync(join(tmpdir(), `posthorn-${options.domain}-`));
  const extra = options.config ?? {};
  const config = configFromDefaults({
    ...extra,
    hostname: options.hostname,
    data_dir: dataDir,
    listen: Object.fromEntries(ALL.map((n) => [n, options.listeners.includes(n) ? ['127.0.0.1:0'] : []])),
    routes: options.routes ?? {},
    // Test domains exist only here: no SPF/DKIM/DMARC lookups in the public DNS.
    auth: { verify_inbound: false, ...extra.auth },
    smtp: { auth_failure_delay_ms: 0, ...extra.smtp },
    imap: { auth_failure_delay_ms: 0, ...extra.imap },
  });
  const level = process.env.POSTHORN_TEST_LOG;
  const log = level
    ? createLogger({ level, destination: process.stderr }).child({ server: options.domain })
    : silentLogger();
  let app: RunningApp;
  try {
    app = await startApp(config, { log });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const store = app.ctx.store;
  const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2 });
  await accounts.addDomain(options.domain);
  for (const [address, password] of Object.entries(options.accounts ?? {})) {
    await accounts.createAccount(address, password);
  }
  const listening = listeningAddresses(app);
  async function messages(address: string, mailbox = 'INBOX'): Promise<Buffer[]> {
    const account = await store.accounts.getAccount(address);
    if (!account) throw new Error(`no account ${address}`);
    const box = await store.mail.getMailbox(account.id as AccountId, mailbox);
    if (!box) return [];
    const list = await store.mail.listMessages(box.id);
    return Promise.all(list.map((m) => store.mail.getBlobBytes(m.blobId)));
  }
  async function mailbox(address: string, name: string): Promise<StoredMailbox | null> {
    const account = await store.accounts.getAccount(address);
    if (!account) throw new Error(`no account ${address}`);
    const box = await store.mail.getMailbox(account.id as AccountId, name);
    if (!box) return null;
    const list = await store.mail.listMessages(box.id);
    const withBytes = await Promise.all(
      list.map(async (m) => ({ ...m, bytes: await store.mail.getBlobBytes(m.blobId) })),
    );
    return {
      id: box.id,
      uidValidity: box.uidValidity,
      highestModSeq: box.highestModSeq,
      messages: withBytes,
    };
  }
  async function accountId(address: string): Promise<AccountId> {
    const account = await store.accounts.getAccount(address);
    if (!account) throw new Error(`no account ${address}`);
    return account.id as AccountId;
  }
  return {
    domain: options.domain,
    hostname: options.hostname,
    app,
    store,
    accounts,
    dataDir,
    certFile: app.tls.certPath,
    port(name) {
      const first = listening[name][0];
      if (first === undefined) throw new Error(`${options.domain} has no ${name} listener`);
      return parseHostPort(first).port;
    },
    messages,
    mailbox,
    async mailboxNames(address) {
      const boxes = await store.mail.listMailboxes(await accountId(address));
      return boxes.map((b) => b.name).sort();
    },
    async deliver(address, name, bytes, flags = []) {
      const box = await store.mail.getMailbox(await accountId(address), name);
      if (!box) throw new Error(`no mailbox ${name} for ${address}`);
      const blobId = await store.mail.putBlob(bytes, parseMessage(bytes));
      const [result] = await store.mail.append(box.id, [{ blobId, flags, internalDate: new Date() }]);
      return result!.uid;
    },
    async waitForMessages(address, count, mailbox = 'INBOX', timeoutMs = 30_000) {
      const current = () => messages(address, mailbox);
      const now = await current();
      if (now.length === count) return now;
      return new Promise<Buffer[]>((resolve, reject) => {
        let checking = Promise.resolve();
        const timer = setTimeout(async () => {
          unsubscribe();
          const seen = (await current()).length;
          reject(
            new Error(`${address}/${mailbox}: ${seen} messages, expected ${count} within ${timeoutMs} ms`),
          );
        }, timeoutMs);
        const unsubscribe = store.changes.subscribe(() => {
          checking = checking.then(async () => {
            const messages = await current();
            if (messages.length !== count) return;
            clearTimeout(timer);
            unsubscribe();
            resolve(messages);
          });
        });
        // A change between the first look and the subscription.
        void current().then((messages) => {
          if (messages.length !== count) return;
          clearTimeout(timer);
          unsubscribe();
          resolve(messages);
        });
      });
    },
    async stop() {
      try {
        await app.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
