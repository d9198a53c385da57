import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Zone } from '../../src/dns/static-resolver.ts';
import { FakeSmtpServer, type FakeSmtpScript } from '../support/fake-smtp-server.ts';
import { dsnText, QueueHarness, type HarnessOptions } from '../support/queue-harness.ts';

const ZONE: Zone = {
  'hamburger.edu': { mx: [{ exchange: 'mx.hamburger.edu', preference: 10 }] },
  'mx.hamburger.edu': { a: ['192.0.2.10'] },
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(script: FakeSmtpScript = {}, options: HarnessOptions = {}) {
  const server = await FakeSmtpServer.start(script);
  open.push(server);
  const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': server.port }, ...options });
  open.push(h);
  return { server, h };
}

const RCPTS = ['bob@hamburger.edu', 'carol@hamburger.edu'];

/** Runs the first attempt with `failing`, checks it was deferred, then succeeds 5 minutes later. */
async function failThenSucceed(failing: FakeSmtpScript, expectError: RegExp) {
  const { server, h } = await setup(failing);
  const entry = await h.enqueue({ to: RCPTS });
  const t0 = h.clock.now().getTime();
  await h.run();
  assert.equal(server.messages.length, 0);
  const e = (await h.entry(entry.id))!;
  assert.deepEqual(
    e.recipients.map((r) => r.state),
    ['pending', 'pending'],
  );
  assert.match(e.lastError ?? '', expectError);
  assert.equal(e.attempts, 1);
  assert.equal(e.nextAttemptAt.getTime(), t0 + 300_000); // min_backoff_s
  assert.equal(e.leaseOwner, null);

  const sessionsBefore = server.sessions.length;
  await h.advance(299); // not due yet
  assert.equal(server.sessions.length, sessionsBefore);
  assert.equal((await h.entry(entry.id))!.attempts, 1);

  server.script = {};
  await h.advance(1);
  assert.equal(server.sessions.length, sessionsBefore + 1);
  assert.deepEqual(server.messages[0]!.recipients, RCPTS);
  assert.equal(await h.entry(entry.id), null);
  assert.deepEqual(h.bounces, []);
}

describe('queue: temporary failures are retried', () => {
  test('4xx greeting', () =>
    failThenSucceed({ greeting: '421 4.3.2 busy, come back later' }, /^4\.3\.2 .*421 4\.3\.2 busy/));
  test('4xx to MAIL', () =>
    failThenSucceed({ mail: () => '451 4.3.0 try later' }, /^4\.3\.0 .*in reply to MAIL FROM/));
  test('4xx after the final dot', () =>
    failThenSucceed({ dataEnd: () => '452 4.3.1 queue full' }, /^4\.3\.1 .*in reply to end of data/));
  test('connection dropped after the dot', () =>
    failThenSucceed({ dataEnd: () => 'drop' }, /^4\.4\.2 .*closed/));
  test('connection refused', async () => {
    const { h } = await setup();
    delete h.ports['192.0.2.10'];
    const entry = await h.enqueue({ to: RCPTS });
    await h.run();
    assert.match((await h.entry(entry.id))!.lastError!, /^4\.4\.1 connect to 192\.0\.2\.10:25 failed/);
  });

  for (const [phase, script] of [
    ['greeting', { greeting: 'hang' }],
    ['EHLO', { ehlo: 'hang' }],
    ['MAIL', { mail: () => 'hang' }],
    ['RCPT', { rcpt: () => 'hang' }],
    ['DATA', { extensions: [], data: () => 'hang' }],
    ['end of data', { dataEnd: () => 'hang' }],
  ] as Array<[string, FakeSmtpScript]>) {
    test(`a server that stops answering at ${phase} hits the timeout and is retried`, async () => {
      const { server, h } = await setup(script);
      const entry = await h.enqueue({ to: RCPTS });
      await h.run();
      assert.equal(server.messages.length, 0);
      const e = (await h.entry(entry.id))!;
      assert.match(
        e.lastError!,
        new RegExp(
          `^4\\.4\\.2 .*no reply to ${phase === 'end of data' ? 'end of data' : phase === 'greeting' ? 'initial greeting' : phase}`,
        ),
      );
      server.script = {};
      await h.advance(300);
      assert.equal(server.messages.length, 1);
      assert.equal(await h.entry(entry.id), null);
    });
  }

  test('4xx to RCPT for some recipients: only those are retried', async () => {
    const { server, h } = await setup({
      rcpt: (to) => (to.startsWith('carol') ? '450 4.2.1 mailbox busy' : undefined),
    });
    const entry = await h.enqueue({ to: RCPTS });
    await h.run();
    assert.deepEqual(server.messages[0]!.recipients, ['bob@hamburger.edu']);
    const e = (await h.entry(entry.id))!;
    assert.deepEqual(
      e.recipients.map((r) => [r.address, r.state]),
      [
        ['bob@hamburger.edu', 'delivered'],
        ['carol@hamburger.edu', 'pending'],
      ],
    );
    assert.match(
      e.recipients[1]!.lastError!,
      /^4\.2\.1 mx\.hamburger\.edu\[192\.0\.2\.10\] said: 450 4\.2\.1 mailbox busy \(in reply to RCPT TO\)$/,
    );
    assert.match(e.recipients[0]!.finalReply!, /250 2\.0\.0/);

    server.script = {};
    await h.advance(300);
    assert.equal(server.messages.length, 2);
    assert.deepEqual(server.messages[1]!.recipients, ['carol@hamburger.edu']);
    assert.deepEqual(
      server.sessions[1]!.commands.filter((c) => c.startsWith('RCPT')),
      ['RCPT TO:<carol@hamburger.edu>'],
    );
    assert.equal(await h.entry(entry.id), null);
  });

  test('backoff doubles from min_backoff_s up to max_backoff_s', async () => {
    const { h } = await setup({ greeting: '421 4.3.2 busy' });
    const entry = await h.enqueue({ to: RCPTS });
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = h.clock.now().getTime();
      await h.run();
      const e = (await h.entry(entry.id))!;
      assert.equal(e.attempts, i + 1);
      const delay = (e.nextAttemptAt.getTime() - before) / 1000;
      delays.push(delay);
      h.clock.advance(delay * 1000);
    }
    assert.deepEqual(delays, [300, 600, 1200, 2400, 3600, 3600, 3600]);
  });

  test('after lifetime_s a still failing message expires: one DSN, entry removed', async () => {
    const { h } = await setup(
      { rcpt: () => '451 4.3.0 later' },
      { config: { queue: { lifetime_s: 3600, min_backoff_s: 600, max_backoff_s: 600, delay_warning_s: 0 } } },
    );
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run(); // t = 0
    for (let t = 600; t < 3600; t += 600) await h.advance(600);
    assert.ok(await h.entry(entry.id));
    assert.equal(h.bounces.length, 0);
    await h.advance(600); // t = 3600: expired
    assert.equal(await h.entry(entry.id), null);
    assert.equal(h.bounces.length, 1);
    const text = dsnText(h.bounces[0]!);
    assert.match(text, /Action: failed/);
    assert.match(text, /Status: 4\.3\.0/);
    assert.match(text, /Diagnostic-Code: smtp; 451 4\.3\.0 later/);
    assert.match(text, /gave up after/);
  });

  test('the next attempt is never scheduled past the expiry time', async () => {
    const { h } = await setup(
      { greeting: '421 4.3.2 busy' },
      { config: { queue: { lifetime_s: 900, min_backoff_s: 600, max_backoff_s: 3600 } } },
    );
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    const t0 = h.clock.now().getTime();
    await h.run();
    await h.advance(600);
    assert.equal((await h.entry(entry.id))!.nextAttemptAt.getTime(), t0 + 900_000);
    await h.advance(300);
    assert.equal(await h.entry(entry.id), null);
    assert.equal(h.bounces.length, 1);
  });
});
