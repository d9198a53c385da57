// A whole IMAP server on loopback (port 0) for end-to-end tests with real clients: a real store
// (test/support/imap-store.ts), self-signed TLS, the real AccountService (argon2id with test parameters).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import { systemClock, type AppContext } from '../../src/app/context.ts';
import { startImapServers, type ImapServers } from '../../src/imap/server/index.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { parseMessage } from '../../src/message/parse.ts';
import { generateSelfSigned } from '../../src/net/tls-context.ts';
import type { Uid } from '../../src/storage/ports.ts';
import { testConfig, PASSWORD } from './imap-harness.ts';
import { openTestStore, type TestStore } from './imap-store.ts';

export interface RunningImapServer {
  t: TestStore;
  servers: ImapServers;
  imapPort: number;
  imapsPort: number;
  /** The server's self-signed certificate (PEM file), for clients that verify it. */
  certPath: string;
  user: string;
  password: string;
  deliver(mailbox: string, message: string, flags?: string[]): Promise<Uid>;
  close(): Promise<void>;
}

export async function startTestImapServer(): Promise<RunningImapServer> {
  const t = await openTestStore();
  const certPath = join(t.dir, 'cert.pem');
  const keyPath = join(t.dir, 'key.pem');
  generateSelfSigned('localhost', certPath, keyPath);
  const cert = readFileSync(certPath, 'utf8');
  const key = readFileSync(keyPath, 'utf8');
  const config = testConfig({ listen: { imap: ['127.0.0.1:0'], imaps: ['127.0.0.1:0'] }, data_dir: t.dir });
  const ctx: AppContext = {
    config,
    store: t.store,
    log: silentLogger(),
    tls: { context: tls.createSecureContext({ cert, key }), cert, key },
    clock: systemClock,
  };
  const accounts = new AccountService(t.store.accounts, { argon2: TEST_ARGON2 });
  await accounts.setPassword(t.account.address, PASSWORD);
  const servers = await startImapServers(ctx, { accounts, sleep: async () => {} });
  return {
    t,
    servers,
    imapPort: servers.addresses.imap[0]!.port,
    imapsPort: servers.addresses.imaps[0]!.port,
    certPath,
    user: t.account.address,
    password: PASSWORD,
    async deliver(name, message, flags = []) {
      const bytes = Buffer.from(message.replace(/\r?\n/g, '\r\n'));
      const mailbox = await t.store.mail.getMailbox(t.account.id, name);
      if (!mailbox) throw new Error(`no mailbox ${name}`);
      const blobId = await t.store.mail.putBlob(bytes, parseMessage(bytes));
      const [result] = await t.store.mail.append(mailbox.id, [{ blobId, flags, internalDate: new Date() }]);
      return result!.uid;
    },
    async close() {
      await servers.stop();
      await t.close();
    },
  };
}
