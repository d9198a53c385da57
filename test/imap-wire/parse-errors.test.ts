import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ImapParseError,
  parseCommand,
  parseErrorResponse,
  parseSaslResponse,
} from '../../src/imap/wire/index.ts';
import { parse } from './helpers.ts';

function rejects(
  wire: string | Buffer,
  message: RegExp,
  expect: { tag?: string | null; status?: 'BAD' | 'NO' } = {},
) {
  assert.throws(
    () => parse(wire),
    (err: unknown) => {
      assert.ok(err instanceof ImapParseError, `not an ImapParseError: ${String(err)}`);
      assert.match(err.message, message);
      assert.equal(err.status, expect.status ?? 'BAD');
      if (expect.tag !== undefined) assert.equal(err.tag, expect.tag);
      return true;
    },
  );
}

describe('hostile input: framing, tags and atoms', () => {
  test('empty line: no tag', () => rejects('', /empty command line/, { tag: null }));
  test('tag missing: no tag', () => rejects(' NOOP', /expected tag/, { tag: null }));
  test('"+" cannot start a tag', () => rejects('+ NOOP', /expected tag/, { tag: null }));
  test('"(" cannot be a tag', () => rejects('(bad', /expected tag/, { tag: null }));
  test('tag only', () => rejects('a1', /expected SP/, { tag: 'a1' }));
  test('two spaces', () => rejects('a1  NOOP', /expected command name/, { tag: 'a1' }));
  test('trailing space', () => rejects('a1 NOOP ', /unexpected SP after the command/, { tag: 'a1' }));
  test('unknown command keeps the tag', () =>
    rejects('a1 FROBNICATE', /unknown command FROBNICATE/, { tag: 'a1' }));
  test('unknown UID command', () => rejects('a1 UID FROB 1', /unknown UID command FROB/, { tag: 'a1' }));
  test('arguments to a bare command', () => rejects('a1 NOOP now', /unexpected SP/));
  test('8-bit octet in an atom', () => rejects(Buffer.from('a1 SELECT f\xe9e', 'latin1'), /8-bit octet/));
  test('8-bit octet in the tag', () =>
    rejects(Buffer.from('\xe9 NOOP', 'latin1'), /8-bit octet/, { tag: null }));
  test('list wildcard in a mailbox atom', () => rejects('a1 SELECT foo%', /unexpected "%"/));
  test('parenthesis instead of a mailbox', () => rejects('a1 SELECT (foo)', /expected mailbox name/));
  test('control character in an atom', () => rejects('a1 SELECT fo\x01o', /unexpected octet 0x01/));
  test('error response is tagged BAD with the message', () => {
    try {
      parse('a1 FROBNICATE');
      assert.fail('no error');
    } catch (err) {
      const { tag, response } = parseErrorResponse(err as ImapParseError);
      assert.equal(response.encode(tag).toString(), 'a1 BAD unknown command FROBNICATE\r\n');
    }
  });
});

describe('hostile input: strings and literals', () => {
  test('NUL in a quoted string', () => rejects('a LOGIN "a\0b" c', /NUL in quoted string/));
  test('CR in a quoted string', () => rejects('a LOGIN "a\rb" c', /CR or LF/));
  test('unterminated quoted string', () => rejects('a LOGIN "abc', /unterminated quoted string/));
  test('invalid escape', () => rejects('a LOGIN "a\\b" c', /invalid escape/));
  test('invalid UTF-8 in a quoted string', () =>
    rejects(Buffer.from('a LOGIN "\xff" c', 'latin1'), /invalid UTF-8/));
  test('NUL in a synchronizing literal', () => rejects('a LOGIN {3}\r\na\0b c', /NUL in literal/));
  test('literal not at the end of the line', () => {
    assert.throws(() => parseCommand([Buffer.from('a LOGIN {3} x')]), /expected SP|literal marker/);
  });
  test('literal size mismatch', () => {
    assert.throws(
      () => parseCommand([Buffer.from('a LOGIN {5}'), Buffer.from('abc'), Buffer.from(' x')]),
      /literal size mismatch/,
    );
  });
  test('missing final line part', () => {
    assert.throws(() => parseCommand([Buffer.from('a LOGIN {3}'), Buffer.from('abc')]), /incomplete command/);
  });
  test('literal where none was announced', () => {
    assert.throws(
      () => parseCommand([Buffer.from('a NOOP'), Buffer.from('x'), Buffer.from('')]),
      /unexpected a literal/,
    );
  });
});

describe('hostile input: numbers and sequence sets', () => {
  test('0 in a sequence set', () => rejects('a FETCH 0 FLAGS', /0 is not a valid/));
  test('0 as a range end', () => rejects('a FETCH 1:0 FLAGS', /0 is not a valid/));
  test('leading zero', () => rejects('a FETCH 01 FLAGS', /invalid sequence set element/));
  test('number above 2^32-1', () => rejects('a FETCH 4294967296 FLAGS', /exceeds 4294967295/));
  test('huge number', () =>
    rejects('a UID EXPUNGE 99999999999999999999999999', /invalid sequence set element|exceeds/));
  test('empty element', () => rejects('a FETCH 1,,2 FLAGS', /empty element/));
  test('trailing comma', () => rejects('a FETCH 1, FLAGS', /empty element/));
  test('letters in a set', () => rejects('a FETCH 1:x FLAGS', /invalid character in sequence set/));
  test('too many ranges', () => {
    const many = Array.from({ length: 101 }, (_, i) => 2 * i + 1).join(',');
    assert.throws(() => parse(`a FETCH ${many} FLAGS`, { maxSequenceRanges: 100 }), /more than 100 ranges/);
  });
  test('modseq above 2^63-1', () =>
    rejects('a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)', /exceeds 2\^63-1/));
  test('modseq 0 for CHANGEDSINCE', () => rejects('a FETCH 1 FLAGS (CHANGEDSINCE 0)', /must not be 0/));
  test('modseq above 2^53 is clamped', () => {
    const { command } = parse('a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775807)');
    assert.equal(command.name === 'FETCH' && command.changedSince, Number.MAX_SAFE_INTEGER);
  });
});

describe('command-specific errors', () => {
  const rows: Array<[string, RegExp, 'BAD' | 'NO']> = [
    ['a FETCH 1 (FLAGS', /\) to close fetch attributes/, 'BAD'],
    ['a FETCH 1 FLAGS)', /unexpected "\)"/, 'BAD'],
    ['a FETCH 1 ()', /expected fetch attribute|empty fetch attribute list/, 'BAD'],
    ['a FETCH 1 (ALL)', /macro and must be used alone/, 'BAD'],
    ['a FETCH 1 BODY.PEEK', /unknown fetch attribute BODY.PEEK/, 'BAD'],
    ['a FETCH 1 FLAGS[]', /takes no section/, 'BAD'],
    ['a FETCH 1 BODY[0]', /invalid section part number/, 'BAD'],
    ['a FETCH 1 BODY[1.MIME2]', /invalid section/, 'BAD'],
    ['a FETCH 1 BODY[MIME]', /MIME requires a part number/, 'BAD'],
    ['a FETCH 1 BODY[HEADER.FIELDS ()]', /expected header field name|empty header field list/, 'BAD'],
    ['a FETCH 1 BODY[HEADER.FIELDS]', /expected SP/, 'BAD'],
    ['a FETCH 1 BODY[TEXT', /\] to close the section/, 'BAD'],
    ['a FETCH 1 BODY[]<5.0>', /partial length must not be 0/, 'BAD'],
    ['a FETCH 1 BODY[]<5>', /\. in partial/, 'BAD'],
    ['a FETCH 1 BINARY[1.TEXT]', /invalid section part number/, 'BAD'],
    ['a FETCH 1 FLAGS (VANISHED)', /only allowed with UID FETCH/, 'BAD'],
    ['a UID FETCH 1 FLAGS (VANISHED)', /VANISHED requires CHANGEDSINCE/, 'BAD'],
    ['a UID FETCH 1 FLAGS (FOO)', /unknown or repeated fetch modifier FOO/, 'BAD'],
    ['a STORE 1 FLAGS \\Recent', /\\Recent cannot be set/, 'BAD'],
    ['a STORE 1 XFLAGS (\\Seen)', /expected FLAGS or FLAGS.SILENT/, 'BAD'],
    ['a STORE 1 FLAGS (\\Seen', /\) to close the flag list/, 'BAD'],
    ['a STORE 1 (FOO 5) FLAGS \\Seen', /unknown or repeated store modifier/, 'BAD'],
    ['a COPY 1', /expected SP/, 'BAD'],
    ['a APPEND INBOX "hello"', /date-time|expected the message as a literal/, 'BAD'],
    ['a APPEND INBOX 05-Jan-2024 {1}\r\nx', /expected the message as a literal/, 'BAD'],
    ['a APPEND INBOX "31-Feb-2024 10:00:00 +0000" {1}\r\nx', /invalid date/, 'BAD'],
    ['a APPEND INBOX "05-Jan-2024 25:00:00 +0000" {1}\r\nx', /invalid time/, 'BAD'],
    ['a APPEND INBOX UTF8 ({1}\r\nx)', /must be a literal8/, 'BAD'],
    ['a APPEND INBOX', /APPEND needs a message/, 'BAD'],
    ['a CREATE x (USE (\\Important))', /unsupported special-use attribute/, 'NO'],
    ['a CREATE x (FOO)', /unknown create parameter/, 'BAD'],
    ['a SELECT x (FOO)', /unknown or repeated select parameter FOO/, 'BAD'],
    ['a SELECT x (QRESYNC (1 2 1:*))', /\* is not allowed/, 'BAD'],
    ['a SELECT x (QRESYNC (0 2))', /uidvalidity must not be 0/, 'BAD'],
    ['a STATUS x (FOO)', /unknown status item FOO/, 'BAD'],
    ['a STATUS x ()', /empty status item list/, 'BAD'],
    ['a STATUS x', /expected SP/, 'BAD'],
    ['a LIST (RECURSIVEMATCH) "" *', /RECURSIVEMATCH requires/, 'BAD'],
    ['a LIST (FOO) "" *', /unknown LIST selection option/, 'BAD'],
    ['a LIST "" * RETURN (FOO)', /unknown or repeated LIST return option/, 'BAD'],
    ['a LIST "" * (CHILDREN)', /expected RETURN/, 'BAD'],
    ['a LIST "" ()', /expected mailbox pattern|empty LIST pattern list/, 'BAD'],
    ['a ENABLE', /at least one capability/, 'BAD'],
    ['a AUTHENTICATE PLAIN AGJvYgBwYXN', /invalid base64/, 'BAD'],
    ['a AUTHENTICATE PLAIN a=b=', /invalid base64/, 'BAD'],
    ['a ID ("averyveryveryverylongfieldnameover30" "x")', /longer than 30 octets/, 'BAD'],
    ['a ID (name)', /expected ID field/, 'BAD'],
    ['a SELECT &Jjo', /unterminated modified UTF-7/, 'BAD'],
  ];
  for (const [wire, message, status] of rows) {
    test(wire.replace(/\r\n/g, '⏎'), () => rejects(wire, message, { tag: 'a', status }));
  }

  test('ID with more than 30 fields', () => {
    const pairs = Array.from({ length: 31 }, (_, i) => `"f${i}" "v"`).join(' ');
    rejects(`a ID (${pairs})`, /more than 30 ID fields/);
  });
  test('ID value longer than 1024 octets', () =>
    rejects(`a ID ("x" "${'v'.repeat(1025)}")`, /longer than 1024/));
});

describe('parseSaslResponse', () => {
  test('base64 data', () =>
    assert.deepEqual(parseSaslResponse(Buffer.from('AGJvYgBwYXNz')), {
      cancel: false,
      data: Buffer.from('\0bob\0pass'),
    }));
  test('cancel', () => assert.deepEqual(parseSaslResponse(Buffer.from('*')), { cancel: true }));
  test('empty line is empty data', () =>
    assert.deepEqual(parseSaslResponse(Buffer.from('')), { cancel: false, data: Buffer.alloc(0) }));
  test('invalid base64', () => assert.throws(() => parseSaslResponse(Buffer.from('a b')), ImapParseError));
});

describe('literal8 outside APPEND', () => {
  test('refused in LOGIN', () =>
    rejects('a LOGIN ~{3}\r\na\0b x', /literal8 \(~\{n\}\) is not allowed here/));
  test('refused in SEARCH strings', () => rejects('a SEARCH TEXT ~{1}\r\nx', /not allowed here/));
  test('refused as a mailbox name', () => rejects('a SELECT ~{1}\r\nx', /not allowed here/));
});
