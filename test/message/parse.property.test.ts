// Property tests: parseMessage never throws and keeps its invariants on random bytes and on mutated real
// messages; and a generated MIME tree, serialized, parses back to the same tree with the same bodies.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { parseMessage } from '../../src/message/parse.ts';
import { parseAddressList } from '../../src/message/address-list.ts';
import { parseHeaderValueWithParams } from '../../src/message/params.ts';
import { parseDate } from '../../src/message/date.ts';
import { decodeEncodedWords } from '../../src/message/encoded-words.ts';
import type { MimePart } from '../../src/message/types.ts';
import { assertInvariants, bodyOf, fixture, mimeType } from './mime-assert.ts';

const FIXTURE_NAMES = readdirSync(new URL('../fixtures/mime/', import.meta.url)).filter((n) =>
  n.endsWith('.eml'),
);
const FIXTURES = FIXTURE_NAMES.map((name) => fixture(name));

// Byte snippets that steer mutations toward the parser's decisions.
const MIME_NOISE = [
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  '--',
  '--=_b',
  '--cut',
  '--level0',
  '--outer--',
  ':',
  ' ',
  '\t',
  'Content-Type: multipart/mixed; boundary=x\r\n',
  'Content-Type: message/rfc822\r\n\r\n',
  'Content-Type: multipart/digest; boundary="=_b"\r\n\r\n',
  '\r\n--x\r\n',
  '\r\n--x--\r\n',
  '=?utf-8?B?',
  '?=',
  '"',
  '(',
  '\u00e9',
  '\u0000',
  '\xff',
].map((s) => Buffer.from(s, 'latin1'));

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'noise'; at: number; which: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant('noise' as const), at: fc.nat(), which: fc.nat() }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function applyMutation(buf: Buffer, m: Mutation): Buffer {
  const at = buf.length === 0 ? 0 : m.at % (buf.length + 1);
  switch (m.kind) {
    case 'delete':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.length)]);
    case 'insert':
      return Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
    case 'noise':
      return Buffer.concat([
        buf.subarray(0, at),
        MIME_NOISE[m.which % MIME_NOISE.length] as Buffer,
        buf.subarray(at),
      ]);
    case 'duplicate':
      return Buffer.concat([buf.subarray(0, at + m.length), buf.subarray(at)]);
    case 'truncate':
      return buf.subarray(0, at);
  }
}

function checkedParse(buf: Buffer, limits?: Parameters<typeof parseMessage>[1]): void {
  const parsed = parseMessage(buf, limits);
  assertInvariants(parsed, buf);
  assert.ok(!parsed.warnings.some((w) => w.startsWith('parser failed')), parsed.warnings.join('; '));
  JSON.stringify(parsed);
}

describe('parseMessage properties', () => {
  test('random bytes never throw and keep the invariants', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => checkedParse(Buffer.from(bytes))),
      { numRuns: 400 },
    );
  });

  test('random text from a MIME-ish alphabet never throws and keeps the invariants', () => {
    const piece = fc.constantFrom(
      ...MIME_NOISE,
      ...['a', 'b', 'x', '-', '=', ';', 'Subject: s\r\n'].map((s) => Buffer.from(s)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 300 }), (pieces) => checkedParse(Buffer.concat(pieces))),
      { numRuns: 400 },
    );
  });

  test('mutated real messages never throw and keep the invariants (also with tight limits)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: FIXTURES.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        fc.record({
          maxDepth: fc.integer({ min: 0, max: 25 }),
          maxParts: fc.integer({ min: 1, max: 50 }),
          maxHeaderBytes: fc.integer({ min: 0, max: 4096 }),
        }),
        (index, mutations, limits) => {
          const buf = mutations.reduce(applyMutation, FIXTURES[index] as Buffer);
          checkedParse(buf);
          checkedParse(buf, limits);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('header value parsers never throw on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        parseAddressList(text);
        parseHeaderValueWithParams(text);
        const date = parseDate(text);
        assert.ok(date === null || Number.isFinite(date));
        decodeEncodedWords(text);
      }),
      { numRuns: 1000 },
    );
  });
});

// A generated MIME tree and its expected shape after parsing.
type Tree =
  | { kind: 'leaf'; type: string; lines: string[] }
  | { kind: 'multipart'; subtype: string; preamble: string[]; children: Tree[]; epilogue: string[] }
  | { kind: 'message'; inner: Tree };

const safeLine = fc.stringMatching(/^[A-Za-z0-9 .,]{0,30}$/);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('leaf' as const),
      type: fc.constantFrom('text/plain', 'text/html', 'application/octet-stream', 'image/png'),
      lines: fc.array(safeLine, { maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant('multipart' as const),
      subtype: fc.constantFrom('mixed', 'alternative', 'related'),
      preamble: fc.array(safeLine, { maxLength: 2 }),
      children: fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
      epilogue: fc.array(safeLine, { maxLength: 2 }),
    }),
    fc.record({ kind: fc.constant('message' as const), inner: tie('tree') }),
  ),
})).tree;

function serialize(node: Tree, eol: string, counter: { next: number }): { header: string; body: string } {
  switch (node.kind) {
    case 'leaf':
      return { header: `Content-Type: ${node.type}${eol}`, body: node.lines.join(eol) };
    case 'message': {
      const inner = serialize(node.inner, eol, counter);
      return {
        header: `Content-Type: message/rfc822${eol}`,
        body: `Subject: inner${eol}${inner.header}${eol}${inner.body}`,
      };
    }
    case 'multipart': {
      // Fixed-width boundaries, so none is a prefix of another.
      const boundary = `=_${String(counter.next++).padStart(4, '0')}_=`;
      let body = node.preamble.map((l) => l + eol).join('');
      for (const child of node.children) {
        const part = serialize(child, eol, counter);
        body += `--${boundary}${eol}${part.header}${eol}${part.body}${eol}`;
      }
      body += `--${boundary}--${node.epilogue.map((l) => eol + l).join('')}`;
      return { header: `Content-Type: multipart/${node.subtype}; boundary="${boundary}"${eol}`, body };
    }
  }
}

function expectShape(part: MimePart, node: Tree, buf: Buffer, eol: string): void {
  switch (node.kind) {
    case 'leaf':
      assert.equal(mimeType(part), node.type);
      assert.equal(bodyOf(buf, part), node.lines.join(eol));
      return;
    case 'message':
      assert.equal(mimeType(part), 'message/rfc822');
      assert.ok(part.message);
      assert.equal(part.message.envelope.subject, 'inner');
      expectShape(part.message.body, node.inner, buf, eol);
      return;
    case 'multipart':
      assert.equal(mimeType(part), `multipart/${node.subtype}`);
      assert.equal(part.children.length, node.children.length);
      node.children.forEach((child, i) => expectShape(part.children[i] as MimePart, child, buf, eol));
  }
}

describe('parseMessage round trip', () => {
  test('a serialized MIME tree parses back to the same tree and bodies (CRLF and LF)', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('\r\n', '\n'), (node, eol) => {
        const top = serialize(node, eol, { next: 0 });
        const buf = Buffer.from(`Subject: top${eol}${top.header}${eol}${top.body}`, 'latin1');
        const parsed = parseMessage(buf);
        assertInvariants(parsed, buf);
        assert.deepEqual(parsed.warnings, []);
        expectShape(parsed.body, node, buf, eol);
      }),
      { numRuns: 300 },
    );
  });
});
