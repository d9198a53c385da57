import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Zone } from '../../src/dns/static-resolver.ts';
import { FakeSmtpServer } from '../support/fake-smtp-server.ts';
import { dsnText, QueueHarness } from '../support/queue-harness.ts';

const ZONE: Zone = {
  'hamburger.edu': { mx: [{ exchange: 'mx.hamburger.edu', preference: 10 }] },
  'mx.hamburger.edu': { a: ['192.0.2.10'] },
  'frites.be': { mx: [{ exchange: 'mx.frites.be', preference: 10 }] },
  'mx.frites.be': { a: ['192.0.2.20'] },
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A latch the test opens; `reached` resolves when the server first waits on it. */
function latch() {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const arrived = new Promise<void>((r) => (reached = r));
  return { opened, arrived, open, reached };
}

describe('queue: scheduling', () => {
  test('no head-of-line blocking: a slow destination does not delay another', async () => {
    const gate = latch();
    const slow = await FakeSmtpServer.start({
      dataEnd: async () => {
        gate.reached();
        await gate.opened;
        return undefined;
      },
    });
    const fast = await FakeSmtpServer.start();
    open.push(slow, fast);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': slow.port, '192.0.2.20': fast.port },
      deps: { timeouts: { dataEndMs: 10_000 } },
    });
    open.push(h);
    for (let i = 0; i < 3; i++) await h.enqueue({ to: [`bob${i}@hamburger.edu`] });
    await h.enqueue({ to: ['jan@frites.be'] });
    h.queue.wake();
    await gate.arrived;
    await fast.waitForMessages(1);
    assert.equal(slow.messages.length, 0);
    gate.open();
    await h.queue.whenIdle();
    assert.equal(slow.messages.length, 3);
    assert.deepEqual(await h.store.queue.list(), []);
  });

  test('a destination with a full waiting line: its excess stays in the store unclaimed, others go on', async () => {
    const gate = latch();
    const slow = await FakeSmtpServer.start({
      dataEnd: async () => {
        gate.reached();
        await gate.opened;
        return undefined;
      },
    });
    const fast = await FakeSmtpServer.start();
    open.push(slow, fast);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': slow.port, '192.0.2.20': fast.port },
      deps: { timeouts: { dataEndMs: 10_000 }, waitingPerDestination: 2 },
    });
    open.push(h);
    const recorded: string[] = [];
    const recordAttempt = h.store.queue.recordAttempt.bind(h.store.queue);
    h.store.queue.recordAttempt = async (id, results, next, options) => {
      recorded.push(results.map((r) => r.state).join(','));
      return recordAttempt(id, results, next, options);
    };
    const slowIds = [];
    for (let i = 0; i < 6; i++) slowIds.push((await h.enqueue({ to: [`bob${i}@hamburger.edu`] })).id);
    await h.enqueue({ to: ['jan@frites.be'] });
    h.queue.wake();
    await gate.arrived;
    await fast.waitForMessages(1);
    // One in the session, at most two lines waiting: the last one was never claimed (no lease, no attempt).
    const last = (await h.entry(slowIds.at(-1)!))!;
    assert.equal(last.leaseOwner, null);
    assert.equal(last.attempts, 0);
    gate.open();
    await h.queue.whenIdle();
    assert.equal(slow.messages.length, 6);
    assert.deepEqual(await h.store.queue.list(), []);
    assert.deepEqual(recorded, Array(7).fill('delivered'), 'one record per message, nothing put back');
  });

  test('a smarthost ("*" route) with a full waiting line: mail for any domain stays in the store unclaimed', async () => {
    const gate = latch();
    const relay = await FakeSmtpServer.start({
      dataEnd: async () => {
        gate.reached();
        await gate.opened;
        return undefined;
      },
    });
    open.push(relay);
    const h = await QueueHarness.create({
      config: { routes: { '*': `127.0.0.1:${relay.port}` } },
      deps: { timeouts: { dataEndMs: 10_000 }, waitingPerDestination: 2 },
    });
    open.push(h);
    const recorded: string[] = [];
    const recordAttempt = h.store.queue.recordAttempt.bind(h.store.queue);
    h.store.queue.recordAttempt = async (id, results, next, options) => {
      recorded.push(results.map((r) => r.state).join(','));
      return recordAttempt(id, results, next, options);
    };
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push((await h.enqueue({ to: [`bob@d${i}.example`] })).id);
    h.queue.wake();
    await gate.arrived;
    const last = (await h.entry(ids.at(-1)!))!;
    assert.equal(last.leaseOwner, null);
    assert.equal(last.attempts, 0);
    gate.open();
    await h.queue.whenIdle();
    assert.equal(relay.messages.length, 8);
    assert.deepEqual(recorded, Array(8).fill('delivered'), 'one record per message, nothing put back');
  });

  test('a backlog for one destination longer than the worker holds does not delay another behind it', async () => {
    const gate = latch();
    const slow = await FakeSmtpServer.start({
      dataEnd: async () => {
        gate.reached();
        await gate.opened;
        return undefined;
      },
    });
    const fast = await FakeSmtpServer.start();
    open.push(slow, fast);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': slow.port, '192.0.2.20': fast.port },
      deps: { timeouts: { dataEndMs: 10_000 }, waitingPerDestination: 2, maxInFlight: 4 },
    });
    open.push(h);
    for (let i = 0; i < 20; i++) await h.enqueue({ to: [`bob${i}@hamburger.edu`] });
    await h.enqueue({ to: ['jan@frites.be'] });
    h.queue.wake();
    await gate.arrived;
    // Bounded, so waiting behind the slow backlog fails with a count rather than a test timeout.
    await Promise.race([fast.waitForMessages(1), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    assert.equal(fast.messages.length, 1, 'delivered while the slow destination holds its line');
    assert.equal(slow.messages.length, 0);
    gate.open();
    await h.queue.whenIdle();
    assert.equal(slow.messages.length, 20);
    assert.deepEqual(await h.store.queue.list(), []);
  });

  test('a bulk mailing to one domain with the default limits goes out in seconds, not behind backoffs', async () => {
    const sink = await FakeSmtpServer.start();
    open.push(sink);
    const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': sink.port } });
    open.push(h);
    const count = 300; // more than a claim (10 × concurrency) and than the waiting line (10 × per_destination)
    for (let i = 0; i < count; i++) await h.enqueue({ to: [`reader${i}@hamburger.edu`] });
    h.queue.wake();
    await h.queue.whenIdle();
    let simulated = 0;
    while ((await h.store.queue.list()).length > 0 && simulated < 120) {
      await h.advance(5);
      simulated += 5;
    }
    assert.deepEqual(await h.store.queue.list(), []);
    assert.deepEqual(
      h.bounces.map((b) =>
        dsnText(b)
          .split('\n')
          .find((l) => /Diagnostic|Status/.test(l)),
      ),
      [],
      'no message given up',
    );
    assert.ok(simulated < 120, `took ${simulated} simulated seconds`);
    // Bounded wait, so a lost message fails with a count rather than a test timeout.
    await Promise.race([sink.waitForMessages(count), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    assert.equal(sink.messages.length, count, 'every message reached the remote server');
  });

  test('global concurrency: with concurrency = 1 the second destination waits for the first', async () => {
    const gate = latch();
    const first = await FakeSmtpServer.start({
      dataEnd: async () => {
        gate.reached();
        await gate.opened;
        return undefined;
      },
    });
    const second = await FakeSmtpServer.start();
    open.push(first, second);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': first.port, '192.0.2.20': second.port },
      config: { queue: { concurrency: 1 } },
      deps: { timeouts: { dataEndMs: 10_000 } },
    });
    open.push(h);
    await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.enqueue({ to: ['jan@frites.be'] });
    h.queue.wake();
    await gate.arrived;
    assert.equal(second.sessions.length, 0);
    gate.open();
    await h.queue.whenIdle();
    assert.equal(second.messages.length, 1);
  });

  test('per-destination concurrency: sessions in parallel up to per_destination', async () => {
    const server = await FakeSmtpServer.start({
      dataEnd: async () => {
        await new Promise((r) => setImmediate(r));
        return undefined;
      },
    });
    open.push(server);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': server.port },
      config: { queue: { per_destination: 2, messages_per_connection: 1 } },
    });
    open.push(h);
    for (let i = 0; i < 6; i++) await h.enqueue({ to: [`r${i}@hamburger.edu`] });
    await h.run();
    assert.equal(server.messages.length, 6);
    assert.ok(server.maxOpen <= 2, `at most 2 sessions at once, saw ${server.maxOpen}`);
  });

  for (const { concurrency, expected } of [
    { concurrency: 20, expected: 4 },
    { concurrency: 2, expected: 2 },
  ]) {
    test(`a long line for one destination: up to per_destination sessions (4), within concurrency (${concurrency})`, async () => {
      // Every message waits until `expected` sessions are open (bounded, so too few fails with a count).
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const fallback = setTimeout(release, 3_000);
      const server: FakeSmtpServer = await FakeSmtpServer.start({
        dataEnd: async () => {
          if (server.open >= expected) release();
          await released;
          return undefined;
        },
      });
      open.push(server, { close: async () => clearTimeout(fallback) });
      const h = await QueueHarness.create({
        zone: ZONE,
        ports: { '192.0.2.10': server.port },
        config: { queue: { concurrency, per_destination: 4, messages_per_connection: 100 } },
      });
      open.push(h);
      const count = 40; // the default waiting line (10 × per_destination), 10 per session
      for (let i = 0; i < count; i++) await h.enqueue({ to: [`reader${i}@hamburger.edu`] });
      await h.run();
      assert.equal(server.messages.length, count);
      assert.equal(server.maxOpen, expected, `sessions open at once`);
      assert.equal(server.sessions.length, expected, 'each session carries several messages');
      assert.deepEqual(await h.store.queue.list(), []);
    });
  }

  test('a long line for an unreachable destination costs one connection attempt', async () => {
    const h = await QueueHarness.create({ zone: ZONE, ports: {} });
    open.push(h);
    for (let i = 0; i < 40; i++) await h.enqueue({ to: [`reader${i}@hamburger.edu`] });
    await h.run();
    assert.deepEqual(h.connects, ['192.0.2.10:25']);
    assert.equal((await h.store.queue.list()).length, 40);
  });

  test('a delivered message is recorded and removed in one store call', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': server.port } });
    open.push(h);
    const calls: string[] = [];
    for (const name of ['recordAttempt', 'remove', 'setDelayWarned'] as const) {
      const original = h.store.queue[name].bind(h.store.queue) as (...args: unknown[]) => Promise<unknown>;
      Object.assign(h.store.queue, {
        [name]: (...args: unknown[]) => {
          calls.push(name);
          return original(...args);
        },
      });
    }
    for (let i = 0; i < 3; i++) await h.enqueue({ to: [`r${i}@hamburger.edu`, `s${i}@hamburger.edu`] });
    await h.run();
    assert.equal(server.messages.length, 3);
    assert.deepEqual(calls, ['recordAttempt', 'recordAttempt', 'recordAttempt']);
    assert.deepEqual(await h.store.queue.list(), []);
  });

  test('the body of a delivered message is collected with its entry (past the grace period)', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': server.port } });
    open.push(h);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'], body: 'Subject: kept a while\r\n\r\nHi\r\n' });
    h.clock.advance(16 * 60_000); // past the stores' 15-minute grace for unreferenced blobs
    await h.run();
    assert.equal(server.messages.length, 1);
    assert.equal(await h.entry(entry.id), null);
    await assert.rejects(h.store.mail.getBlob(entry.blobId), 'the body went with the entry');
  });

  test('first come, first served: due entries go out in arrival order', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': server.port },
      config: { queue: { per_destination: 1 } },
    });
    open.push(h);
    for (let i = 0; i < 5; i++) {
      await h.enqueue({ to: [`r${i}@hamburger.edu`] });
      h.clock.advance(1000);
    }
    await h.run();
    assert.deepEqual(
      server.messages.map((m) => m.recipients[0]),
      ['r0', 'r1', 'r2', 'r3', 'r4'].map((r) => `${r}@hamburger.edu`),
    );
  });
});

describe('queue: crashes and restarts', () => {
  test('an entry claimed by a killed worker is left alone until its lease expires, then resumed', async () => {
    const server = await FakeSmtpServer.start({
      rcpt: (to) => (to.startsWith('carol') ? '450 4.2.1 busy' : undefined),
    });
    open.push(server);
    const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': server.port } });
    open.push(h);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu', 'carol@hamburger.edu'] });
    await h.run(); // bob delivered, carol pending
    server.script = {};
    h.clock.advance(300_000);
    // Another process claims it and is killed before recording anything.
    const now = h.clock.now();
    const claimed = await h.store.queue.claimDue(now, 10, 'dead-worker', new Date(now.getTime() + 900_000));
    assert.deepEqual(
      claimed.map((e) => e.id),
      [entry.id],
    );
    await h.run();
    assert.equal(server.messages.length, 1, 'leased elsewhere: not touched');
    await h.advance(900); // lease expired
    assert.equal(server.messages.length, 2);
    assert.deepEqual(server.messages[1]!.recipients, ['carol@hamburger.edu']);
    assert.equal(await h.entry(entry.id), null);
  });

  test('a worker renews the leases of what it holds: a long wait never lets another claimer in', async () => {
    const gate = latch();
    const server = await FakeSmtpServer.start({
      dataEnd: async () => {
        gate.reached();
        await gate.opened;
        return undefined;
      },
    });
    open.push(server);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': server.port },
      config: { queue: { lease_s: 10, per_destination: 1, messages_per_connection: 1 } },
      deps: { timeouts: { dataEndMs: 10_000 }, leaseRenewMs: 20 },
    });
    open.push(h);
    const first = await h.enqueue({ to: ['bob@hamburger.edu'] });
    const second = await h.enqueue({ to: ['carol@hamburger.edu'] }); // waits in line behind the first
    h.queue.wake();
    await gate.arrived;
    h.clock.advance(60_000); // six leases long
    const renewed = async () =>
      (await h.store.queue.list()).every((e) => e.leaseUntil!.getTime() > h.clock.now().getTime());
    const deadline = Date.now() + 5_000;
    while (!(await renewed())) {
      assert.ok(Date.now() < deadline, 'leases renewed within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const now = h.clock.now();
    assert.deepEqual(
      await h.store.queue.claimDue(now, 10, 'other-node', new Date(now.getTime() + 10_000)),
      [],
    );
    gate.open();
    await h.queue.whenIdle();
    assert.deepEqual(
      server.messages.map((m) => m.recipients),
      [['bob@hamburger.edu'], ['carol@hamburger.edu']],
    );
    assert.deepEqual(await h.store.queue.list(), []);
    assert.equal(await h.entry(first.id), null);
    assert.equal(await h.entry(second.id), null);
  });

  test('a finished entry left in the queue (recorded, not removed): the next look removes it', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': server.port } });
    open.push(h);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    // As an older version left it between its two commits: results recorded, entry not removed. The worker's
    // own wake afterwards would remove it at once; stop it from looking again.
    const recordAttempt = h.store.queue.recordAttempt.bind(h.store.queue);
    const claimDue = h.store.queue.claimDue.bind(h.store.queue);
    h.store.queue.recordAttempt = async (id, results, next) => {
      h.store.queue.claimDue = async () => [];
      return recordAttempt(id, results, next);
    };
    await h.run();
    assert.equal(server.messages.length, 1);
    const left = (await h.entry(entry.id))!;
    assert.deepEqual(
      left.recipients.map((r) => r.state),
      ['delivered'],
    );
    assert.ok(left.nextAttemptAt.getTime() <= h.clock.now().getTime(), 'due at once, not after a backoff');
    h.store.queue.recordAttempt = recordAttempt;
    h.store.queue.claimDue = claimDue;
    await h.run();
    assert.equal(await h.entry(entry.id), null);
    assert.equal(server.messages.length, 1, 'not sent again');
  });

  test('attempts ending without a result max_crashes times: held; released, it is delivered', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': server.port },
      config: { queue: { max_crashes: 2, lease_s: 60 } },
    });
    open.push(h);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    for (let i = 0; i < 2; i++) {
      const now = h.clock.now();
      await h.store.queue.claimDue(now, 10, `crashing-${i}`, new Date(now.getTime() + 60_000));
      h.clock.advance(60_000);
    }
    await h.run();
    assert.equal(server.sessions.length, 0);
    let e = (await h.entry(entry.id))!;
    assert.equal(e.held, true);
    assert.equal(e.leaseOwner, null);
    assert.match(e.lastError!, /held: 2 attempts ended without a result/);
    await h.advance(3600);
    assert.equal(server.sessions.length, 0, 'held entries are not tried');

    await h.store.queue.setHeld(entry.id, false);
    await h.run();
    assert.equal(server.messages.length, 1);
    e = (await h.entry(entry.id))!;
    assert.equal(e, null);
  });

  test('stop(): waiting jobs are recorded as interrupted, running sessions get a grace period', async () => {
    const gate = latch();
    const server = await FakeSmtpServer.start({
      dataEnd: async () => {
        gate.reached();
        await gate.opened;
        return undefined;
      },
    });
    open.push(server);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': server.port },
      config: { queue: { per_destination: 1, messages_per_connection: 1 } },
      deps: { timeouts: { dataEndMs: 10_000 }, stopGraceMs: 50 },
    });
    open.push(h);
    const a = await h.enqueue({ to: ['a@hamburger.edu'] });
    const b = await h.enqueue({ to: ['b@hamburger.edu'] });
    h.queue.wake();
    await gate.arrived;
    await h.queue.stop();
    gate.open();
    for (const id of [a.id, b.id]) {
      const e = (await h.entry(id))!;
      assert.equal(e.leaseOwner, null, `${id} lease released`);
      assert.equal(e.recipients[0]!.state, 'pending');
      assert.equal(e.recipients[0]!.attempts, 1, 'the interrupted attempt was recorded');
    }
    assert.match((await h.entry(b.id))!.lastError!, /interrupted/);
  });
});
