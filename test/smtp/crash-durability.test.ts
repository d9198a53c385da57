// Commit before ack (DESIGN.md §4.1): the server process is SIGKILLed the moment the client has read
// "250 ... queued as"; after a restart the message is in the mailbox exactly once. On the test backend
// (test/support/test-store.ts): a SQLite file, or a PostgreSQL schema the server process reaches by URL.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import { openStore } from '../../src/storage/open.ts';
import { storageConfigForTest, type StorageForTest } from '../support/test-store.ts';
import { startServerProcess } from './support/server-process.ts';
import { RawSmtpClient } from './support/smtp-client.ts';

let dir: string;
let configFile: string;
let storage: StorageForTest;

/** The store the server process uses, opened here too. */
const openServerStore = () => openStore(configFromDefaults({ data_dir: dir, storage: storage.storage }));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posthorn-smtp-crash-'));
  storage = await storageConfigForTest(dir);
  configFile = join(dir, 'posthorn.toml');
  writeFileSync(
    configFile,
    [
      'hostname = "mx.example.org"',
      'data_dir = "."',
      '[listen]',
      'smtp = ["127.0.0.1:0"]',
      'submission = []',
      'submissions = []',
      'imap = []',
      'imaps = []',
      '[log]',
      'level = "warn"',
      '[storage]',
      `backend = ${JSON.stringify(storage.storage.backend)}`,
      `path = ${JSON.stringify(storage.storage.path)}`,
      ...(storage.storage.url ? [`url = ${JSON.stringify(storage.storage.url)}`] : []),
    ].join('\n'),
  );
  const store = await openServerStore();
  const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2 });
  await accounts.addDomain('example.org');
  await accounts.createAccount('bob@example.org', 'bob-password');
  await store.close();
});

after(async () => {
  await storage.release();
  rmSync(dir, { recursive: true, force: true });
});

test('a message acknowledged with 250 survives SIGKILL, and is there exactly once', async () => {
  const first = await startServerProcess(configFile);
  const client = await RawSmtpClient.connect(first.addresses.smtp[0]!.port);
  assert.match((await client.reply())[0]!, /^220 /);
  await client.command('EHLO client.example');
  assert.deepEqual(await client.command('MAIL FROM:<sender@remote.test>'), ['250 2.1.0 Sender ok']);
  assert.deepEqual(await client.command('RCPT TO:<bob@example.org>'), ['250 2.1.5 Recipient ok']);
  assert.match((await client.command('DATA'))[0]!, /^354 /);

  // Kill in the same tick the 250 arrives: nothing after the reply gets a chance to run.
  let queuedLine = '';
  client.socket.prependListener('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (text.startsWith('250 2.0.0 Ok: queued as ')) {
      queuedLine = text.trim();
      first.child.kill('SIGKILL');
    }
  });
  client.write('Subject: crash test\r\nMessage-ID: <crash-1@remote.test>\r\n\r\nsurvive me\r\n.\r\n');
  const exit = await first.exited;
  client.close();
  assert.equal(exit.signal, 'SIGKILL');
  assert.match(queuedLine, /^250 2\.0\.0 Ok: queued as [0-9A-Z]+$/);

  // Restart: the server comes up on the same store, and the message is there once.
  const second = await startServerProcess(configFile);
  try {
    const store = await openServerStore();
    try {
      const bob = (await store.accounts.getAccount('bob@example.org'))!;
      const inbox = (await store.mail.getMailbox(bob.id, 'INBOX'))!;
      const messages = await store.mail.listMessages(inbox.id);
      assert.equal(messages.length, 1);
      const bytes = (await store.mail.getBlobBytes(messages[0]!.blobId)).toString();
      assert.ok(
        bytes.endsWith('Subject: crash test\r\nMessage-ID: <crash-1@remote.test>\r\n\r\nsurvive me\r\n'),
      );
      assert.equal((await store.queue.list()).length, 0);
    } finally {
      await store.close();
    }
    // And the restarted server takes mail again.
    const again = await RawSmtpClient.connect(second.addresses.smtp[0]!.port);
    assert.match((await again.reply())[0]!, /^220 /);
    assert.deepEqual(await again.command('QUIT'), ['221 2.0.0 Bye']);
    again.close();
  } finally {
    second.child.kill('SIGTERM');
    const exit2 = await second.exited;
    assert.equal(exit2.code, 0, second.stderr());
  }
});
