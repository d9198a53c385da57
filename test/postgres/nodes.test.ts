// Several Posthorn nodes on one PostgreSQL store: each node is a PostgresStore with its own pool and LISTEN
// connection, as separate processes would have. Skips when no PostgreSQL server answers.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { MailboxChange, MailboxId, ModSeq, Store, Uid } from '../../src/storage/ports.ts';
import { PgChangeFeed } from '../../src/storage/postgres/change-feed.ts';
import { PostgresStore, type PostgresStoreOptions } from '../../src/storage/postgres/store.ts';
import { appendMessages, mailbox, newAccount, putMessage } from '../contract/harness.ts';
import { postgresForTests, type PostgresTestDatabase, type TestSchema } from '../support/postgres.ts';

const postgres = await postgresForTests();
const MINUTE = 60_000;

/** Resolves with the first change the store's feed delivers that matches. */
function nextChange(store: Store, matches: (change: MailboxChange) => boolean): Promise<MailboxChange> {
  return new Promise((resolve) => {
    const unsubscribe = store.changes.subscribe((change) => {
      if (!matches(change)) return;
      unsubscribe();
      resolve(change);
    });
  });
}

/** Collects UIDs of one kind for one mailbox until `count` have arrived. */
function collectUids(
  store: Store,
  kind: 'added' | 'expunged',
  mailboxId: MailboxId,
  count: number,
): Promise<Uid[]> {
  const uids: Uid[] = [];
  return new Promise((resolve) => {
    const unsubscribe = store.changes.subscribe((change) => {
      if (change.kind !== kind || change.mailboxId !== mailboxId) return;
      uids.push(...change.uids);
      if (uids.length >= count) {
        unsubscribe();
        resolve(uids);
      }
    });
  });
}

if (!postgres.available) {
  test('postgres: several nodes on one store', { skip: postgres.reason }, () => {});
} else {
  const db: PostgresTestDatabase = postgres.db;
  after(() => db.drop());

  /** A fresh schema and `count` nodes on it; all closed and dropped after the body. */
  const withNodes =
    (
      count: number,
      body: (nodes: PostgresStore[], schema: TestSchema) => Promise<void>,
      options: Partial<PostgresStoreOptions> = {},
    ) =>
    async () => {
      const schema = await db.newSchema();
      const nodes: PostgresStore[] = [];
      try {
        for (let i = 0; i < count; i++)
          nodes.push(await PostgresStore.open({ url: schema.url, poolSize: 4, ...options }));
        await body(nodes, schema);
      } finally {
        for (const node of nodes) await node.close();
        await schema.drop();
      }
    };

  describe('postgres: several nodes on one store', { timeout: 30_000 }, () => {
    test('nodes starting at once on an empty schema migrate it once', async () => {
      const schema = await db.newSchema();
      const nodes = await Promise.all(
        Array.from({ length: 5 }, () => PostgresStore.open({ url: schema.url, poolSize: 2 })),
      );
      try {
        const rows = await db.admin<{ version: number }>(
          `SELECT version FROM ${schema.name}.schema_migrations`,
        );
        assert.deepEqual(
          rows.map((row) => row.version),
          [1],
        );
        await nodes[0]!.accounts.addDomain('crepes.fr');
        assert.ok(await nodes[4]!.accounts.getDomain('crepes.fr'));
      } finally {
        for (const node of nodes) await node.close();
        await schema.drop();
      }
    });

    test(
      'an append through node A reaches an IDLE-like subscriber on node B',
      withNodes(2, async ([a, b]) => {
        const inbox = await mailbox(a!, await newAccount(a!));
        const heard = nextChange(b!, (change) => change.kind === 'added' && change.mailboxId === inbox.id);
        const [appended] = await appendMessages(a!, inbox.id, 1);
        assert.deepEqual(await heard, {
          kind: 'added',
          mailboxId: inbox.id,
          uids: [appended!.uid],
          modSeq: appended!.modSeq,
        });
        // And the other way round, for flags and mailbox changes.
        const flags = nextChange(a!, (change) => change.kind === 'flags');
        const boxes = nextChange(a!, (change) => change.kind === 'mailboxes');
        await b!.mail.updateFlags(inbox.id, [appended!.uid], { op: 'add', flags: ['\\Seen'] });
        await b!.mail.createMailbox(inbox.accountId, 'Lists');
        const flagChange = await flags;
        assert.deepEqual(flagChange.kind === 'flags' && flagChange.uids, [appended!.uid]);
        assert.deepEqual(await boxes, { kind: 'mailboxes', accountId: inbox.accountId });
      }),
    );

    test(
      'a node does not hear its own changes twice',
      withNodes(2, async ([a, b]) => {
        const inbox = await mailbox(a!, await newAccount(a!));
        const seenOnA: MailboxChange[] = [];
        a!.changes.subscribe((change) => seenOnA.push(change));
        const onB = collectUids(b!, 'added', inbox.id, 2);
        await appendMessages(a!, inbox.id, 1);
        await appendMessages(a!, inbox.id, 1);
        assert.deepEqual(await onB, [1, 2]);
        // A's LISTEN connection gets notifications in commit order: once it hears B's later change, it has
        // had its own two as well, and must have skipped them.
        const fromB = nextChange(a!, (change) => change.kind === 'mailboxes');
        await b!.mail.createMailbox(inbox.accountId, 'From B');
        await fromB;
        assert.deepEqual(
          seenOnA.map((change) => (change.kind === 'added' ? change.uids : change.kind)),
          [[1], [2], 'mailboxes'],
        );
      }),
    );

    test(
      'concurrent appends from three nodes get distinct, strictly increasing UIDs and MODSEQs',
      withNodes(3, async (nodes) => {
        const inbox = await mailbox(nodes[0]!, await newAccount(nodes[0]!));
        const results = await Promise.all(
          Array.from({ length: 60 }, async (_, i) => {
            const node = nodes[i % 3]!;
            const blobId = await putMessage(node, `node ${i}`);
            return (await node.mail.append(inbox.id, [{ blobId, flags: [], internalDate: new Date() }]))[0]!;
          }),
        );
        const uids = results.map((r) => r.uid).sort((x, y) => x - y);
        assert.deepEqual(
          uids,
          Array.from({ length: 60 }, (_, i) => i + 1),
        );
        assert.equal(new Set(results.map((r) => r.modSeq)).size, 60);
        // A higher UID was always committed with a higher MODSEQ: one writer at a time per mailbox.
        const byUid = [...results].sort((x, y) => x.uid - y.uid);
        for (let i = 1; i < byUid.length; i++) assert.ok(byUid[i]!.modSeq > byUid[i - 1]!.modSeq);
        const state = await nodes[2]!.mail.getMailboxById(inbox.id);
        assert.equal(state?.uidNext, 61);
        assert.equal(state?.highestModSeq, byUid.at(-1)!.modSeq);
      }),
    );

    test(
      'mailboxes created at once on several nodes get distinct UIDVALIDITY; one name, one winner',
      withNodes(3, async (nodes) => {
        const alice = await newAccount(nodes[0]!);
        const created = await Promise.all(
          Array.from({ length: 30 }, (_, i) => nodes[i % 3]!.mail.createMailbox(alice.id, `Box ${i}`)),
        );
        assert.equal(new Set(created.map((m) => m.uidValidity)).size, 30);
        const same = await Promise.allSettled(nodes.map((node) => node.mail.createMailbox(alice.id, 'Same')));
        assert.equal(same.filter((r) => r.status === 'fulfilled').length, 1);
        for (const result of same) {
          if (result.status === 'rejected') assert.equal((result.reason as Error).name, 'AlreadyExists');
        }
      }),
    );

    test(
      'claimers on four nodes never get the same entry; a dead node’s lease runs out',
      withNodes(4, async (nodes) => {
        const now = new Date();
        const ids: string[] = [];
        for (let i = 0; i < 40; i++) {
          const blobId = await putMessage(nodes[0]!);
          const entry = await nodes[0]!.queue.enqueue({
            blobId,
            sender: 'alice@crepes.fr',
            recipients: [{ address: `r${i}@example.org`, orcpt: null, notify: [] }],
            size: 10,
            envId: null,
            ret: null,
            smtputf8: false,
            eightBit: false,
            nextAttemptAt: new Date(now.getTime() - MINUTE),
          });
          ids.push(entry.id);
        }
        const leaseUntil = new Date(now.getTime() + MINUTE);
        const claimedBy = new Map<string, string>();
        await Promise.all(
          Array.from({ length: 12 }, async (_, w) => {
            const node = nodes[w % 4]!;
            for (;;) {
              const batch = await node.queue.claimDue(now, 2, `node${w % 4}-w${w}`, leaseUntil);
              if (batch.length === 0) return;
              for (const entry of batch) {
                assert.equal(claimedBy.get(entry.id), undefined, `${entry.id} claimed twice`);
                claimedBy.set(entry.id, entry.leaseOwner!);
              }
            }
          }),
        );
        assert.deepEqual(new Set(claimedBy.keys()), new Set(ids));
        // Node 3 "dies" holding its entries: after the lease, another node takes them, once.
        const orphaned = ids.filter((id) => claimedBy.get(id)!.startsWith('node3'));
        for (const id of ids.filter((id) => !orphaned.includes(id))) {
          await nodes[0]!.queue.recordAttempt(id, [], {
            nextAttemptAt: new Date(now.getTime() + 60 * MINUTE),
            lastError: null,
          });
        }
        const later = new Date(leaseUntil.getTime() + 1);
        const retaken = await Promise.all(
          nodes
            .slice(0, 3)
            .map((node, i) =>
              node.queue.claimDue(later, 100, `rescuer${i}`, new Date(later.getTime() + MINUTE)),
            ),
        );
        const retakenIds = retaken.flat().map((entry) => entry.id);
        assert.deepEqual(retakenIds.sort(), [...orphaned].sort());
        for (const entry of retaken.flat()) assert.equal(entry.attempts, 2);
      }),
    );

    test(
      'a change about many UIDs crosses nodes in pieces that add up',
      withNodes(2, async ([a, b]) => {
        const inbox = await mailbox(a!, await newAccount(a!));
        const blobId = await putMessage(a!);
        const messages = Array.from({ length: 1200 }, () => ({
          blobId,
          flags: [],
          internalDate: new Date(),
        }));
        const added = collectUids(b!, 'added', inbox.id, 1200);
        await a!.mail.append(inbox.id, messages);
        assert.deepEqual(
          await added,
          Array.from({ length: 1200 }, (_, i) => i + 1),
        );
        const expunged = collectUids(b!, 'expunged', inbox.id, 1200);
        await a!.mail.expunge(
          inbox.id,
          Array.from({ length: 1200 }, (_, i) => (i + 1) as Uid),
        );
        assert.equal((await expunged).length, 1200);
      }),
    );
  });

  describe('postgres: change feed reconnects', { timeout: 30_000 }, () => {
    test('changes committed while it catches up are delivered after the catch-up, in order', async () => {
      const schema = await db.newSchema();
      const store = await PostgresStore.open({ url: schema.url, poolSize: 2 });
      const mailboxId = 7 as MailboxId;
      const feed: PgChangeFeed = new PgChangeFeed({
        db: store.database,
        channel: 'posthorn_test_catch_up',
        reconnectDelayMs: () => 0,
        catchUp: async () => {
          // While the catch-up runs, this node commits the expunge of the message the catch-up reports.
          feed.publishLocal({ kind: 'expunged', mailboxId, uids: [4 as Uid], modSeq: 9 as ModSeq });
          return [{ kind: 'added', mailboxId, uids: [4 as Uid], modSeq: 8 as ModSeq }];
        },
      });
      try {
        await feed.start();
        const seen: MailboxChange[] = [];
        const both = new Promise<void>((resolve) =>
          feed.subscribe((change) => {
            seen.push(change);
            if (seen.length === 2) resolve();
          }),
        );
        await db.admin('SELECT pg_terminate_backend($1)', [feed.listenerPid]);
        await both;
        assert.deepEqual(
          seen.map((change) => change.kind),
          ['added', 'expunged'],
        );
      } finally {
        await feed.close();
        await store.close();
        await schema.drop();
      }
    });

    test('after its LISTEN connection is killed, a node catches up on what it missed, then listens again', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let reconnectStarted!: () => void;
      const started = new Promise<void>((resolve) => (reconnectStarted = resolve));
      const schema = await db.newSchema();
      const a = await PostgresStore.open({ url: schema.url, poolSize: 2 });
      const b = await PostgresStore.open({
        url: schema.url,
        poolSize: 2,
        feed: {
          reconnectDelayMs: () => 0,
          beforeReconnect: async () => {
            reconnectStarted();
            await gate;
          },
        },
      });
      try {
        const alice = await newAccount(a);
        const inbox = await mailbox(a, alice);
        await appendMessages(a, inbox.id, 3);
        // B's session "selects" the mailbox: the state it now holds is B's watermark.
        assert.equal((await b.mail.listMessages(inbox.id)).length, 3);
        const doomed = await mailbox(a, alice, 'Doomed');
        await b.mail.listMessages(doomed.id);

        const pid = b.changes.listenerPid!;
        await db.admin('SELECT pg_terminate_backend($1)', [pid]);
        await started;
        assert.equal(b.changes.listenerPid, null);

        // While B is deaf: a new message, a flag change, an expunge, a deleted mailbox.
        const seen: MailboxChange[] = [];
        b.changes.subscribe((change) => seen.push(change));
        const caughtUp = nextChange(b, (change) => change.kind === 'mailboxes');
        await appendMessages(a, inbox.id, 1);
        const flagged = await a.mail.updateFlags(inbox.id, [1 as Uid], { op: 'add', flags: ['\\Seen'] });
        const expunged = await a.mail.expunge(inbox.id, [2 as Uid]);
        await a.mail.deleteMailbox(alice.id, 'Doomed');
        assert.deepEqual(seen, [], 'nothing heard while disconnected');

        release();
        await b.changes.whenListening();
        await caughtUp;
        const highest = expunged.modSeq;
        assert.ok(flagged.updated[0]!.modSeq < highest);
        assert.deepEqual(seen, [
          { kind: 'expunged', mailboxId: inbox.id, uids: [2], modSeq: highest },
          { kind: 'added', mailboxId: inbox.id, uids: [4], modSeq: highest },
          { kind: 'flags', mailboxId: inbox.id, uids: [1], modSeq: highest },
          { kind: 'mailboxes', accountId: alice.id },
        ]);

        // Live again.
        const live = nextChange(b, (change) => change.kind === 'added' && change.uids[0] === 5);
        await appendMessages(a, inbox.id, 1);
        await live;
      } finally {
        release();
        await a.close();
        await b.close();
        await schema.drop();
      }
    });

    test('what another node committed while the LISTEN connection was down is caught up, even after own later changes', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let reconnectStarted!: () => void;
      const started = new Promise<void>((resolve) => (reconnectStarted = resolve));
      const schema = await db.newSchema();
      const a = await PostgresStore.open({ url: schema.url, poolSize: 2 });
      const b = await PostgresStore.open({
        url: schema.url,
        poolSize: 2,
        feed: {
          reconnectDelayMs: () => 0,
          beforeReconnect: async () => {
            reconnectStarted();
            await gate;
          },
        },
      });
      try {
        const alice = await newAccount(a);
        const inbox = await mailbox(a, alice);
        await appendMessages(a, inbox.id, 1);
        assert.equal((await b.mail.listMessages(inbox.id)).length, 1); // B's watermark: UID 1 seen
        await db.admin('SELECT pg_terminate_backend($1)', [b.changes.listenerPid]);
        await started;

        const seen: MailboxChange[] = [];
        b.changes.subscribe((change) => seen.push(change));
        // While B is deaf, A delivers UID 2; then B itself delivers UID 3 (B's own sessions hear of it).
        const [fromA] = await appendMessages(a, inbox.id, 1);
        const [fromB] = await appendMessages(b, inbox.id, 1);
        assert.deepEqual(
          seen.map((change) => change.kind === 'added' && change.uids),
          [[fromB!.uid]],
        );

        release();
        await b.changes.whenListening();
        // A live change after the catch-up: once it is heard, the catch-up's events are out.
        const marker = nextChange(b, (change) => change.kind === 'mailboxes');
        await a.mail.createMailbox(alice.id, 'Marker');
        await marker;
        const added = seen.flatMap((change) => (change.kind === 'added' ? change.uids : []));
        assert.ok(added.includes(fromA!.uid), `UID ${fromA!.uid} from node A never announced: ${added}`);
      } finally {
        release();
        await a.close();
        await b.close();
        await schema.drop();
      }
    });
  });
}
