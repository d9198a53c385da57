// Local copies get Return-Path/Delivered-To in front; their index is derived from the one parse of the
// shared message by shifting offsets. It must equal a fresh parse of the prefixed bytes, byte for byte.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { localTraceFields, prependWithIndex } from '../../src/delivery/trace-prefix.ts';
import { parseMessage } from '../../src/message/parse.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'mime');

test('derived index equals a fresh parse, for every MIME fixture', () => {
  const files = readdirSync(fixtures).filter((f) => f.endsWith('.eml'));
  assert.ok(files.length > 10);
  for (const file of files) {
    const message = readFileSync(join(fixtures, file));
    const fields = localTraceFields('sender@remote.test', 'bob@example.org');
    const copy = prependWithIndex(message, parseMessage(message), fields);
    assert.deepEqual(copy.parsed, parseMessage(copy.bytes), file);
    assert.ok(copy.bytes.subarray(copy.bytes.length - message.length).equals(message), file);
  }
});

test('derived index equals a fresh parse for generated multipart messages and UTF-8 addresses', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\r\n', '-', '=', 'é'), maxLength: 60 });
  fc.assert(
    fc.property(
      fc.array(text, { minLength: 1, maxLength: 4 }),
      text,
      fc.boolean(),
      (parts, preamble, utf8) => {
        const body =
          parts.map((p) => `--XYZ\r\nContent-Type: text/plain\r\n\r\n${p}\r\n`).join('') + '--XYZ--\r\n';
        const message = Buffer.from(
          `Subject: t\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n${preamble}\r\n${body}`,
        );
        const fields = localTraceFields(
          utf8 ? 'jürgen@bücher.example' : '',
          utf8 ? 'josé@example.org' : 'b@x.org',
        );
        const copy = prependWithIndex(message, parseMessage(message), fields);
        assert.deepEqual(copy.parsed, parseMessage(copy.bytes));
      },
    ),
    { numRuns: 200 },
  );
});

test('the null sender is <>', () => {
  assert.deepEqual(localTraceFields('', 'bob@example.org'), [
    'Return-Path: <>',
    'Delivered-To: bob@example.org',
  ]);
});
