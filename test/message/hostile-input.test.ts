// Pathological inputs that would take minutes with a quadratic scan or a backtracking regex. The bound is
// generous (a linear implementation needs well under a second here); a regression blows far past it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../src/message/parse.ts';
import { parseAddressList } from '../../src/message/address-list.ts';
import { parseHeaderValueWithParams } from '../../src/message/params.ts';
import { parseDate } from '../../src/message/date.ts';
import { decodeEncodedWords } from '../../src/message/encoded-words.ts';
import { foldField } from '../../src/message/trace-headers.ts';

const N = 200_000;
const BUDGET_MS = 10_000;

function withinBudget(run: () => unknown): void {
  const started = performance.now();
  run();
  const elapsed = performance.now() - started;
  assert.ok(elapsed < BUDGET_MS, `took ${Math.round(elapsed)} ms`);
}

describe('hostile input stays linear', () => {
  const cases: Array<[string, () => unknown]> = [
    [
      'header value: long inner run of spaces',
      () => parseMessage(Buffer.from(`Subject: a${' '.repeat(N)}x\r\n\r\n`)),
    ],
    ['header block: many lines without a colon', () => parseMessage(Buffer.from('aaaa\n'.repeat(N / 5)))],
    [
      'body: many lines starting with "--"',
      () =>
        parseMessage(
          Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--c\r\n'.repeat(N / 5)}`),
        ),
    ],
    ['address list: unclosed angle brackets', () => parseAddressList('<'.repeat(N))],
    ['address list: many short addresses', () => parseAddressList('a@b, '.repeat(N / 5))],
    ['address list: nested comments', () => parseAddressList('('.repeat(N))],
    [
      'parameters: long whitespace before a value',
      () => parseHeaderValueWithParams(`a; b=x${' '.repeat(N)}y`),
    ],
    [
      'parameters: many continuations',
      () => parseHeaderValueWithParams(Array.from({ length: 5000 }, (_, i) => `; n*${i}*=%41`).join('')),
    ],
    ['date: unbalanced comment', () => parseDate(`${'('.repeat(N)} 1 Jan 2024`)],
    ['encoded words: many openers', () => decodeEncodedWords(`${'=?a?q?'.repeat(N / 6)}x`)],
    ['encoded words: many adjacent words', () => decodeEncodedWords('=?utf-8?q?a?= '.repeat(N / 14))],
    ['fold: many line breaks in a value', () => foldField(`X: a${'\n'.repeat(N)}b`)],
  ];
  for (const [name, run] of cases) test(name, () => withinBudget(run));
});
