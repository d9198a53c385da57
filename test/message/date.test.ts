import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDate, parseDateFields } from '../../src/message/date.ts';

describe('parseDate', () => {
  const utc = Date.UTC;
  const cases: Array<[string, number]> = [
    ['Fri, 21 Nov 1997 09:55:06 -0600', utc(1997, 10, 21, 15, 55, 6)], // RFC 5322 A.1.1
    ['Tue, 1 Jul 2003 10:52:37 +0200', utc(2003, 6, 1, 8, 52, 37)], // A.1.2
    ['Thu, 13 Feb 1969 23:32:54 -0330', utc(1969, 1, 14, 3, 2, 54)], // A.1.3
    ['21 Nov 97 09:55:06 GMT', utc(1997, 10, 21, 9, 55, 6)], // A.5 obsolete: 2-digit year, GMT
    ['Fri, 21 Nov 1997 09:55:06 -0600 (MDT)', utc(1997, 10, 21, 15, 55, 6)],
    [
      'Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)',
      utc(1969, 1, 14, 3, 2, 0),
    ],
    ['1 Jan 2024 10:00 +0000', utc(2024, 0, 1, 10, 0, 0)], // no day name, no seconds
    ['Mon, 01 Jan 2024 10:00:00 EST', utc(2024, 0, 1, 15, 0, 0)],
    ['Mon, 01 Jan 2024 10:00:00 pdt', utc(2024, 0, 1, 17, 0, 0)],
    ['Mon, 01 Jan 2024 10:00:00 UT', utc(2024, 0, 1, 10, 0, 0)],
    ['Mon, 01 Jan 2024 10:00:00 Z', utc(2024, 0, 1, 10, 0, 0)],
    ['Mon, 01 Jan 2024 10:00:00 A', utc(2024, 0, 1, 10, 0, 0)], // military: -0000 (RFC 5322 §4.3)
    ['Mon, 01 Jan 2024 10:00:00', utc(2024, 0, 1, 10, 0, 0)], // no zone: UTC
    ['Mon, 01 Jan 2024 10:00:00 +05:30', utc(2024, 0, 1, 4, 30, 0)],
    ['Mon, 1 January 2024 10:00:00 -0000', utc(2024, 0, 1, 10, 0, 0)],
    ['Sat, 01 Jan 49 00:00:00 +0000', utc(2049, 0, 1)], // §4.3: 00-49 -> 20xx
    ['Sat, 01 Jan 50 00:00:00 +0000', utc(1950, 0, 1)], // 50-99 -> 19xx
    ['Sat, 01 Jan 103 00:00:00 +0000', utc(2003, 0, 1)], // 3 digits + 1900
    ['Mon Jan  1 10:00:00 2024', utc(2024, 0, 1, 10, 0, 0)], // asctime
    ['Thu, 29 Feb 2024 23:59:60 +0000', utc(2024, 1, 29, 23, 59, 60)], // leap second accepted
    ['2024-01-01T10:00:00Z', utc(2024, 0, 1, 10, 0, 0)],
    ['2024-01-01 10:00:00+02:00', utc(2024, 0, 1, 8, 0, 0)],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.equal(parseDate(input), expected));
  }

  const invalid = [
    '',
    '   ',
    'yesterday',
    'Mon, 32 Jan 2024 10:00:00 +0000',
    'Thu, 30 Feb 2024 10:00:00 +0000',
    'Mon, 01 Foo 2024 10:00:00 +0000',
    'Mon, 01 Jan 2024 25:00:00 +0000',
    'Mon, 01 Jan 2024 10:61:00 +0000',
    'Mon, 01 Jan 2024 10:00:00 +0099',
    'Mon, 01 Jan 2024 10:00:00 +12345',
    'Mon, 01 Jan 2024 ten:00:00 +0000',
    '2024-01-01T10:00:00', // ISO without zone would depend on the local time zone
  ];
  for (const input of invalid) {
    test(`invalid ${JSON.stringify(input)}`, () => assert.equal(parseDate(input), null));
  }

  test('null and non-strings', () => {
    assert.equal(parseDate(null), null);
    assert.equal(parseDate(undefined), null);
  });
});

describe('parseDateFields', () => {
  test('keeps the calendar date as written in the sender zone (for SENTON and friends)', () => {
    assert.deepEqual(parseDateFields('Mon, 30 Jun 2025 23:30:00 -0500'), {
      epochMs: Date.UTC(2025, 6, 1, 4, 30, 0),
      year: 2025,
      month: 6,
      day: 30,
      offsetMinutes: -300,
    });
    assert.deepEqual(parseDateFields('2025-07-01T01:00:00+02:00'), {
      epochMs: Date.UTC(2025, 5, 30, 23, 0, 0),
      year: 2025,
      month: 7,
      day: 1,
      offsetMinutes: 120,
    });
    assert.equal(parseDateFields('garbage'), null);
  });
});
