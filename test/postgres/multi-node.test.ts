// Whole Posthorn nodes (startApp: queue worker, SMTP, IMAP) sharing one PostgreSQL schema: mail accepted by
// one node's SMTP is announced to an IDLE session on another; 1,000 queued messages go out exactly once
// while two queue workers share the queue; a node SIGKILLed while it holds leases loses nothing, and its
// messages are delivered by the other node once the leases run out. Skips when no PostgreSQL answers.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import type { RunningApp } from '../../src/app/app.ts';
import { createLogger } from '../../src/log/logger.ts';
import { parseMessage } from '../../src/message/parse.ts';
import type { Store } from '../../src/storage/ports.ts';
import { PostgresStore } from '../../src/storage/postgres/store.ts';
import { FakeSmtpServer, type ReceivedMessage } from '../support/fake-smtp-server.ts';
import {
  nodeAddresses,
  nodeQueue,
  startNodeProcess,
  startTestNode,
  type NodeProcess,
  type TestNodeSettings,
} from '../support/node-process.ts';
import { postgresForTests, type TestSchema } from '../support/postgres.ts';
import { ImapLineClient, sendMail } from './support/line-clients.ts';

const postgres = await postgresForTests();
const PASSWORD = 'correct horse battery staple';
const REMOTE = 'remote.example';
const POLL_MS = 200;
// Room for a whole claimed batch (10 × concurrency) among a destination's waiting jobs (10 × per_destination):
// with the defaults, jobs past 40 for one destination are deferred at once with the full retry delay.
const BULK = { per_destination: 20, messages_per_connection: 50 };

/** Enqueues `count` messages for a remote recipient, one entry each; returns queue id → Message-ID. */
async function enqueueMany(store: Store, count: number, tag: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const one = async (i: number) => {
    const messageId = `${tag}-${i}@crepes.fr`;
    const bytes = Buffer.from(
      `From: alice@crepes.fr\r\nTo: r${i}@${REMOTE}\r\nMessage-ID: <${messageId}>\r\nSubject: ${tag} ${i}\r\n\r\nbody ${i}\r\n`,
    );
    const blobId = await store.mail.putBlob(bytes, parseMessage(bytes));
    const entry = await store.queue.enqueue({
      blobId,
      sender: 'alice@crepes.fr',
      recipients: [{ address: `r${i}@${REMOTE}`, orcpt: null, notify: [] }],
      size: bytes.length,
      envId: null,
      ret: null,
      smtputf8: false,
      eightBit: false,
      nextAttemptAt: new Date(),
    });
    ids.set(entry.id, messageId);
  };
  const lanes = 8;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = lane; i < count; i += lanes) await one(i);
    }),
  );
  return ids;
}

function messageIdOf(message: ReceivedMessage): string {
  const match = /^Message-ID: <([^>]+)>/im.exec(message.data.toString('utf8'));
  assert.ok(match, 'a received message without Message-ID');
  return match[1]!;
}

/** Log records of the in-process nodes (info and up, not the per-message "sent" lines), shown when a test fails. */
const nodeLog: string[] = [];
const nodeLogger = () =>
  createLogger({
    level: 'info',
    format: 'json',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        const line = chunk.toString().trim();
        if (!line.includes('"status":"sent"')) nodeLog.push(line);
        if (nodeLog.length > 200) nodeLog.shift();
        done();
      },
    }),
  });

/** Waits (on the store) until the queue is empty; the workers run on their own clocks. */
async function queueDrained(store: Store, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await store.queue.list();
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      const sample = left.slice(0, 5).map((e) => ({
        id: e.id,
        attempts: e.attempts,
        leaseOwner: e.leaseOwner,
        leaseUntil: e.leaseUntil,
        nextAttemptAt: e.nextAttemptAt,
        held: e.held,
        lastError: e.lastError,
        recipients: e.recipients.map((r) => `${r.state}/${r.attempts}`),
      }));
      throw new Error(
        `queue not empty after ${timeoutMs} ms: ${left.length} left, e.g. ${JSON.stringify(sample, null, 1)}\n` +
          `last log records of the in-process nodes:\n${nodeLog.slice(-40).join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

if (!postgres.available) {
  test('several Posthorn nodes on one PostgreSQL store', { skip: postgres.reason }, () => {});
} else {
  const { db } = postgres;
  after(() => db.drop());

  interface Cluster {
    schema: TestSchema;
    /** A store of the test's own, for set-up and checks. */
    store: PostgresStore;
    settings(name: string, extra?: Partial<TestNodeSettings>): Promise<TestNodeSettings>;
    /** Started in this process; stopped at the end. */
    start(name: string, extra?: Partial<TestNodeSettings>): Promise<RunningApp>;
    /** Started as a child process; killed at the end if still running. */
    spawn(name: string, extra?: Partial<TestNodeSettings>): Promise<NodeProcess>;
  }

  const withCluster =
    (body: (cluster: Cluster, t: TestContext) => Promise<void>) => async (t: TestContext) => {
      const schema = await db.newSchema();
      const store = await PostgresStore.open({ url: schema.url, poolSize: 10 });
      const apps: RunningApp[] = [];
      const processes: NodeProcess[] = [];
      const dirs: string[] = [];
      const cluster: Cluster = {
        schema,
        store,
        async settings(name, extra = {}) {
          const dataDir = await mkdtemp(join(tmpdir(), `posthorn-${name}-`));
          dirs.push(dataDir);
          return { hostname: `${name}.crepes.fr`, dataDir, storageUrl: schema.url, ...extra };
        },
        async start(name, extra) {
          const app = await startTestNode(
            await cluster.settings(name, extra),
            { pollIntervalMs: POLL_MS, owner: name },
            nodeLogger(),
          );
          apps.push(app);
          return app;
        },
        async spawn(name, extra) {
          const node = await startNodeProcess(await cluster.settings(name, extra), {
            pollIntervalMs: POLL_MS,
            owner: name,
          });
          processes.push(node);
          return node;
        },
      };
      try {
        const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2 });
        await accounts.addDomain('crepes.fr');
        await accounts.addDomain('hamburger.edu');
        await accounts.createAccount('bob@hamburger.edu', PASSWORD);
        await body(cluster, t);
      } finally {
        for (const node of processes) {
          if (node.child.exitCode === null && node.child.signalCode === null) {
            node.child.kill('SIGTERM');
            await node.exited;
          }
        }
        for (const app of apps) await app.stop();
        await store.close();
        await schema.drop();
        for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      }
    };

  describe('several Posthorn nodes on one PostgreSQL store', { timeout: 120_000 }, () => {
    test(
      'mail accepted by node A’s SMTP is announced at once to an IDLE session on node B',
      withCluster(async (cluster) => {
        const a = await cluster.start('node-a');
        const b = await cluster.start('node-b');
        const imap = await ImapLineClient.connect(nodeAddresses(b).imap[0]!.port);
        try {
          assert.match(await imap.status(`LOGIN bob@hamburger.edu "${PASSWORD}"`), /^OK/);
          const selected = await imap.command('SELECT INBOX');
          assert.ok(selected.includes('* 0 EXISTS'), selected.join('\n'));
          const idling = await imap.idle();

          const sent = await sendMail(
            nodeAddresses(a).smtp[0]!.port,
            'alice@elsewhere.example',
            'bob@hamburger.edu',
            'From: alice@elsewhere.example\nMessage-ID: <across@elsewhere.example>\nSubject: via A\n\nhello B\n',
          );
          assert.match(sent.reply, /^250 2\.0\.0 /);
          assert.equal(await imap.waitFor(/^\* \d+ EXISTS$/), '* 1 EXISTS');
          assert.match(await imap.done(idling), /^OK/);
          const fetched = await imap.command('UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)])');
          assert.match(fetched.join('\n'), /Message-ID: <across@elsewhere\.example>\r?\n?.*Subject: via A/s);
        } finally {
          imap.close();
        }
      }),
    );

    test(
      '1,000 queued messages are delivered exactly once while both nodes run their queue workers',
      withCluster(async (cluster, t) => {
        const remote = await FakeSmtpServer.start();
        try {
          const settings = { routes: { [REMOTE]: remote.address }, queue: BULK };
          const queued = await enqueueMany(cluster.store, 1000, 'bulk');
          const started = performance.now();
          const [a, b] = await Promise.all([
            cluster.start('node-a', settings),
            cluster.start('node-b', settings),
          ]);
          await remote.waitForMessages(1000);
          await Promise.all([nodeQueue(a).whenIdle(), nodeQueue(b).whenIdle()]);
          await queueDrained(cluster.store, 30_000);
          const seconds = (performance.now() - started) / 1000;

          const copies = new Map<string, number>();
          const byNode = new Map<string, number>();
          for (const message of remote.messages) {
            const id = messageIdOf(message);
            copies.set(id, (copies.get(id) ?? 0) + 1);
            const node = remote.sessions[message.session]!.ehlo ?? '?';
            byNode.set(node, (byNode.get(node) ?? 0) + 1);
          }
          t.diagnostic(
            `1000 messages in ${seconds.toFixed(1)} s; by node: ${JSON.stringify(Object.fromEntries(byNode))}`,
          );
          assert.equal(remote.messages.length, 1000);
          assert.deepEqual([...copies.keys()].sort(), [...queued.values()].sort());
          assert.deepEqual(
            [...copies.values()].filter((n) => n !== 1),
            [],
          );
          assert.ok((byNode.get('node-a.crepes.fr') ?? 0) > 0, 'node A delivered some');
          assert.ok((byNode.get('node-b.crepes.fr') ?? 0) > 0, 'node B delivered some');
        } finally {
          await remote.close();
        }
      }),
    );

    test(
      'a node SIGKILLed while it holds leases loses nothing: the other node delivers the rest after the lease',
      withCluster(async (cluster, t) => {
        const COUNT = 300;
        const KILL_AFTER = 40;
        let nodeA: NodeProcess | undefined;
        let fromA = 0;
        const receivedAt = new Map<ReceivedMessage, number>();
        let aStarted!: () => void;
        const aDelivering = new Promise<void>((resolve) => (aStarted = resolve));
        let killed!: () => void;
        const aKilled = new Promise<void>((resolve) => (killed = resolve));
        // A slow remote, so that node A is in the middle of its batch when it dies; it dies in the instant
        // its 40th message is accepted, before it can hear the 250.
        const remote = await FakeSmtpServer.start({
          dataEnd: async (message, session) => {
            receivedAt.set(message, Date.now());
            if (session.ehlo === 'node-a.crepes.fr') {
              fromA++;
              if (fromA === 1) aStarted();
              if (fromA === KILL_AFTER) {
                nodeA!.child.kill('SIGKILL');
                killed();
              }
            }
            await new Promise((resolve) => setTimeout(resolve, 5));
            return undefined;
          },
        });
        try {
          const settings = { routes: { [REMOTE]: remote.address }, leaseS: 10, queue: BULK };
          const queued = await enqueueMany(cluster.store, COUNT, 'crash');
          // Node A (a child process) claims its batch first; then node B joins and takes what is left.
          nodeA = await cluster.spawn('node-a', settings);
          await aDelivering;
          const b = await cluster.start('node-b', settings);
          await aKilled;
          assert.equal((await nodeA.exited).signal, 'SIGKILL');
          const killedAt = Date.now();
          // What node A held when it died: entries still leased to it (node B cannot take them yet).
          const leasedByA = new Map(
            (await cluster.store.queue.list())
              .filter((e) => e.leaseOwner === 'node-a')
              .map((e) => [queued.get(e.id)!, e.leaseUntil!.getTime()]),
          );
          assert.ok(leasedByA.size > 0, 'node A died holding leases');

          await queueDrained(cluster.store, 60_000);
          await nodeQueue(b).whenIdle();

          const copies = new Map<string, ReceivedMessage[]>();
          for (const message of remote.messages) {
            const id = messageIdOf(message);
            copies.set(id, [...(copies.get(id) ?? []), message]);
          }
          const ehlo = (m: ReceivedMessage) => remote.sessions[m.session]!.ehlo;
          assert.deepEqual([...copies.keys()].sort(), [...queued.values()].sort(), 'every message arrived');
          const duplicates = [...copies].filter(([, received]) => received.length > 1);
          t.diagnostic(
            `the remote accepted ${fromA} messages from node A (SIGKILL at the ${KILL_AFTER}th), which died holding ${leasedByA.size} leases; ` +
              `${duplicates.length} duplicate(s); queue empty ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
          );
          // Duplicates only in the unavoidable window: accepted by the remote from node A, whose result
          // node A never recorded (the entry was still leased to it), then sent again by node B.
          for (const [id, received] of duplicates) {
            assert.ok(leasedByA.has(id), `${id} duplicated but not held by node A at its death`);
            assert.deepEqual(received.map(ehlo), ['node-a.crepes.fr', 'node-b.crepes.fr']);
          }
          assert.ok(duplicates.length >= 1, 'the message whose 250 node A never heard is sent again');
          // Node B took over node A's entries only once their leases had run out.
          for (const message of remote.messages) {
            const leaseUntil = leasedByA.get(messageIdOf(message));
            if (leaseUntil === undefined) continue;
            assert.equal(ehlo(message) === 'node-b.crepes.fr' || receivedAt.get(message)! < killedAt, true);
            if (ehlo(message) === 'node-b.crepes.fr') assert.ok(receivedAt.get(message)! >= leaseUntil);
          }
        } finally {
          await remote.close();
        }
      }),
    );
  });
}
