import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSequenceSet,
  ImapParseError,
  parseSequenceSet,
  rangesContain,
  resolveSeqNumbers,
  resolveUids,
  stringifySequenceSet,
  toRanges,
} from '../../src/imap/wire/index.ts';
import type { Uid } from '../../src/storage/ports.ts';

const uids = (...n: number[]) => n as Uid[];

describe('parseSequenceSet', () => {
  test('numbers, ranges, star', () => {
    assert.deepEqual(parseSequenceSet('1:5,7,9:*'), {
      kind: 'ranges',
      ranges: [
        { from: 1, to: 5 },
        { from: 7, to: 7 },
        { from: 9, to: '*' },
      ],
    });
  });
  test('reversed range is kept as written', () => {
    assert.deepEqual(parseSequenceSet('5:1'), { kind: 'ranges', ranges: [{ from: 5, to: 1 }] });
  });
  test('$ is the saved result (RFC 5182)', () => assert.deepEqual(parseSequenceSet('$'), { kind: 'saved' }));
  test('$ can be refused', () =>
    assert.throws(() => parseSequenceSet('$', { allowSaved: false }), /not allowed/));
  test('* can be refused', () =>
    assert.throws(() => parseSequenceSet('1:*', { allowStar: false }), /not allowed/));
  for (const bad of [
    '',
    '0',
    '1:0',
    '01',
    '1,',
    ',1',
    '1::2',
    '1:2:3',
    '4294967296',
    '-1',
    '1 2',
    '$,1',
    '**',
  ]) {
    test(`refuses "${bad}"`, () => assert.throws(() => parseSequenceSet(bad), ImapParseError));
  }
  test('4294967295 is the largest number', () => {
    assert.deepEqual(parseSequenceSet('4294967295'), {
      kind: 'ranges',
      ranges: [{ from: 4294967295, to: 4294967295 }],
    });
  });
  test('range limit', () => {
    assert.throws(() => parseSequenceSet('1,2,3', { maxRanges: 2 }), /more than 2 ranges/);
    assert.doesNotThrow(() => parseSequenceSet('1,2', { maxRanges: 2 }));
  });
  test('stringify', () => assert.equal(stringifySequenceSet(parseSequenceSet('5:1,*,3:*')), '5:1,*,3:*'));
});

describe('resolving sets', () => {
  test('toRanges merges, sorts and replaces *', () => {
    assert.deepEqual(toRanges(parseSequenceSet('9:*,1:3,2:5,7,8'), 10), [
      [1, 5],
      [7, 10],
    ]);
  });
  test('n:* with n above the largest includes the largest (RFC 9051 §9)', () => {
    assert.deepEqual(toRanges(parseSequenceSet('20:*'), 10), [[10, 20]]);
  });
  test('rangesContain', () => {
    const r = toRanges(parseSequenceSet('1:3,7,10:12'), 100);
    assert.deepEqual(
      [0, 1, 3, 4, 7, 8, 10, 12, 13].map((n) => rangesContain(r, n)),
      [false, true, true, false, true, false, true, true, false],
    );
  });
  test('sequence numbers', () => {
    assert.deepEqual(resolveSeqNumbers(parseSequenceSet('3:1,5,*'), 6), [1, 2, 3, 5, 6]);
    assert.deepEqual(resolveSeqNumbers(parseSequenceSet('1:*'), 3), [1, 2, 3]);
  });
  test('a sequence number beyond the mailbox is an error (BAD)', () => {
    assert.throws(() => resolveSeqNumbers(parseSequenceSet('4'), 3), /out of range/);
    assert.throws(() => resolveSeqNumbers(parseSequenceSet('*'), 0), /mailbox is empty/);
  });
  test('clamp drops sequence numbers beyond the mailbox (SEARCH)', () => {
    assert.deepEqual(resolveSeqNumbers(parseSequenceSet('2:9'), 3, { clamp: true }), [2, 3]);
    assert.deepEqual(resolveSeqNumbers(parseSequenceSet('*'), 0, { clamp: true }), []);
  });
  test('UIDs: only existing ones, * is the highest', () => {
    const existing = uids(3, 5, 8, 13, 21);
    assert.deepEqual(resolveUids(parseSequenceSet('1:6'), existing), [3, 5]);
    assert.deepEqual(resolveUids(parseSequenceSet('*'), existing), [21]);
    assert.deepEqual(resolveUids(parseSequenceSet('100:*'), existing), [21]);
    assert.deepEqual(resolveUids(parseSequenceSet('13:5'), existing), [5, 8, 13]);
    assert.deepEqual(resolveUids(parseSequenceSet('22:30'), existing), []);
    assert.deepEqual(resolveUids(parseSequenceSet('1:*'), uids()), []);
  });
  test('$ must be resolved by the session', () => {
    assert.throws(() => toRanges({ kind: 'saved' }, 5), /saved search result/);
  });
});

describe('formatSequenceSet', () => {
  const rows: Array<[number[], string]> = [
    [[1], '1'],
    [[1, 2, 3], '1:3'],
    [[5, 1, 2, 3, 9, 8], '1:3,5,8:9'],
    [[4, 4, 4], '4'],
    [[10, 12, 14], '10,12,14'],
    [[4294967294, 4294967295], '4294967294:4294967295'],
    [[], ''],
  ];
  for (const [input, expected] of rows) {
    test(`[${input.join(',')}] -> "${expected}"`, () => assert.equal(formatSequenceSet(input), expected));
  }
  test('keepOrder joins only ascending runs (COPYUID correspondence)', () => {
    assert.equal(formatSequenceSet([7, 8, 9, 1, 2], { keepOrder: true }), '7:9,1:2');
  });
});
