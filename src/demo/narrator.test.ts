import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { Narrator } from './narrator.ts';

function narratorWithClock() {
  let now = 1000;
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const narrator = new Narrator(out, () => now);
  return { narrator, tick: (ms: number) => (now += ms), text: () => text };
}

test('steps print in story order, each with its own time; an early step waits for the ones before it', () => {
  const { narrator, tick, text } = narratorWithClock();
  narrator.startClock();
  tick(5);
  narrator.record(2, 'queued');
  assert.equal(text(), '', 'step 2 waits for step 1');
  tick(7);
  narrator.record(1, 'accepted');
  narrator.record(1, 'recorded twice: ignored');
  assert.equal(
    text(),
    '  1.    +12 ms  submission accepted: accepted\n' + '  2.     +5 ms  queued: queued\n',
  );
  assert.deepEqual(narrator.overtakes(), [[2, 1]]);
  assert.deepEqual(narrator.missing(), [3, 4, 5, 6, 7]);
});

test('waitForAll resolves true once the last step is recorded', async () => {
  const { narrator } = narratorWithClock();
  const done = narrator.waitForAll(60_000);
  for (const step of [1, 2, 3, 4, 5, 6, 7] as const) narrator.record(step, `step ${step}`);
  assert.equal(await done, true);
  assert.equal(narrator.complete, true);
});

test('waitForAll resolves false at the timeout; the failure names the missing steps and a hint', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { narrator } = narratorWithClock();
  narrator.record(1, 'a');
  narrator.record(2, 'b');
  narrator.record(3, 'c');
  narrator.hints.set(4, 'crepes.fr’s queue: connect to 127.0.0.1:9 failed: ECONNREFUSED');
  const done = narrator.waitForAll(2000);
  t.mock.timers.tick(2000);
  assert.equal(await done, false);
  assert.equal(
    narrator.describeMissing(2000),
    'the reference story stopped: steps 4 (TCP session to hamburger.edu opened), 5 (remote 250), ' +
      "6 (stored in Bob's INBOX), 7 (Bob's IDLE session sees EXISTS) did not happen within 2 s; " +
      'crepes.fr’s queue: connect to 127.0.0.1:9 failed: ECONNREFUSED',
  );
});
