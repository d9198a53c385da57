// The reference story between two whole Posthorn apps on loopback: crepes.fr queues a message for
// bob@hamburger.edu, its queue worker delivers it over SMTP to hamburger.edu's MX listener (a static route
// stands in for DNS), and it lands in Bob's INBOX. Unknown users bounce back to alice's INBOX.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startApp, type RunningApp } from '../../src/app/app.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { parseMessage } from '../../src/message/parse.ts';
import type { SmtpServers } from '../../src/smtp/server/index.ts';
import type { AccountId, Store } from '../../src/storage/ports.ts';
import { storageConfigForTest, type StorageForTest } from '../support/test-store.ts';

const HASH = '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA';
const NONE = { submission: [], submissions: [], imap: [], imaps: [] };

async function inbox(store: Store, address: string): Promise<string[]> {
  const account = (await store.accounts.getAccount(address))!;
  const mailbox = (await store.mail.getMailbox(account.id as AccountId, 'INBOX'))!;
  const messages = await store.mail.listMessages(mailbox.id);
  return Promise.all(messages.map(async (m) => (await store.mail.getBlobBytes(m.blobId)).toString('utf8')));
}

/** Waits (on the store, not the clock) until `check` holds; the queue worker runs on its own. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met within 5 s');
}

describe('two Posthorn servers: crepes.fr → hamburger.edu', () => {
  let hamburger: RunningApp;
  let crepes: RunningApp;
  const storages: StorageForTest[] = [];

  before(async () => {
    for (let i = 0; i < 2; i++) storages.push(await storageConfigForTest());
    hamburger = await startApp(
      configFromDefaults({
        hostname: 'mx.hamburger.edu',
        data_dir: mkdtempSync(join(tmpdir(), 'posthorn-hamburger-')),
        storage: storages[0]!.storage,
        listen: { smtp: ['127.0.0.1:0'], ...NONE },
      }),
      { log: silentLogger() },
    );
    const smtp = hamburger.services.find((s) => s.name === 'smtp') as SmtpServers;
    const port = smtp.addresses.smtp[0]!.port;
    await hamburger.ctx.store.accounts.addDomain('hamburger.edu');
    await hamburger.ctx.store.accounts.addAccount('bob@hamburger.edu', HASH);

    crepes = await startApp(
      configFromDefaults({
        hostname: 'mx.crepes.fr',
        data_dir: mkdtempSync(join(tmpdir(), 'posthorn-crepes-')),
        storage: storages[1]!.storage,
        listen: { smtp: [], ...NONE },
        routes: { 'hamburger.edu': `127.0.0.1:${port}` },
      }),
      { log: silentLogger() },
    );
    await crepes.ctx.store.accounts.addDomain('crepes.fr');
    await crepes.ctx.store.accounts.addAccount('alice@crepes.fr', HASH);
  });

  after(async () => {
    await crepes?.stop();
    await hamburger?.stop();
    for (const storage of storages) await storage.release();
  });

  async function queueAtCrepes(to: string[], subject: string): Promise<string> {
    const store = crepes.ctx.store;
    const bytes = Buffer.from(
      `From: alice@crepes.fr\r\nTo: ${to.join(', ')}\r\nSubject: ${subject}\r\n\r\n.dot line\r\nBonjour\r\n`,
    );
    const blobId = await store.mail.putBlob(bytes, parseMessage(bytes));
    const entry = await store.queue.enqueue({
      blobId,
      sender: 'alice@crepes.fr',
      recipients: to.map((address) => ({ address, orcpt: null, notify: [] })),
      size: bytes.length,
      envId: null,
      ret: null,
      smtputf8: false,
      eightBit: false,
      nextAttemptAt: new Date(),
    });
    const queue = crepes.services.find((s) => s.name === 'queue') as unknown as { wake(): void };
    queue.wake();
    return entry.id;
  }

  test('a message reaches Bob’s INBOX and leaves the queue', async () => {
    const id = await queueAtCrepes(['bob@hamburger.edu'], 'Crepes for Bob');
    await eventually(async () => (await crepes.ctx.store.queue.get(id)) === null);
    const messages = await inbox(hamburger.ctx.store, 'bob@hamburger.edu');
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /Subject: Crepes for Bob/);
    assert.match(messages[0]!, /\r\n\.dot line\r\n/);
    assert.match(messages[0]!, /^Return-Path: <alice@crepes\.fr>/m);
  });

  test('an unknown user bounces: one DSN in Alice’s INBOX, Bob still gets his copy', async () => {
    const id = await queueAtCrepes(['bob@hamburger.edu', 'nobody@hamburger.edu'], 'Two recipients');
    await eventually(async () => (await crepes.ctx.store.queue.get(id)) === null);
    const bob = await inbox(hamburger.ctx.store, 'bob@hamburger.edu');
    assert.ok(bob.some((m) => /Subject: Two recipients/.test(m)));
    await eventually(async () => (await inbox(crepes.ctx.store, 'alice@crepes.fr')).length === 1);
    const [dsn] = await inbox(crepes.ctx.store, 'alice@crepes.fr');
    assert.match(dsn!, /Final-Recipient: rfc822; nobody@hamburger\.edu\r\nAction: failed\r\nStatus: 5\.1\.1/);
    assert.match(dsn!, /Remote-MTA: dns; 127\.0\.0\.1/);
    assert.doesNotMatch(dsn!, /Final-Recipient: rfc822; bob/);
  });
});
