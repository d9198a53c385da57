// Property tests: the parser only ever throws ImapParseError; encoders and parsers agree.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CommandAssembler,
  decodeMutf7,
  encodeMutf7,
  encodeValues,
  formatDateTime,
  formatSequenceSet,
  ImapParseError,
  parseCommand,
  parseDateTime,
  parseSequenceSet,
  resolveUids,
  stringifySequenceSet,
  type SequenceSet,
} from '../../src/imap/wire/index.ts';
import type { Uid } from '../../src/storage/ports.ts';
import { partsOf } from './helpers.ts';

const RUNS = { numRuns: 2000 };

function onlyParseErrors(fn: () => unknown): boolean {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ImapParseError)) throw err;
  }
  return true;
}

// Fragments that steer random input into every parser branch.
const FRAGMENTS = [
  'a1',
  'A',
  '*',
  ' ',
  ' ',
  ' ',
  '(',
  ')',
  '[',
  ']',
  '<',
  '>',
  '.',
  ':',
  ',',
  '$',
  '"',
  '\\',
  '{',
  '}',
  '~{',
  '+',
  '0',
  '1',
  '5',
  '42',
  '4294967296',
  '99999999999999999999999',
  'NIL',
  'UID',
  'FETCH',
  'STORE',
  'SEARCH',
  'COPY',
  'MOVE',
  'EXPUNGE',
  'SELECT',
  'EXAMINE',
  'LIST',
  'LSUB',
  'STATUS',
  'APPEND',
  'CREATE',
  'DELETE',
  'RENAME',
  'LOGIN',
  'AUTHENTICATE',
  'ENABLE',
  'ID',
  'IDLE',
  'NOOP',
  'BODY',
  'BODY.PEEK',
  'BINARY',
  'BINARY.SIZE',
  'HEADER',
  'HEADER.FIELDS',
  'HEADER.FIELDS.NOT',
  'TEXT',
  'MIME',
  'FLAGS',
  '+FLAGS.SILENT',
  '-FLAGS',
  '\\Seen',
  '\\Recent',
  'ALL',
  'FAST',
  'FULL',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'OR',
  'NOT',
  'SINCE',
  '1-Feb-1994',
  '31-Feb-1994',
  'LARGER',
  'MODSEQ',
  'CHARSET',
  'UTF-8',
  'RETURN',
  'MIN',
  'SAVE',
  'CHANGEDSINCE',
  'VANISHED',
  'UNCHANGEDSINCE',
  'CONDSTORE',
  'QRESYNC',
  'USE',
  'SUBSCRIBED',
  'RECURSIVEMATCH',
  'MESSAGES',
  'UTF8',
  '"05-Jan-2024 10:00:00 +0100"',
  '&-',
  '&ZeVnLA-',
  '&Jjo',
  '\u00e9',
  '\0',
  '\r',
  '\xff',
];

const fragmentLine = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((xs) => xs.join(''));
const bytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));

/** Parts with literals between lines, as the assembler produces them (marker and data sizes may disagree). */
const partsArb = fc
  .array(fc.tuple(fragmentLine, fc.uint8Array({ maxLength: 20 }), fc.boolean(), fc.boolean()), {
    maxLength: 3,
  })
  .chain((segments) =>
    fragmentLine.map((last) => {
      const parts: Buffer[] = [];
      for (const [line, data, honest, binary] of segments) {
        const size = honest ? data.length : data.length + 1;
        parts.push(Buffer.from(`${line}${binary ? '~' : ''}{${size}}`, 'latin1'), Buffer.from(data));
      }
      parts.push(Buffer.from(last, 'latin1'));
      return parts;
    }),
  );

describe('parser robustness', () => {
  test('random bytes: only ImapParseError', () => {
    fc.assert(
      fc.property(bytes, (b) => onlyParseErrors(() => parseCommand([b]))),
      RUNS,
    );
  });
  test('random grammar fragments: only ImapParseError', () => {
    fc.assert(
      fc.property(fragmentLine, fc.boolean(), (line, utf8) =>
        onlyParseErrors(() => parseCommand([Buffer.from(line, 'latin1')], { utf8Mailboxes: utf8 })),
      ),
      { numRuns: 20_000 },
    );
  });
  test('tagged command prefixes with random fragments: only ImapParseError', () => {
    const prefixes = [
      'a FETCH 1 ',
      'a UID SEARCH ',
      'a STORE 1:* ',
      'a SELECT x ',
      'a LIST ',
      'a APPEND x ',
      'a SEARCH RETURN (',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fragmentLine, (prefix, rest) =>
        onlyParseErrors(() => parseCommand([Buffer.from(prefix + rest, 'latin1')])),
      ),
      { numRuns: 20_000 },
    );
  });
  test('random parts with literals: only ImapParseError', () => {
    fc.assert(
      fc.property(partsArb, (parts) => onlyParseErrors(() => parseCommand(parts))),
      RUNS,
    );
  });
  test('the tag is reported whenever the line starts with a valid tag and SP', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9.]{1,8}$/), fragmentLine, (tag, rest) => {
        try {
          const parsed = parseCommand([Buffer.from(`${tag} ${rest}`, 'latin1')]);
          assert.equal(parsed.tag, tag);
        } catch (err) {
          if (!(err instanceof ImapParseError)) throw err;
          assert.equal(err.tag, tag);
        }
      }),
      RUNS,
    );
  });
  test('CommandAssembler never throws on random lines', () => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 10 }), (lines) => {
        const asm = new CommandAssembler({ maxLiteral: 50, maxCommandSize: 300 });
        for (const line of lines) {
          const step = asm.pushLine(line);
          if (step.kind === 'literal') asm.pushLiteral(Buffer.alloc(step.size));
          if (step.kind === 'discard') asm.pushDiscarded();
        }
        return true;
      }),
      RUNS,
    );
  });
});

describe('round trips', () => {
  test('formatSequenceSet -> parseSequenceSet -> resolve gives the sorted unique numbers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 0xffffffff }), { minLength: 1, maxLength: 100 }),
        (nums) => {
          const text = formatSequenceSet(nums);
          const sorted = [...new Set(nums)].sort((a, b) => a - b);
          assert.deepEqual(resolveUids(parseSequenceSet(text), sorted as Uid[]), sorted);
          assert.equal(formatSequenceSet(sorted), text);
        },
      ),
      RUNS,
    );
  });
  test('stringifySequenceSet -> parseSequenceSet is the identity', () => {
    const num = fc.oneof(fc.integer({ min: 1, max: 0xffffffff }), fc.constant('*' as const));
    const setArb: fc.Arbitrary<SequenceSet> = fc
      .array(fc.tuple(num, num), { minLength: 1, maxLength: 20 })
      .map((pairs) => ({ kind: 'ranges', ranges: pairs.map(([from, to]) => ({ from, to })) }));
    fc.assert(
      fc.property(setArb, (set) => assert.deepEqual(parseSequenceSet(stringifySequenceSet(set)), set)),
      RUNS,
    );
  });
  test('modified UTF-7: decode(encode(s)) === s, and encoding is printable ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const wire = encodeMutf7(s);
        assert.match(wire, /^[\x20-\x7e]*$/);
        assert.equal(decodeMutf7(wire), s);
      }),
      RUNS,
    );
  });
  test('modified UTF-7: decoding random ASCII throws only ImapParseError, and accepted input is canonical', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'&-+,AZaz09/ ~'.split('')), maxLength: 20 }), (s) => {
        try {
          assert.equal(encodeMutf7(decodeMutf7(s)), s);
        } catch (err) {
          if (!(err instanceof ImapParseError)) throw err;
        }
      }),
      RUNS,
    );
  });
  test('encoded strings parse back to the same text (LOGIN arguments)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(text, text, fc.boolean(), (user, pass, utf8) => {
        const wire = Buffer.concat([Buffer.from('t LOGIN '), encodeValues([user, pass], { utf8 })]);
        assert.deepEqual(parseCommand(partsOf(wire)).command, {
          name: 'LOGIN',
          userid: user,
          password: pass,
        });
      }),
      RUNS,
    );
  });
  test('formatDateTime -> parseDateTime keeps the instant (to the second)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1, 0, 1) / 1000 + 86400, max: Date.UTC(9999, 0, 1) / 1000 }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (seconds, offset) => {
          const d = new Date(seconds * 1000);
          assert.equal(parseDateTime(formatDateTime(d, offset)).getTime(), d.getTime());
        },
      ),
      RUNS,
    );
  });
});
