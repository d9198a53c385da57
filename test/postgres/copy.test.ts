// `posthorn storage copy` (src/storage/copy.ts): SQLite -> PostgreSQL -> SQLite keeps everything an IMAP
// client or the queue can see, checked on the stores and through an IMAP session on each (same UIDVALIDITY,
// UIDs, MODSEQs, flags); also through the command line. The SQLite -> SQLite case runs without PostgreSQL too.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import { systemClock } from '../../src/app/context.ts';
import { startImapServers } from '../../src/imap/server/index.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { copyEnd, copyStore, transferOf } from '../../src/storage/copy.ts';
import { StorageError, type ModSeq, type Store, type Uid } from '../../src/storage/ports.ts';
import { PostgresStore } from '../../src/storage/postgres/store.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';
import { appendMessages, mailbox, newAccount, putMessage, rejection } from '../contract/harness.ts';
import { runCli } from '../cli/run-cli.ts';
import { testTls } from '../smtp/support/tls.ts';
import { testConfig } from '../support/imap-harness.ts';
import { postgresForTests } from '../support/postgres.ts';
import { ImapLineClient } from './support/line-clients.ts';

const postgres = await postgresForTests();

/** A store with a bit of everything, including deleted mailboxes and expunged messages. */
async function populate(store: Store): Promise<void> {
  const alice = await newAccount(store, 'Alice@crepes.fr');
  const bob = await newAccount(store, 'bob@hamburger.edu');
  await store.accounts.addAlias('sales@crepes.fr', ['alice@crepes.fr', 'carol@elsewhere.example']);
  await store.accounts.addAlias('@hamburger.edu', ['bob@hamburger.edu']);
  const inbox = await mailbox(store, alice);
  await appendMessages(store, inbox.id, 5, ['\\Seen']);
  await store.mail.updateFlags(inbox.id, [2 as Uid, 3 as Uid], {
    op: 'add',
    flags: ['$Label1', '\\Flagged'],
  });
  await store.mail.expunge(inbox.id, [4 as Uid]);
  const work = await store.mail.createMailbox(alice.id, 'Work/Projects');
  await store.mail.copy(inbox.id, [1 as Uid, 2 as Uid], work.id);
  await store.mail.setSubscribed(alice.id, 'Work/Projects', true);
  await store.mail.setSubscribed(alice.id, 'Gone/Never', true);
  await store.mail.createMailbox(bob.id, 'Temporary');
  await store.mail.deleteMailbox(bob.id, 'Temporary'); // its UIDVALIDITY must not come back
  await store.accounts.addAccount('carol@crepes.fr', '$argon2id$x');
  await store.accounts.removeAccount('carol@crepes.fr'); // its id must not come back
  const bobInbox = await mailbox(store, bob);
  await appendMessages(store, bobInbox.id, 2);
  const now = new Date();
  const entry = await store.queue.enqueue({
    blobId: await putMessage(store, 'outgoing'),
    sender: 'alice@crepes.fr',
    recipients: [
      { address: 'dave@example.org', orcpt: 'rfc822;Dave@example.org', notify: ['SUCCESS', 'FAILURE'] },
      { address: 'erin@example.org', orcpt: null, notify: [] },
    ],
    size: 40,
    envId: 'env-1',
    ret: 'HDRS',
    smtputf8: true,
    eightBit: false,
    nextAttemptAt: now,
  });
  await store.queue.claimDue(now, 1, 'worker', new Date(now.getTime() + 60_000));
  await store.queue.recordAttempt(
    entry.id,
    [{ address: 'dave@example.org', state: 'delivered', finalReply: '250 ok' }],
    { nextAttemptAt: new Date(now.getTime() + 600_000), lastError: '451 later' },
  );
  await store.queue.enqueue({
    blobId: (await store.mail.listMessages(inbox.id))[0]!.blobId, // shared with a mailbox message
    sender: '',
    recipients: [{ address: 'frank@example.org', orcpt: null, notify: ['NEVER'] }],
    size: 40,
    envId: null,
    ret: null,
    smtputf8: false,
    eightBit: true,
    nextAttemptAt: now,
  });
}

/** Everything a client or the queue sees, with store-internal blob ids left out. */
async function snapshot(store: Store): Promise<unknown> {
  const accounts = await store.accounts.listAccounts();
  const result: unknown[] = [await store.accounts.listDomains(), await store.accounts.listAliases()];
  for (const account of accounts) {
    const boxes = [];
    for (const box of await store.mail.listMailboxes(account.id)) {
      const messages = await store.mail.listMessages(box.id);
      const bodies = await Promise.all(
        messages.map(async (m) => (await store.mail.getBlobBytes(m.blobId)).toString()),
      );
      boxes.push({
        box,
        messages: messages.map((m) => ({ ...m, blobId: 0 })),
        bodies,
        vanished: (await store.mail.changesSince(box.id, 0 as ModSeq)).vanished,
        counts: await store.mail.counts(box.id),
      });
    }
    result.push({ account, boxes, subscriptions: await store.mail.listSubscriptions(account.id) });
  }
  const queue = await store.queue.list();
  result.push(queue.map((e) => ({ ...e, blobId: 0 })));
  result.push(
    await Promise.all(queue.map(async (e) => (await store.mail.getBlobBytes(e.blobId)).toString())),
  );
  return result;
}

const ALICE_PASSWORD = 'crêpes suzette';

/** populate() with a password Alice can log in with over IMAP (the hash is copied like any other). */
async function populateWithLogin(store: Store): Promise<void> {
  await populate(store);
  await new AccountService(store.accounts, { argon2: TEST_ARGON2 }).setPassword(
    'alice@crepes.fr',
    ALICE_PASSWORD,
  );
}

/** What an IMAP client sees of Alice's mailboxes: LIST, STATUS and SELECT data, every message's UID FETCH. */
async function imapView(store: Store): Promise<string[]> {
  const servers = await startImapServers(
    {
      config: testConfig({ listen: { imap: ['127.0.0.1:0'], imaps: [] } }),
      store,
      log: silentLogger(),
      tls: testTls(),
      clock: systemClock,
    },
    { accounts: new AccountService(store.accounts, { argon2: TEST_ARGON2 }), sleep: async () => {} },
  );
  const client = await ImapLineClient.connect(servers.addresses.imap[0]!.port);
  try {
    const seen: string[] = [];
    const run = async (command: string) => {
      const lines = await client.command(command);
      assert.match(lines.at(-1)!, /^OK/, `${command}: ${lines.join(' | ')}`);
      seen.push(`C: ${command}`, ...lines);
    };
    await run(`LOGIN alice@crepes.fr "${ALICE_PASSWORD}"`);
    await run('ENABLE CONDSTORE');
    await run('LIST "" "*"');
    for (const name of ['INBOX', 'Work/Projects']) {
      await run(`STATUS "${name}" (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)`);
      await run(`EXAMINE "${name}"`);
      await run(
        'UID FETCH 1:* (UID FLAGS MODSEQ INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])',
      );
    }
    return seen;
  } finally {
    client.close();
    await servers.stop();
  }
}

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function sqliteFile(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'posthorn-copy-'));
  dirs.push(dir);
  return join(dir, name);
}

/** New records in the copy get values the source never handed out. */
async function assertCountersMovedOn(source: Store, copy: Store): Promise<void> {
  const sourceAccounts = await source.accounts.listAccounts();
  const alice = sourceAccounts.find((a) => a.address === 'Alice@crepes.fr')!;
  const fresh = await copy.mail.createMailbox(alice.id, 'After copy');
  // Above the last one the source handed out, which went to the since deleted "Temporary".
  const { lastUidValidity } = await transferOf(source).exportCounters();
  const highestLive = Math.max(
    ...(await Promise.all(sourceAccounts.map((a) => source.mail.listMailboxes(a.id))))
      .flat()
      .map((m) => m.uidValidity),
  );
  assert.ok(lastUidValidity > highestLive, 'the deleted mailbox had the last UIDVALIDITY');
  assert.ok(
    fresh.uidValidity > lastUidValidity,
    'no UIDVALIDITY handed out twice, deleted mailboxes included',
  );
  await copy.accounts.addAccount('grace@crepes.fr', '$argon2id$x');
  const grace = (await copy.accounts.getAccount('grace@crepes.fr'))!;
  assert.ok(
    grace.id > Math.max(...sourceAccounts.map((a) => a.id)) + 1,
    'the removed account id is not reused',
  );
}

test('SQLite -> SQLite: a faithful copy, verified; a non-empty target is refused', async () => {
  const source = SqliteStore.open({ path: await sqliteFile('source.db') });
  const target = SqliteStore.open({ path: await sqliteFile('target.db') });
  try {
    await populate(source);
    const progress: string[] = [];
    const report = await copyStore(copyEnd(source), copyEnd(target), {
      onProgress: (l) => progress.push(l),
      batchSize: 2,
    });
    assert.deepEqual(report.mismatches, []);
    assert.deepEqual(report.target, report.source);
    assert.equal(report.source.messages, 8);
    assert.ok(
      progress.some((line) => /account 1\/2 Alice@crepes\.fr: 7 mailboxes, 6 messages/.test(line)),
      progress.join('\n'),
    );
    assert.deepEqual(await snapshot(target), await snapshot(source));
    const error = await rejection(copyStore(copyEnd(source), copyEnd(target)));
    assert.ok(error instanceof StorageError && /not empty/.test(error.message));
    await assertCountersMovedOn(source, target);
  } finally {
    await source.close();
    await target.close();
  }
});

if (!postgres.available) {
  test('SQLite <-> PostgreSQL copy', { skip: postgres.reason }, () => {});
} else {
  const { db } = postgres;
  after(() => db.drop());

  test('SQLite -> PostgreSQL -> SQLite keeps UIDVALIDITY, UIDs, MODSEQs, flags, subscriptions, queue', async () => {
    const schema = await db.newSchema();
    const sqlite = SqliteStore.open({ path: await sqliteFile('origin.db') });
    const pg = await PostgresStore.open({ url: schema.url });
    const back = SqliteStore.open({ path: await sqliteFile('back.db') });
    try {
      await populate(sqlite);
      const expected = await snapshot(sqlite);

      const there = await copyStore(copyEnd(sqlite), copyEnd(pg));
      assert.deepEqual(there.mismatches, []);
      assert.deepEqual(await snapshot(pg), expected);

      const home = await copyStore(copyEnd(pg), copyEnd(back));
      assert.deepEqual(home.mismatches, []);
      assert.deepEqual(await snapshot(back), expected);

      await assertCountersMovedOn(sqlite, pg);
      // The copy works as a store: appends continue from the copied UIDNEXT with a higher MODSEQ.
      const alice = (await pg.accounts.getAccount('alice@crepes.fr'))!;
      const inbox = (await pg.mail.getMailbox(alice.id, 'INBOX'))!;
      const [next] = await appendMessages(pg, inbox.id, 1);
      assert.equal(next!.uid, inbox.uidNext);
      assert.ok(next!.modSeq > inbox.highestModSeq);
    } finally {
      await sqlite.close();
      await pg.close();
      await back.close();
      await schema.drop();
    }
  });
}

if (postgres.available) {
  const { db } = postgres;

  test('an IMAP client sees the same UIDVALIDITY, UIDs, MODSEQs and flags on the copies as on the original', async () => {
    const schema = await db.newSchema();
    const sqlite = SqliteStore.open({ path: await sqliteFile('imap-origin.db') });
    const pg = await PostgresStore.open({ url: schema.url });
    const back = SqliteStore.open({ path: await sqliteFile('imap-back.db') });
    try {
      await populateWithLogin(sqlite);
      const original = await imapView(sqlite);
      const alice = (await sqlite.accounts.getAccount('alice@crepes.fr'))!;
      const inbox = (await sqlite.mail.getMailbox(alice.id, 'INBOX'))!;
      // The view really shows the store's values (and the expunged UID 4 stays a gap).
      assert.ok(original.some((line) => line.includes(`UIDVALIDITY ${inbox.uidValidity}`)));
      assert.ok(
        original.some((line) => /^\* 4 FETCH \(UID 5 /.test(line)),
        original.join('\n'),
      );
      assert.ok(original.some((line) => /UID 2 FLAGS \(.*\$Label1/.test(line)));

      assert.deepEqual((await copyStore(copyEnd(sqlite), copyEnd(pg))).mismatches, []);
      assert.deepEqual(await imapView(pg), original);
      assert.deepEqual((await copyStore(copyEnd(pg), copyEnd(back))).mismatches, []);
      assert.deepEqual(await imapView(back), original);
    } finally {
      await sqlite.close();
      await pg.close();
      await back.close();
      await schema.drop();
    }
  });

  test('`posthorn storage copy` on the command line: SQLite -> PostgreSQL -> SQLite, verified', async () => {
    const schema = await db.newSchema();
    const origin = await sqliteFile('cli-origin.db');
    const backFile = await sqliteFile('cli-back.db');
    const cwd = await mkdtemp(join(tmpdir(), 'posthorn-copy-cli-'));
    dirs.push(cwd);
    const source = SqliteStore.open({ path: origin });
    await populateWithLogin(source);
    const original = await imapView(source);
    const expected = await snapshot(source);
    await source.close();
    try {
      const there = await runCli(['storage', 'copy', '--from', `sqlite:${origin}`, '--to', schema.url], {
        cwd,
      });
      assert.equal(there.code, 0, there.stderr);
      assert.match(there.stdout, /^copying sqlite:.*cli-origin\.db -> postgres:\/\//m);
      assert.match(there.stdout, /account 1\/2 Alice@crepes\.fr: 7 mailboxes, 6 messages/);
      assert.match(there.stdout, /^ {2}messages +8 = 8$/m);
      assert.match(there.stdout, /copy verified/);

      const again = await runCli(['storage', 'copy', '--from', `sqlite:${origin}`, '--to', schema.url], {
        cwd,
      });
      assert.equal(again.code, 1, 'a non-empty target is refused');
      assert.match(again.stderr, /not empty/);

      const home = await runCli(['storage', 'copy', '--from', schema.url, '--to', `sqlite:${backFile}`], {
        cwd,
      });
      assert.equal(home.code, 0, home.stderr);
      assert.match(home.stdout, /copy verified/);

      const pg = await PostgresStore.open({ url: schema.url });
      const back = SqliteStore.open({ path: backFile });
      try {
        assert.deepEqual(await snapshot(pg), expected);
        assert.deepEqual(await snapshot(back), expected);
        assert.deepEqual(await imapView(pg), original);
        assert.deepEqual(await imapView(back), original);
      } finally {
        await pg.close();
        await back.close();
      }
    } finally {
      await schema.drop();
    }
  });
}
