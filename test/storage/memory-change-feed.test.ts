import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InProcessChangeFeed } from '../../src/storage/memory-change-feed.ts';
import type { AccountId, MailboxChange } from '../../src/storage/ports.ts';

const change: MailboxChange = { kind: 'mailboxes', accountId: 1 as AccountId };

test('subscribers get each change until they unsubscribe', () => {
  const feed = new InProcessChangeFeed();
  const a: MailboxChange[] = [];
  const b: MailboxChange[] = [];
  const stopA = feed.subscribe((c) => a.push(c));
  feed.subscribe((c) => b.push(c));
  feed.publish(change);
  stopA();
  stopA();
  feed.publish(change);
  assert.equal(a.length, 1);
  assert.equal(b.length, 2);
  assert.equal(feed.listenerCount, 1);
});

test('the same function subscribed twice is called twice and unsubscribed independently', () => {
  const feed = new InProcessChangeFeed();
  let calls = 0;
  const listener = () => calls++;
  const stop1 = feed.subscribe(listener);
  feed.subscribe(listener);
  feed.publish(change);
  stop1();
  feed.publish(change);
  assert.equal(calls, 3);
});

test('a throwing listener is reported and does not stop the others', () => {
  const errors: unknown[] = [];
  const feed = new InProcessChangeFeed((error) => errors.push(error));
  let reached = false;
  feed.subscribe(() => {
    throw new Error('boom');
  });
  feed.subscribe(() => {
    reached = true;
  });
  feed.publish(change);
  assert.ok(reached);
  assert.equal((errors[0] as Error).message, 'boom');
});

test('a listener that unsubscribes during publish does not disturb the round', () => {
  const feed = new InProcessChangeFeed();
  const calls: string[] = [];
  const stop = feed.subscribe(() => {
    calls.push('first');
    stop();
  });
  feed.subscribe(() => calls.push('second'));
  feed.publish(change);
  feed.publish(change);
  assert.deepEqual(calls, ['first', 'second', 'second']);
});
