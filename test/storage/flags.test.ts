import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFlagOp, decodeFlags, encodeFlags, normalizeFlags, sameFlags } from '../../src/storage/flags.ts';

test('normalizeFlags: canonical system flags, keywords as given, case-insensitive duplicates dropped', () => {
  assert.deepEqual(normalizeFlags(['\\SEEN', 'Work', 'work', '\\seen', '$Junk', '', '\\deleted']), [
    '\\Seen',
    'Work',
    '$Junk',
    '\\Deleted',
  ]);
  assert.deepEqual(normalizeFlags(['\\Recent', '\\Custom']), ['\\Recent', '\\Custom']);
});

test('applyFlagOp: add, remove, set', () => {
  const current = ['\\Seen', 'Work'];
  assert.deepEqual(applyFlagOp(current, 'add', ['\\flagged', 'WORK']), ['\\Seen', 'Work', '\\Flagged']);
  assert.deepEqual(applyFlagOp(current, 'remove', ['\\SEEN', 'other']), ['Work']);
  assert.deepEqual(applyFlagOp(current, 'set', ['\\draft']), ['\\Draft']);
  assert.deepEqual(applyFlagOp(current, 'set', []), []);
});

test('sameFlags ignores order and case', () => {
  assert.ok(sameFlags(['\\Seen', 'Work'], ['work', '\\Seen']));
  assert.ok(!sameFlags(['\\Seen'], ['\\Seen', 'Work']));
  assert.ok(!sameFlags(['\\Seen', 'a'], ['\\Seen', 'b']));
});

test('encode and decode round-trip, empty included', () => {
  assert.equal(encodeFlags([]), '');
  assert.deepEqual(decodeFlags(''), []);
  assert.deepEqual(decodeFlags(encodeFlags(['\\Seen', '$Label1'])), ['\\Seen', '$Label1']);
});
