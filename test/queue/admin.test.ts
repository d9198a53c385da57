// The operator functions behind `posthorn queue …` (src/queue/admin.ts), on a deferred and a held message.
// The command line itself is tested end to end in test/cli/queue.test.ts.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { silentLogger } from '../../src/log/logger.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import {
  bounceEntry,
  deleteEntry,
  entryToJson,
  formatAge,
  formatEntryDetails,
  formatNextAttempt,
  holdEntry,
  listQueue,
  QueueAdminError,
  releaseEntry,
  retryQueue,
  showQueueEntry,
} from '../../src/queue/admin.ts';
import type { Bounce } from '../../src/queue/bounce-sink.ts';
import { parseMessage } from '../../src/message/parse.ts';
import type { Store } from '../../src/storage/ports.ts';
import { FakeClock } from '../support/queue-harness.ts';
import { openStoreForTest, type StoreForTest } from '../support/test-store.ts';

interface Fixture {
  opened: StoreForTest;
  store: Store;
  clock: FakeClock;
  deferred: string;
  held: string;
  bounces: Bounce[];
}

const LAST = '4.2.1 mx.hamburger.edu[192.0.2.10] said: 450 4.2.1 busy (in reply to RCPT TO)';

async function fixture(): Promise<Fixture> {
  const clock = new FakeClock();
  const opened = await openStoreForTest({ now: () => clock.now() });
  const store = opened.store;
  const body = Buffer.from('From: alice@crepes.fr\r\nSubject: Crepes\r\n\r\nHello\r\n');
  const blobId = await store.mail.putBlob(body, parseMessage(body));
  const base = {
    blobId,
    sender: 'alice@crepes.fr',
    size: body.length,
    envId: 'env-1',
    ret: null,
    smtputf8: false,
    eightBit: false,
    nextAttemptAt: clock.now(),
  };
  const deferred = await store.queue.enqueue({
    ...base,
    recipients: [
      { address: 'bob@hamburger.edu', orcpt: null, notify: [] },
      { address: 'carol@hamburger.edu', orcpt: null, notify: [] },
    ],
  });
  const held = await store.queue.enqueue({
    ...base,
    recipients: [{ address: 'jan@frites.be', orcpt: null, notify: [] }],
  });
  await store.queue.claimDue(clock.now(), 1, 'worker', new Date(clock.now().getTime() + 60_000));
  await store.queue.recordAttempt(
    deferred.id,
    [
      { address: 'bob@hamburger.edu', state: 'delivered', finalReply: '2.0.0 mx said: 250 ok' },
      { address: 'carol@hamburger.edu', state: 'pending', error: LAST },
    ],
    { nextAttemptAt: new Date(clock.now().getTime() + 300_000), lastError: LAST },
  );
  await store.queue.setHeld(held.id, true);
  clock.advance(90_000);
  return { opened, store, clock, deferred: deferred.id, held: held.id, bounces: [] };
}

function bounceDeps(f: Fixture) {
  return {
    store: f.store,
    config: configFromDefaults({ hostname: 'crepes.fr' }),
    clock: f.clock,
    bounce: async (b: Bounce) => void f.bounces.push(b),
    log: silentLogger(),
  };
}

describe('queue admin', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(() => f.opened.close());

  test('list: status, age, per-recipient state, next attempt and last error; JSON a script can parse', async () => {
    const now = f.clock.now();
    const rows = await listQueue(f.store, now);
    assert.deepEqual(
      rows.map((r) => [r.id, r.status]),
      [
        [f.deferred, 'deferred'],
        [f.held, 'held'],
      ],
    );
    assert.equal(formatNextAttempt(rows[0]!, now), 'in 3m'); // 210 s
    assert.equal(formatNextAttempt(rows[1]!, now), 'held');
    const json = JSON.parse(JSON.stringify(rows.map(entryToJson))) as Array<Record<string, unknown>>;
    assert.deepEqual(json[0], {
      id: f.deferred,
      status: 'deferred',
      arrived_at: '2025-01-06T09:00:00Z',
      age_seconds: 90,
      size: rows[0]!.size,
      sender: 'alice@crepes.fr',
      attempts: 1,
      next_attempt_at: '2025-01-06T09:05:00Z',
      last_error: LAST,
      held: false,
      lease_owner: null,
      recipients: [
        {
          address: 'bob@hamburger.edu',
          state: 'delivered',
          attempts: 1,
          last_error: null,
          final_reply: '2.0.0 mx said: 250 ok',
        },
        {
          address: 'carol@hamburger.edu',
          state: 'pending',
          attempts: 1,
          last_error: LAST,
          final_reply: null,
        },
      ],
    });
  });

  test('show: details with DSN options and headers; ids are case-insensitive; unknown ids refused', async () => {
    const d = await showQueueEntry(f.store, f.deferred.toLowerCase(), f.clock.now());
    assert.equal(d.envId, 'env-1');
    assert.equal(d.headers, 'From: alice@crepes.fr\nSubject: Crepes');
    const text = formatEntryDetails(d, f.clock.now());
    assert.match(text, new RegExp(`^id: +${f.deferred}$`, 'm'));
    assert.match(text, /^ {2}<carol@hamburger\.edu> pending, 1 attempts: 4\.2\.1 .*450 4\.2\.1 busy/m);
    assert.match(text, /^ {2}Subject: Crepes$/m);
    await assert.rejects(showQueueEntry(f.store, 'NOSUCHID0000', f.clock.now()), QueueAdminError);
  });

  test('retry: a deferred message is due now; --all leaves held ones alone', async () => {
    const now = f.clock.now();
    await retryQueue(f.store, { id: f.deferred }, now);
    assert.equal((await f.store.queue.get(f.deferred))!.nextAttemptAt.getTime(), now.getTime());
    const all = await retryQueue(f.store, { all: true }, now);
    assert.deepEqual(
      all.map((v) => v.id),
      [f.deferred],
    );
    assert.equal((await f.store.queue.get(f.held))!.held, true);
  });

  test('hold a deferred message, release it: not held and due now', async () => {
    await holdEntry(f.store, f.deferred, f.clock.now());
    assert.equal((await listQueue(f.store, f.clock.now()))[0]!.status, 'held');
    const due = await f.store.queue.claimDue(
      new Date(f.clock.now().getTime() + 3_600_000),
      10,
      'w',
      new Date(0),
    );
    assert.deepEqual(due, [], 'held messages are not claimed');
    await releaseEntry(f.store, f.deferred, f.clock.now());
    const e = (await f.store.queue.get(f.deferred))!;
    assert.equal(e.held, false);
    assert.equal(e.nextAttemptAt.getTime(), f.clock.now().getTime());
  });

  test('release a held message; delete removes without a DSN', async () => {
    const v = await releaseEntry(f.store, f.held, f.clock.now());
    assert.equal(v.status, 'queued');
    await deleteEntry(f.store, f.held, f.clock.now());
    await deleteEntry(f.store, f.deferred, f.clock.now());
    assert.deepEqual(await listQueue(f.store, f.clock.now()), []);
    assert.deepEqual(f.bounces, []);
  });

  test('bounce a deferred message: pending recipients fail, one DSN naming only them, entry gone', async () => {
    await bounceEntry(bounceDeps(f), f.deferred);
    assert.equal(await f.store.queue.get(f.deferred), null);
    assert.equal(f.bounces.length, 1);
    const text = f.bounces[0]!.bytes.toString();
    assert.equal(f.bounces[0]!.recipient, 'alice@crepes.fr');
    assert.equal(text.match(/Final-Recipient:/g)?.length, 1);
    assert.match(text, /Final-Recipient: rfc822; carol@hamburger\.edu\r\nAction: failed\r\nStatus: 5\.0\.0/);
    assert.match(text, /Diagnostic-Code: smtp; 450 4\.2\.1 busy/);
    assert.match(text, /returned to sender by the operator; last error: mx\.hamburger\.edu/);
  });

  test('bounce a held message', async () => {
    await bounceEntry(bounceDeps(f), f.held);
    assert.equal(await f.store.queue.get(f.held), null);
    assert.match(f.bounces[0]!.bytes.toString(), /Final-Recipient: rfc822; jan@frites\.be/);
  });

  test('bounce refuses a message a worker is delivering right now', async () => {
    await f.store.queue.reschedule(f.deferred, f.clock.now());
    await f.store.queue.claimDue(f.clock.now(), 1, 'busy', new Date(f.clock.now().getTime() + 60_000));
    assert.equal((await listQueue(f.store, f.clock.now()))[0]!.status, 'active');
    await assert.rejects(bounceEntry(bounceDeps(f), f.deferred), /being delivered right now/);
  });

  test('ages read like mailq', () => {
    assert.deepEqual([5, 90, 3600, 3660, 86400, 90000].map(formatAge), [
      '5s',
      '1m',
      '1h',
      '1h1m',
      '1d',
      '1d1h',
    ]);
  });
});
