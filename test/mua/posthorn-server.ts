// A whole Posthorn in this process for the MUA's end-to-end tests: SQLite store and self-signed TLS in a
// temporary directory, submission (STARTTLS) and IMAP (STARTTLS) on 127.0.0.1 port 0, two local users in
// two domains. The spawned `posthorn mail` processes trust the generated certificate through ca_file.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../../src/accounts/index.ts';
import { startApp, type RunningApp } from '../../src/app/app.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import type { ImapServers } from '../../src/imap/server/index.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { parseMessage } from '../../src/message/parse.ts';
import type { SmtpServers } from '../../src/smtp/server/index.ts';

export interface TestUser {
  address: string;
  password: string;
}

export interface RunningPosthorn {
  app: RunningApp;
  dir: string;
  certPath: string;
  imapPort: number;
  submissionPort: number;
  alice: TestUser;
  bob: TestUser;
  /** Stores a message straight into a mailbox (as delivery would), for messages no MUA would write. */
  deliver(address: string, mailbox: string, message: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startPosthorn(): Promise<RunningPosthorn> {
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-mua-server-'));
  const config = configFromDefaults(
    {
      hostname: 'mail.crepes.fr',
      data_dir: join(dir, 'data'),
      listen: {
        smtp: [],
        submission: ['127.0.0.1:0'],
        submissions: [],
        imap: ['127.0.0.1:0'],
        imaps: [],
      },
    },
    dir,
  );
  const app = await startApp(config, { log: silentLogger() });
  const accounts = new AccountService(app.ctx.store.accounts);
  const alice = { address: 'alice@crepes.fr', password: 'alice-secret-1' };
  const bob = { address: 'bob@hamburger.edu', password: 'bob-secret-22' };
  await accounts.addDomain('crepes.fr');
  await accounts.addDomain('hamburger.edu');
  await accounts.createAccount(alice.address, alice.password);
  await accounts.createAccount(bob.address, bob.password);
  const smtp = app.services.find((s) => s.name === 'smtp') as SmtpServers;
  const imap = app.services.find((s) => s.name === 'imap') as ImapServers;
  return {
    app,
    dir,
    certPath: app.tls.certPath,
    imapPort: imap.addresses.imap[0]!.port,
    submissionPort: smtp.addresses.submission[0]!.port,
    alice,
    bob,
    async deliver(address, name, message) {
      const store = app.ctx.store;
      const account = await store.accounts.getAccount(address);
      const mailbox = account && (await store.mail.getMailbox(account.id, name));
      if (!mailbox) throw new Error(`no mailbox ${name} for ${address}`);
      const bytes = Buffer.from(message.replace(/\r?\n/g, '\r\n'));
      const blobId = await store.mail.putBlob(bytes, parseMessage(bytes));
      const [result] = await store.mail.append(mailbox.id, [{ blobId, flags: [], internalDate: new Date() }]);
      return result!.uid;
    },
    async stop() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
