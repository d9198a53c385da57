// SQLite-specific behaviour beyond the contract: pragmas, migrations, blob storage and collection,
// error mapping, change feed timing, and large mailboxes.

import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { StorageError, StorageUnavailable, type MailboxId, type Uid } from '../../src/storage/ports.ts';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';
import { newAccount, putMessage, rejection } from '../contract/harness.ts';
import { messageBytes, stubParsed } from '../contract/parsed-stub.ts';
import { tempStore } from './sqlite-fixture.ts';

test('opens in WAL mode with synchronous=FULL, foreign keys and a busy timeout', async () => {
  const t = await tempStore({ busyTimeoutMs: 1234 });
  try {
    const db = t.store.database;
    assert.equal(db.get<{ journal_mode: string }>('PRAGMA journal_mode')?.journal_mode, 'wal');
    assert.equal(db.get<{ synchronous: number }>('PRAGMA synchronous')?.synchronous, 2);
    assert.equal(db.get<{ foreign_keys: number }>('PRAGMA foreign_keys')?.foreign_keys, 1);
    assert.equal(db.get<{ timeout: number }>('PRAGMA busy_timeout')?.timeout, 1234);
    assert.equal(t.store.description, `sqlite:${t.path}`);
  } finally {
    await t.cleanup();
  }
});

test('migrations run once, set user_version, and a newer schema is refused', async () => {
  const t = await tempStore();
  try {
    const latest = MIGRATIONS.at(-1)!.version;
    const version = () => t.store.database.get<{ user_version: number }>('PRAGMA user_version')?.user_version;
    assert.equal(version(), latest);
    await newAccount(t.store);
    await t.store.close();
    const again = t.open();
    assert.equal((await again.accounts.listAccounts()).length, 1, 'reopening does not re-run migrations');
    again.database.exec(`PRAGMA user_version = ${latest + 1}`);
    await again.close();
    assert.throws(
      () => t.open(),
      (error: Error) => error instanceof StorageError && /newer/.test(error.message),
    );
  } finally {
    await t.cleanup();
  }
});

test('identical bodies are stored once; the parse is kept beside them', async () => {
  const t = await tempStore();
  try {
    const bytes = messageBytes('same');
    const first = await t.store.mail.putBlob(bytes, stubParsed(bytes, 'same'));
    const second = await t.store.mail.putBlob(Buffer.from(bytes), stubParsed(bytes, 'same'));
    assert.equal(second, first);
    const count = t.store.database.get<{ n: number }>('SELECT count(*) AS n FROM blob_bytes')?.n;
    assert.equal(count, 1);
    const different = await putMessage(t.store, 'different');
    assert.notEqual(different, first);
  } finally {
    await t.cleanup();
  }
});

test('unreferenced blobs are collected after the grace period, referenced ones never', async () => {
  let now = new Date('2025-01-01T00:00:00Z');
  const t = await tempStore({ now: () => now, blobGraceMs: 60_000 });
  try {
    const { store } = t;
    const inbox = (await store.mail.getMailbox((await newAccount(store)).id, 'INBOX'))!;
    const kept = await putMessage(store, 'kept');
    const dropped = await putMessage(store, 'dropped');
    const orphan = await putMessage(store, 'never used');
    await store.mail.append(inbox.id, [
      { blobId: kept, flags: [], internalDate: now },
      { blobId: dropped, flags: [], internalDate: now },
    ]);
    assert.equal(await store.collectGarbage(), 0, 'within the grace period nothing goes');
    now = new Date(now.getTime() + 61_000);
    assert.equal(await store.collectGarbage(), 1, 'the orphan goes');
    assert.ok((await rejection(store.mail.getBlob(orphan))) instanceof StorageError);
    await store.mail.expunge(inbox.id, [2 as Uid]);
    assert.ok(
      (await rejection(store.mail.getBlobBytes(dropped))) instanceof StorageError,
      'collected at expunge',
    );
    assert.equal((await store.mail.getBlobBytes(kept)).length > 0, true);

    // Storing the same body again restarts its grace period, so a delivery in flight keeps it.
    const again = await store.mail.putBlob(messageBytes('kept'), stubParsed(messageBytes('kept')));
    assert.equal(again, kept);
    await store.mail.expunge(inbox.id, [1 as Uid]);
    assert.ok(await store.mail.getBlob(kept));
  } finally {
    await t.cleanup();
  }
});

test('a database locked by another writer gives StorageUnavailable', async () => {
  const t = await tempStore({ busyTimeoutMs: 20 });
  const other = new DatabaseSync(t.path);
  try {
    other.exec('BEGIN IMMEDIATE');
    const error = await rejection(t.store.accounts.addDomain('crepes.fr'));
    assert.ok(error instanceof StorageUnavailable, String(error));
    other.exec('ROLLBACK');
    await t.store.accounts.addDomain('crepes.fr');
  } finally {
    other.close();
    await t.cleanup();
  }
});

test('a closed store gives StorageUnavailable, and closing twice is harmless', async () => {
  const t = await tempStore();
  try {
    await t.store.close();
    await t.store.close();
    assert.ok((await rejection(t.store.accounts.listDomains())) instanceof StorageUnavailable);
  } finally {
    await t.cleanup();
  }
});

test('change listeners run after commit, and a throwing listener does not fail the operation', async () => {
  const t = await tempStore();
  try {
    const { store } = t;
    const inbox = (await store.mail.getMailbox((await newAccount(store)).id, 'INBOX'))!;
    const blobId = await putMessage(store);
    const visible: number[] = [];
    store.changes.subscribe(() => {
      throw new Error('listener bug');
    });
    store.changes.subscribe((change) => {
      if (change.kind !== 'added') return;
      // Another connection sees the rows: the transaction has committed.
      const reader = new DatabaseSync(t.path);
      visible.push(reader.prepare('SELECT count(*) AS n FROM messages').get()!.n as number);
      reader.close();
    });
    await store.mail.append(inbox.id, [{ blobId, flags: [], internalDate: new Date() }]);
    assert.deepEqual(visible, [1]);

    const failed = store.mail.append(inbox.id, [
      { blobId, flags: [], internalDate: new Date() },
      { blobId: 999_999 as typeof blobId, flags: [], internalDate: new Date() },
    ]);
    await rejection(failed);
    assert.deepEqual(visible, [1], 'no event for a rolled-back append');
  } finally {
    await t.cleanup();
  }
});

test('listMessages over 100,000 messages stays fast', async (context) => {
  const t = await tempStore();
  try {
    const { store } = t;
    const inbox = (await store.mail.getMailbox((await newAccount(store)).id, 'INBOX'))!;
    const blobId = await putMessage(store);
    const date = new Date();
    const messages = Array.from({ length: 100_000 }, (_, i) => ({
      blobId,
      flags: i % 3 === 0 ? ['\\Seen', 'Work'] : ['\\Seen'],
      internalDate: date,
    }));
    await store.mail.append(inbox.id, messages);
    const started = performance.now();
    const listed = await store.mail.listMessages(inbox.id as MailboxId);
    const elapsed = performance.now() - started;
    context.diagnostic(`listMessages(100000): ${elapsed.toFixed(0)} ms`);
    assert.equal(listed.length, 100_000);
    assert.equal(listed[99_999]!.uid, 100_000);
    assert.deepEqual(listed[0]!.flags, ['\\Seen', 'Work']);
    // A generous bound (typically ~100 ms here): catches a per-row query or an N² mistake, not noise.
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
    assert.deepEqual(await store.mail.counts(inbox.id), {
      messages: 100_000,
      unseen: 0,
      deleted: 0,
      size: 100_000 * (await store.mail.getBlob(blobId)).size,
    });
  } finally {
    await t.cleanup();
  }
});

test('SqliteStore.open on an unusable path gives StorageUnavailable', () => {
  assert.throws(() => SqliteStore.open({ path: '/dev/null/posthorn.db' }), StorageUnavailable);
});
