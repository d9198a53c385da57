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

  test('a destination with too many waiting jobs: the excess is deferred at once, others go on', async () => {
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
    const slowIds = [];
    for (let i = 0; i < 5; i++) slowIds.push((await h.enqueue({ to: [`bob${i}@hamburger.edu`] })).id);
    await h.enqueue({ to: ['jan@frites.be'] });
    h.queue.wake();
    await gate.arrived;
    await fast.waitForMessages(1);
    gate.open();
    await h.queue.whenIdle();
    assert.equal(slow.messages.length, 2);
    const deferred = (await h.store.queue.list()).map((e) => [e.id, e.lastError?.slice(0, 5)]);
    assert.deepEqual(
      deferred,
      slowIds.slice(2).map((id) => [id, '4.4.5']),
    );
    // Put back, not deferred: no attempt counted, due again in seconds rather than after the 300 s backoff.
    for (const entry of await h.store.queue.list()) {
      assert.equal(entry.recipients[0]!.attempts, entry.attempts, 'a put-back is not counted as a crash');
    }
    await h.advance(5); // three due: two taken, one put back again
    assert.equal(slow.messages.length, 4);
    await h.advance(5);
    assert.equal(slow.messages.length, 5);
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

  test('a crash between recording the last result and removing the entry: the next look removes it', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': server.port } });
    open.push(h);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    // The worker's own wake after the failure would remove it at once; stop it from looking again.
    const remove = h.store.queue.remove.bind(h.store.queue);
    const claimDue = h.store.queue.claimDue.bind(h.store.queue);
    h.store.queue.remove = async () => {
      h.store.queue.claimDue = async () => [];
      throw new Error('process died before the remove');
    };
    await h.run();
    assert.equal(server.messages.length, 1);
    const left = (await h.entry(entry.id))!;
    assert.deepEqual(
      left.recipients.map((r) => r.state),
      ['delivered'],
    );
    assert.ok(left.nextAttemptAt.getTime() <= h.clock.now().getTime(), 'due at once, not after a backoff');
    h.store.queue.remove = remove;
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
