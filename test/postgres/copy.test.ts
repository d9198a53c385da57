// `posthorn storage copy` (src/storage/copy.ts): SQLite -> PostgreSQL -> SQLite keeps everything an IMAP
// client or the queue can see. The SQLite -> SQLite case runs without PostgreSQL too.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { copyEnd, copyStore, transferOf } from '../../src/storage/copy.ts';
import { StorageError, type ModSeq, type Store, type Uid } from '../../src/storage/ports.ts';
import { PostgresStore } from '../../src/storage/postgres/store.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';
import { appendMessages, mailbox, newAccount, putMessage, rejection } from '../contract/harness.ts';
import { postgresForTests } from '../support/postgres.ts';

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
