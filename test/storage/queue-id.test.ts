import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isQueueId, newQueueId } from '../../src/storage/queue-id.ts';

test('queue ids are 12 Crockford base32 characters', () => {
  const id = newQueueId(new Date());
  assert.match(id, /^[0-9A-HJKMNP-TV-Z]{12}$/);
  assert.ok(isQueueId(id));
  assert.ok(!isQueueId('short'));
  assert.ok(!isQueueId('IIIIIIIIIIII'), 'I is not in the alphabet');
});

test('ids from later milliseconds sort after earlier ones', () => {
  const base = Date.UTC(2025, 5, 1);
  const ids = [0, 1, 2, 1000, 86_400_000, 10 * 365 * 86_400_000].map((offset) =>
    newQueueId(new Date(base + offset)),
  );
  assert.deepEqual([...ids].sort(), ids);
});

test('ids within one millisecond differ (random part)', () => {
  const now = new Date();
  const ids = new Set(Array.from({ length: 200 }, () => newQueueId(now)));
  assert.ok(ids.size > 190);
});
