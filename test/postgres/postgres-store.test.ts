// PostgreSQL-specific behaviour: session settings, migrations, blob collection, and failures mapped to
// StorageUnavailable with a pool that recovers by itself. Skips when no PostgreSQL server answers.

import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { AlreadyExists, StorageError, StorageUnavailable, type Uid } from '../../src/storage/ports.ts';
import { PostgresStore } from '../../src/storage/postgres/store.ts';
import { channelFor, describeUrl } from '../../src/storage/postgres/store.ts';
import { appendMessages, mailbox, newAccount, putMessage, rejection } from '../contract/harness.ts';
import { messageBytes, stubParsed } from '../contract/parsed-stub.ts';
import { postgresForTests, type PostgresTestDatabase } from '../support/postgres.ts';

const postgres = await postgresForTests();

/** The UIDs of the next `added` event for the mailbox. */
function nextAdded(store: PostgresStore, mailboxId: number): Promise<number[]> {
  return new Promise((resolve) => {
    const unsubscribe = store.changes.subscribe((change) => {
      if (change.kind !== 'added' || change.mailboxId !== mailboxId) return;
      unsubscribe();
      resolve(change.uids);
    });
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

test('the LISTEN channel is per schema and fits an identifier; URLs are logged without password', () => {
  assert.equal(channelFor('public'), 'posthorn_changes');
  assert.equal(channelFor('tenant1'), 'posthorn_changes_tenant1');
  assert.ok(Buffer.byteLength(channelFor('x'.repeat(63))) <= 63);
  assert.equal(
    describeUrl('postgres://posthorn:s3cret@db.example:5432/mail'),
    'postgres://posthorn:***@db.example:5432/mail',
  );
});

test('a server that refuses connections gives StorageUnavailable at open', async () => {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const error = await rejection(
    PostgresStore.open({ url: `postgres://posthorn@127.0.0.1:${port}/posthorn`, connectionTimeoutMs: 2000 }),
  );
  assert.ok(error instanceof StorageUnavailable, `${error.name}: ${error.message}`);
});

test('a server that hangs up at once gives StorageUnavailable at open', async () => {
  const server = createServer((socket) => socket.destroy());
  const port = await listen(server);
  try {
    const error = await rejection(
      PostgresStore.open({
        url: `postgres://posthorn@127.0.0.1:${port}/posthorn`,
        connectionTimeoutMs: 2000,
      }),
    );
    assert.ok(error instanceof StorageUnavailable, `${error.name}: ${error.message}`);
  } finally {
    server.close();
  }
});

if (!postgres.available) {
  test('postgres store', { skip: postgres.reason }, () => {});
} else {
  const db: PostgresTestDatabase = postgres.db;
  after(() => db.drop());

  const withStore =
    (body: (store: PostgresStore, url: string, schema: string) => Promise<void>) => async () => {
      const schema = await db.newSchema();
      const store = await PostgresStore.open({ url: schema.url, poolSize: 3 });
      try {
        await body(store, schema.url, schema.name);
      } finally {
        await store.close();
        await schema.drop();
      }
    };

  /** Backend pids of a store's pool (its connections are named "posthorn"). */
  async function poolPids(): Promise<number[]> {
    const rows = await db.admin<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'posthorn'",
      [db.name],
    );
    return rows.map((row) => row.pid);
  }

  describe('postgres store', { timeout: 30_000 }, () => {
    test('connections commit synchronously even where the database default says otherwise', async () => {
      await db.admin(`ALTER DATABASE ${db.name} SET synchronous_commit = off`);
      const schema = await db.newSchema();
      const store = await PostgresStore.open({ url: schema.url });
      try {
        const row = await store.database.row<{ synchronous_commit: string }>('SHOW synchronous_commit');
        assert.equal(row?.synchronous_commit, 'on');
      } finally {
        await store.close();
        await schema.drop();
        await db.admin(`ALTER DATABASE ${db.name} RESET synchronous_commit`);
      }
    });

    test(
      'migrations are recorded; a database from a newer Posthorn is refused',
      withStore(async (store, url, schema) => {
        const rows = await db.admin<{ version: number; description: string }>(
          `SELECT version, description FROM ${schema}.schema_migrations ORDER BY version`,
        );
        assert.equal(rows[0]?.version, 1);
        await store.close();
        const again = await PostgresStore.open({ url });
        await again.close();
        assert.equal((await db.admin(`SELECT 1 FROM ${schema}.schema_migrations`)).length, 1, 'applied once');
        await db.admin(
          `INSERT INTO ${schema}.schema_migrations (version, description) VALUES (999, 'future')`,
        );
        const error = await rejection(PostgresStore.open({ url }));
        assert.ok(error instanceof StorageError && /newer/.test(error.message), error.message);
      }),
    );

    test('a search_path naming no schema gives a clear error', async () => {
      const url = new URL(db.url);
      url.searchParams.set('options', '-c search_path=no_such_schema');
      const error = await rejection(PostgresStore.open({ url: url.toString() }));
      assert.ok(error instanceof StorageError);
      assert.match(error.message, /schema/);
    });

    test(
      'identical bodies are stored once; large bodies round-trip byte for byte',
      withStore(async (store) => {
        const bytes = messageBytes('same');
        const first = await store.mail.putBlob(bytes, stubParsed(bytes, 'same'));
        const second = await store.mail.putBlob(Buffer.from(bytes), stubParsed(bytes, 'same'));
        assert.equal(first, second);
        const big = Buffer.alloc(3 * 1024 * 1024);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
        const id = await store.mail.putBlob(big, stubParsed(big, 'big'));
        assert.ok((await store.mail.getBlobBytes(id)).equals(big));
        assert.equal((await store.mail.getBlob(id)).size, big.length);
      }),
    );

    test('unreferenced blobs are collected after the grace period, referenced ones never', async () => {
      const schema = await db.newSchema();
      let now = Date.UTC(2024, 0, 1);
      const store = await PostgresStore.open({
        url: schema.url,
        now: () => new Date(now),
        blobGraceMs: 1000,
      });
      try {
        const inbox = await mailbox(store, await newAccount(store));
        const kept = await putMessage(store, 'kept');
        const dropped = await putMessage(store, 'dropped');
        const orphan = await putMessage(store, 'never used');
        await store.mail.append(inbox.id, [
          { blobId: kept, flags: [], internalDate: new Date(now) },
          { blobId: dropped, flags: [], internalDate: new Date(now) },
        ]);
        assert.equal(await store.collectGarbage(), 0, 'all within the grace period');
        now += 2000;
        assert.equal(await store.collectGarbage(), 1, 'the orphan goes');
        await store.mail.expunge(inbox.id, [2 as Uid]);
        assert.equal((await store.mail.getBlobs([kept, dropped, orphan])).size, 1, 'collected after expunge');
        assert.ok(await store.mail.getBlob(kept));
        const rows = await db.admin(`SELECT blob_id FROM ${schema.name}.blob_candidates`);
        assert.deepEqual(rows, [], 'referenced candidates are forgotten');
      } finally {
        await store.close();
        await schema.drop();
      }
    });

    test('appending and listing 100,000 messages stays fast', (context) =>
      withStore(async (store) => {
        const inbox = await mailbox(store, await newAccount(store));
        const blobId = await putMessage(store);
        const date = new Date('2024-05-06T07:08:09.123Z');
        const messages = Array.from({ length: 100_000 }, (_, i) => ({
          blobId,
          flags: i % 3 === 0 ? ['\\Seen', 'Work'] : ['\\Seen'],
          internalDate: date,
        }));
        let started = performance.now();
        const appended = await store.mail.append(inbox.id, messages);
        const appendMs = performance.now() - started;
        assert.equal(appended.at(-1)!.uid, 100_000);
        started = performance.now();
        const listed = await store.mail.listMessages(inbox.id);
        const listMs = performance.now() - started;
        // Generous bounds (typically well under a second each): they catch a per-row query or an N² mistake.
        context.diagnostic(
          `append(100000): ${appendMs.toFixed(0)} ms, listMessages: ${listMs.toFixed(0)} ms`,
        );
        assert.ok(appendMs < 10_000 && listMs < 5_000, `append ${appendMs} ms, list ${listMs} ms`);
        assert.equal(listed.length, 100_000);
        assert.equal(listed[99_999]!.uid, 100_000);
        assert.deepEqual(listed[0]!.flags, ['\\Seen', 'Work']);
        assert.deepEqual(listed[1]!.internalDate, date);
        assert.equal((await store.mail.counts(inbox.id)).messages, 100_000);
      })());

    test(
      'unique violations between concurrent writers are AlreadyExists',
      withStore(async (store, url) => {
        const other = await PostgresStore.open({ url });
        try {
          await store.accounts.addDomain('crepes.fr');
          const results = await Promise.allSettled([
            store.accounts.addAccount('alice@crepes.fr', 'h'),
            other.accounts.addAccount('ALICE@crepes.fr', 'h'),
            store.accounts.addAccount('Alice@Crepes.fr', 'h'),
          ]);
          assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
          for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof AlreadyExists);
        } finally {
          await other.close();
        }
      }),
    );

    test(
      'a closed store gives StorageUnavailable, and closing twice is harmless',
      withStore(async (store) => {
        await store.close();
        await store.close();
        assert.ok((await rejection(store.accounts.listDomains())) instanceof StorageUnavailable);
        assert.ok((await rejection(store.accounts.addDomain('x.example'))) instanceof StorageUnavailable);
      }),
    );

    test(
      'connections killed by an administrator: StorageUnavailable at most once, then the pool recovers',
      withStore(async (store) => {
        await store.accounts.addDomain('crepes.fr');
        // Fill the pool with idle connections, then terminate them all (and the LISTEN connection).
        await Promise.all(Array.from({ length: 3 }, () => store.accounts.listDomains()));
        const pids = await poolPids();
        assert.ok(pids.length >= 1);
        await db.admin(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2',
          [db.name, 'posthorn%'],
        );
        let failures = 0;
        for (let i = 0; i < 5; i++) {
          try {
            assert.equal((await store.accounts.listDomains()).length, 1);
          } catch (error) {
            assert.ok(error instanceof StorageUnavailable, String(error));
            failures++;
          }
        }
        assert.ok(failures <= 3, `${failures} failures`);
        assert.equal((await store.accounts.listDomains()).length, 1);
        assert.deepEqual(
          (await poolPids()).filter((pid) => pids.includes(pid)),
          [],
          'no terminated connection is reused',
        );
        await store.changes.whenListening();
      }),
    );

    test('the database goes away and comes back: StorageUnavailable meanwhile, then everything works again', async () => {
      const schema = await db.newSchema();
      const upstream = new URL(db.url);
      // A TCP proxy in front of PostgreSQL stands in for the server: "down" cuts every connection and refuses
      // new ones, "up" accepts again on the same port.
      const sockets = new Set<Socket>();
      const proxy = createServer((downstream) => {
        const server = connect(Number(upstream.port || 5432), upstream.hostname);
        for (const socket of [downstream, server]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {});
        }
        downstream.pipe(server).pipe(downstream);
      });
      const port = await listen(proxy);
      const proxied = new URL(schema.url);
      proxied.host = `127.0.0.1:${port}`;
      const store = await PostgresStore.open({
        url: proxied.toString(),
        poolSize: 2,
        connectionTimeoutMs: 2000,
        feed: { reconnectDelayMs: () => 20 },
      });
      const other = await PostgresStore.open({ url: schema.url });
      try {
        const inbox = await mailbox(store, await newAccount(store));
        await store.mail.listMessages(inbox.id);

        await new Promise<void>((resolve) => {
          proxy.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
        for (const operation of [
          () => store.accounts.listDomains(),
          () => appendMessages(store, inbox.id, 1),
          () => store.queue.claimDue(new Date(), 5, 'w', new Date()),
        ]) {
          const error = await rejection(operation());
          assert.ok(error instanceof StorageUnavailable, `${error.name}: ${error.message}`);
        }
        assert.equal(store.changes.listenerPid, null);
        // Meanwhile another node delivers; this one must learn about it once back.
        const heard = nextAdded(store, inbox.id);
        await appendMessages(other, inbox.id, 1);

        await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
        await store.changes.whenListening();
        assert.deepEqual(await heard, [1]);
        const [appended] = await appendMessages(store, inbox.id, 1);
        assert.equal(appended!.uid, 2);
      } finally {
        await store.close();
        await other.close();
        proxy.close();
        for (const socket of sockets) socket.destroy();
        await schema.drop();
      }
    });

    test(
      'a connection killed between the statements of a transaction: StorageUnavailable, no process crash',
      withStore(async (store) => {
        await store.accounts.addDomain('crepes.fr');
        const error = await rejection(
          store.database.write(async (tx) => {
            const { pid } = (await tx.row<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!;
            // No statement is running when the server ends this connection: pg emits 'error' on the
            // checked-out client, which must not become an uncaught exception.
            await db.admin('SELECT pg_terminate_backend($1)', [pid]);
            while ((await db.admin('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0);
            await new Promise((resolve) => setImmediate(resolve));
            return tx.rows('SELECT 1');
          }),
        );
        assert.ok(error instanceof StorageUnavailable, `${error.name}: ${error.message}`);
        assert.equal((await store.accounts.listDomains()).length, 1);
      }),
    );

    test(
      'a transaction whose connection is killed while it waits fails with StorageUnavailable and leaves no trace',
      withStore(async (store, url) => {
        const inbox = await mailbox(store, await newAccount(store));
        const blocker = new pg.Client({ connectionString: url });
        blocker.on('error', () => {});
        await blocker.connect();
        try {
          await blocker.query('BEGIN');
          await blocker.query('SELECT 1 FROM mailboxes WHERE id = $1 FOR UPDATE', [inbox.id]);
          const blobId = await putMessage(store);
          const blocked = store.mail.append(inbox.id, [{ blobId, flags: [], internalDate: new Date() }]);
          const failed = rejection(blocked);
          // Wait for the append to queue behind the lock, then kill its connection (57P01 admin_shutdown).
          let pid: number | undefined;
          while (pid === undefined) {
            const rows = await db.admin<{ pid: number }>(
              `SELECT pid FROM pg_stat_activity
                WHERE datname = $1 AND application_name = 'posthorn' AND wait_event_type = 'Lock'`,
              [db.name],
            );
            pid = rows[0]?.pid;
          }
          await db.admin('SELECT pg_terminate_backend($1)', [pid]);
          const error = await failed;
          assert.ok(error instanceof StorageUnavailable, `${error.name}: ${error.message}`);
          await blocker.query('ROLLBACK');
          const [next] = await appendMessages(store, inbox.id, 1);
          assert.equal(next!.uid, 1, 'the failed append used no UID');
        } finally {
          await blocker.end();
        }
      }),
    );
  });
}
