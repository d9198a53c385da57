import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayNumber,
  decodeMutf7,
  encodeMutf7,
  formatDate,
  formatDateTime,
  imapDateOf,
  ImapParseError,
  parseDate,
  parseDateTime,
} from '../../src/imap/wire/index.ts';

describe('modified UTF-7 (RFC 3501 §5.1.3)', () => {
  const pairs: Array<[string, string]> = [
    ['INBOX', 'INBOX'],
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'], // RFC 3501 example
    ['&', '&-'],
    ['Tom & Jerry', 'Tom &- Jerry'],
    ['Entwürfe', 'Entw&APw-rfe'],
    ['ü', '&APw-'],
    ['日本', '&ZeVnLA-'],
    ['😀', '&2D3eAA-'], // surrogate pair
    ['a\tb', 'a&AAk-b'], // control characters are encoded
    ['', ''],
  ];
  for (const [utf8, mutf7] of pairs) {
    test(`${JSON.stringify(utf8)} <-> ${mutf7}`, () => {
      assert.equal(encodeMutf7(utf8), mutf7);
      assert.equal(decodeMutf7(mutf7), utf8);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['&', /unterminated/],
    ['a&ZeVnLA', /unterminated/],
    ['&ZeVnLA-&ZeVnLA-', /adjacent/], // must be one shift: &ZeVnLGXlZyw-
    ['&AGE-', /printable ASCII must not be base64/], // "a" encoded
    ['&ACY-', /printable ASCII must not be base64/], // "&" encoded instead of &-
    ['&ZeVnLB-', /padding/], // non-zero padding bits
    ['&ZeVnLAA-', /padding/], // excess bits
    ['&2D3-', /padding|surrogate/],
    ['&2D0-', /surrogate|padding/],
    ['&3gA-', /unpaired UTF-16 surrogate/],
    ['&Ze/n-', /invalid character in modified base64/], // "/" is "," in modified base64
    ['caf\u00e9', /outside printable ASCII/],
    ['a\tb', /outside printable ASCII/],
  ];
  for (const [text, message] of invalid) {
    test(`refuses ${JSON.stringify(text)}`, () =>
      assert.throws(
        () => decodeMutf7(text),
        (e: unknown) => e instanceof ImapParseError && message.test(e.message),
      ));
  }
  test('adjacent characters are one shift when encoding', () => {
    assert.equal(encodeMutf7('日本日本'), '&ZeVnLGXlZyw-');
    assert.equal(decodeMutf7('&ZeVnLGXlZyw-'), '日本日本');
  });
});

describe('dates', () => {
  test('parseDate', () => {
    assert.deepEqual(parseDate('1-Feb-1994'), { year: 1994, month: 2, day: 1 });
    assert.deepEqual(parseDate('01-feb-1994'), { year: 1994, month: 2, day: 1 });
    assert.deepEqual(parseDate('29-Feb-2000'), { year: 2000, month: 2, day: 29 });
  });
  for (const bad of [
    '29-Feb-1900',
    '32-Jan-2000',
    '0-Jan-2000',
    '1-Fev-2000',
    '1-Feb-94',
    '1 Feb 1994',
    '001-Feb-1994',
  ]) {
    test(`parseDate refuses ${bad}`, () => assert.throws(() => parseDate(bad), ImapParseError));
  }
  test('formatDate and dayNumber', () => {
    assert.equal(formatDate({ year: 1994, month: 2, day: 1 }), '1-Feb-1994');
    assert.equal(dayNumber({ year: 1970, month: 1, day: 2 }), 1);
    assert.equal(dayNumber({ year: 50, month: 1, day: 1 }) < 0, true); // years below 100 are not 19xx
  });
  test('parseDateTime with zones', () => {
    assert.equal(parseDateTime('17-Jul-1996 02:44:25 -0700').toISOString(), '1996-07-17T09:44:25.000Z');
    assert.equal(parseDateTime(' 7-Jul-1996 02:44:25 +0130').toISOString(), '1996-07-07T01:14:25.000Z');
    assert.equal(parseDateTime('07-Jul-1996 00:00:00 +0000').toISOString(), '1996-07-07T00:00:00.000Z');
  });
  for (const bad of [
    '17-Jul-1996 02:44:25',
    '17-Jul-1996 24:00:00 +0000',
    '17-Jul-1996 02:44 +0000',
    '17-Jul-1996 02:44:25 0700',
    '17-Jul-1996 02:44:25 +0760',
  ]) {
    test(`parseDateTime refuses "${bad}"`, () => assert.throws(() => parseDateTime(bad), ImapParseError));
  }
  test('formatDateTime', () => {
    const d = new Date('1996-07-17T09:44:25Z');
    assert.equal(formatDateTime(d), '17-Jul-1996 09:44:25 +0000');
    assert.equal(formatDateTime(d, -420), '17-Jul-1996 02:44:25 -0700');
    assert.equal(formatDateTime(d, 330), '17-Jul-1996 15:14:25 +0530');
    assert.equal(formatDateTime(new Date('2024-03-05T00:00:00Z')), '05-Mar-2024 00:00:00 +0000');
  });
  test('imapDateOf takes the zone into account', () => {
    const d = new Date('2024-03-05T23:30:00Z');
    assert.deepEqual(imapDateOf(d), { year: 2024, month: 3, day: 5 });
    assert.deepEqual(imapDateOf(d, 60), { year: 2024, month: 3, day: 6 });
  });
  test('formatDateTime and parseDateTime round-trip', () => {
    for (const iso of ['2000-02-29T23:59:59Z', '1970-01-01T00:00:00Z', '2038-01-19T03:14:07Z']) {
      for (const offset of [0, 60, -300, 765]) {
        const d = new Date(iso);
        assert.equal(parseDateTime(formatDateTime(d, offset)).getTime(), d.getTime());
      }
    }
  });
});
