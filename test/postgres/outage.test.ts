// PostgreSQL goes away under a running node and comes back (a TCP proxy cuts every connection and refuses
// new ones): SMTP clients get 451 4.3.0 and IMAP clients NO [UNAVAILABLE], nothing acknowledged is lost, and
// the same node serves again once the database is back, without a restart; its IDLE sessions then hear about
// mail another node delivered meanwhile. Skips when no PostgreSQL server answers.

import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import type { RunningApp } from '../../src/app/app.ts';
import { PostgresStore } from '../../src/storage/postgres/store.ts';
import { nodeAddresses, startTestNode } from '../support/node-process.ts';
import { postgresForTests } from '../support/postgres.ts';
import { ImapLineClient, sendMail } from './support/line-clients.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const postgres = await postgresForTests();
const PASSWORD = 'correct horse battery staple';
const BOB = 'bob@hamburger.edu';
const UNAVAILABLE = /^NO \[UNAVAILABLE\] /;
const TEMPFAIL = /^451 4\.3\.0 /;

function message(id: string): string {
  return `From: alice@elsewhere.example\nTo: ${BOB}\nMessage-ID: <${id}>\nSubject: ${id}\n\nbody of ${id}\n`;
}

/** Message-IDs in Bob's INBOX, in UID order. */
async function inboxIds(store: PostgresStore): Promise<string[]> {
  const bob = (await store.accounts.getAccount(BOB))!;
  const inbox = (await store.mail.getMailbox(bob.id, 'INBOX'))!;
  const ids: string[] = [];
  for (const m of await store.mail.listMessages(inbox.id)) {
    const text = (await store.mail.getBlobBytes(m.blobId)).toString('utf8');
    ids.push(/^Message-ID: <([^>]+)>/m.exec(text)![1]!);
  }
  return ids;
}

/** Counts events and resolves waiters once a count is reached (no polling, no sleeps). */
class Tally extends EventEmitter {
  readonly counts = new Map<string, number>();
  add(name: string): void {
    this.counts.set(name, this.get(name) + 1);
    this.emit('change');
  }
  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }
  async reach(name: string, count: number): Promise<void> {
    while (this.get(name) < count) await once(this, 'change');
  }
}

if (!postgres.available) {
  test('PostgreSQL outage under running nodes', { skip: postgres.reason }, () => {});
} else {
  const { db } = postgres;
  after(() => db.drop());

  interface Setup {
    proxy: TcpProxy;
    store: PostgresStore;
    /** A node whose every database connection goes through the proxy. */
    behind: RunningApp;
    /** A node connected to PostgreSQL directly. */
    direct: RunningApp;
  }

  const withNodes = (body: (setup: Setup, t: TestContext) => Promise<void>) => async (t: TestContext) => {
    const schema = await db.newSchema();
    const proxy = await TcpProxy.start(schema.url);
    const store = await PostgresStore.open({ url: schema.url, poolSize: 4 });
    const dirs: string[] = [];
    const apps: RunningApp[] = [];
    const start = async (name: string, storageUrl: string) => {
      const dataDir = await mkdtemp(join(tmpdir(), `posthorn-${name}-`));
      dirs.push(dataDir);
      const app = await startTestNode(
        { hostname: `${name}.hamburger.edu`, dataDir, storageUrl },
        { pollIntervalMs: 200, owner: name },
      );
      apps.push(app);
      return app;
    };
    try {
      const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2 });
      await accounts.addDomain('hamburger.edu');
      await accounts.createAccount(BOB, PASSWORD);
      const behind = await start('behind', proxy.via(schema.url));
      const direct = await start('direct', schema.url);
      await body({ proxy, store, behind, direct }, t);
    } finally {
      await proxy.up();
      for (const app of apps) await app.stop();
      await proxy.down();
      await store.close();
      await schema.drop();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    }
  };

  async function login(app: RunningApp): Promise<ImapLineClient> {
    const client = await ImapLineClient.connect(nodeAddresses(app).imap[0]!.port);
    assert.match(await client.status(`LOGIN ${BOB} "${PASSWORD}"`), /^OK/);
    assert.match(await client.status('SELECT INBOX'), /^OK/);
    return client;
  }

  describe('PostgreSQL goes away under a running node and comes back', { timeout: 60_000 }, () => {
    test(
      'SMTP answers 451 4.3.0 and IMAP NO [UNAVAILABLE] meanwhile; afterwards the same sessions work again',
      withNodes(async ({ proxy, store, behind, direct }) => {
        const smtpPort = nodeAddresses(behind).smtp[0]!.port;
        const idle = await login(behind);
        const reader = await login(behind);
        try {
          const idling = await idle.idle();
          assert.match(
            (await sendMail(smtpPort, 'alice@elsewhere.example', BOB, message('m1@x'))).reply,
            /^250 /,
          );
          assert.equal(await idle.waitFor(/^\* \d+ EXISTS$/), '* 1 EXISTS');
          assert.ok((await reader.command('NOOP')).includes('* 1 EXISTS'));

          await proxy.down();
          const refused = await sendMail(smtpPort, 'alice@elsewhere.example', BOB, message('m2@x'));
          assert.match(refused.reply, TEMPFAIL);
          assert.match(await reader.status('UID FETCH 1 BODY.PEEK[]'), UNAVAILABLE);
          assert.match(await reader.status('STATUS INBOX (MESSAGES UIDNEXT)'), UNAVAILABLE);
          const newcomer = await ImapLineClient.connect(nodeAddresses(behind).imap[0]!.port);
          assert.match(await newcomer.status(`LOGIN ${BOB} "${PASSWORD}"`), UNAVAILABLE);
          // Another node, with its own connections, goes on delivering.
          const directPort = nodeAddresses(direct).smtp[0]!.port;
          assert.match(
            (await sendMail(directPort, 'carol@elsewhere.example', BOB, message('m3@x'))).reply,
            /^250 /,
          );

          await proxy.up();
          // The sender tries again (SMTP's own retry), on the same node, which was never restarted.
          assert.match(
            (await sendMail(smtpPort, 'alice@elsewhere.example', BOB, message('m2@x'))).reply,
            /^250 /,
          );
          const fetched = await reader.command('UID FETCH 1 BODY.PEEK[]');
          assert.match(fetched.at(-1)!, /^OK/);
          assert.match(fetched.join('\n'), /body of m1@x/);
          assert.match(await reader.status('STATUS INBOX (MESSAGES)'), /^OK/);
          assert.match(await newcomer.status(`LOGIN ${BOB} "${PASSWORD}"`), /^OK/);
          newcomer.close();
          // The IDLE session hears of both: m2 from its own node, m3 from the other one (after the LISTEN
          // connection is back and has caught up).
          assert.equal(await idle.waitFor(/^\* 3 EXISTS$/, 20_000), '* 3 EXISTS');
          assert.match(await idle.done(idling), /^OK/);
          assert.deepEqual((await inboxIds(store)).sort(), ['m1@x', 'm2@x', 'm3@x']);
        } finally {
          idle.close();
          reader.close();
        }
      }),
    );

    test(
      'an outage in the middle of steady SMTP and IMAP traffic loses no acknowledged message',
      withNodes(async ({ proxy, store, behind }, t) => {
        const smtpPort = nodeAddresses(behind).smtp[0]!.port;
        const tally = new Tally();
        const smtpReplies = new Map<string, number>();
        const imapReplies = new Map<string, number>();
        const attempted = new Set<string>();
        const accepted = new Set<string>();
        const retried = new Set<string>();
        let stopping = false;
        let phase: 'before' | 'down' | 'after' = 'before';

        // Senders that, like any MTA, keep a message and try again after a temporary failure.
        const sender = async (lane: number) => {
          for (let n = 0; !stopping; n++) {
            const id = `lane${lane}-${n}@x`;
            attempted.add(id);
            for (;;) {
              const { reply, accepted: ok } = await sendMail(
                smtpPort,
                'alice@elsewhere.example',
                BOB,
                message(id),
              );
              const kind = ok ? '250' : TEMPFAIL.test(reply) ? '451 4.3.0' : reply;
              smtpReplies.set(kind, (smtpReplies.get(kind) ?? 0) + 1);
              if (ok) {
                accepted.add(id);
                tally.add(`accepted ${phase}`);
                break;
              }
              retried.add(id);
              tally.add(`refused ${phase}`);
              if (stopping) return;
              await new Promise((resolve) => setTimeout(resolve, 20)); // the sender's retry delay
            }
          }
        };
        const reader = await login(behind);
        const imapLoop = async () => {
          while (!stopping) {
            const reply = await reader.status('STATUS INBOX (MESSAGES UIDNEXT)');
            const kind = reply.startsWith('OK') ? 'OK' : UNAVAILABLE.test(reply) ? 'NO [UNAVAILABLE]' : reply;
            imapReplies.set(kind, (imapReplies.get(kind) ?? 0) + 1);
            tally.add(`imap ${kind} ${phase}`);
            if (kind !== 'OK') await new Promise((resolve) => setTimeout(resolve, 20));
          }
        };
        const traffic = Promise.all([sender(1), sender(2), sender(3), imapLoop()]);
        try {
          await tally.reach('accepted before', 10);
          phase = 'down';
          await proxy.down();
          await tally.reach('refused down', 6);
          await tally.reach('imap NO [UNAVAILABLE] down', 2);
          phase = 'after';
          await proxy.up();
          await tally.reach('accepted after', 10);
          await tally.reach('imap OK after', 2);
        } finally {
          stopping = true;
          await traffic;
          reader.close();
        }

        const stored = await inboxIds(store);
        const copies = new Map<string, number>();
        for (const id of stored) copies.set(id, (copies.get(id) ?? 0) + 1);
        const duplicates = [...copies].filter(([, n]) => n > 1).map(([id]) => id);
        t.diagnostic(
          `SMTP replies ${JSON.stringify(Object.fromEntries(smtpReplies))}; IMAP ${JSON.stringify(Object.fromEntries(imapReplies))}; ` +
            `${accepted.size} acknowledged, ${stored.length} stored, ${duplicates.length} duplicate(s)`,
        );
        // Only the two answers the design allows: accepted, or try again later.
        assert.deepEqual([...smtpReplies.keys()].sort(), ['250', '451 4.3.0']);
        assert.deepEqual([...imapReplies.keys()].sort(), ['NO [UNAVAILABLE]', 'OK']);
        for (const id of accepted) assert.ok(copies.has(id), `acknowledged ${id} is lost`);
        for (const id of copies.keys()) assert.ok(attempted.has(id), `${id} was never sent`);
        // A second copy only where the first attempt's outcome was unknown (lost during COMMIT, 451).
        for (const id of duplicates) assert.ok(retried.has(id), `${id} stored twice without a 451`);
        for (const id of stored) if (!accepted.has(id)) assert.ok(retried.has(id));
      }),
    );
  });
}
