import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  astring,
  atom,
  bad,
  binaryLiteral,
  bye,
  capabilityResponse,
  continuation,
  encodeValues,
  esearchResponse,
  fetchItemName,
  fetchResponse,
  flagsResponse,
  flagsValue,
  formatSequenceSet,
  idResponse,
  ImapParseError,
  listResponse,
  literal,
  namespaceResponse,
  no,
  ok,
  parseErrorResponse,
  preauth,
  searchResponse,
  statusResponse,
  vanishedResponse,
  type FetchAttribute,
  type ImapValue,
} from '../../src/imap/wire/index.ts';
import { parse } from './helpers.ts';

const enc = (v: ImapValue, utf8 = false) => encodeValues([v], { utf8 }).toString('utf8');

describe('value encoding', () => {
  const rows: Array<[ImapValue, string, boolean?]> = [
    [null, 'NIL'],
    [0, '0'],
    [4294967295, '4294967295'],
    ['', '""'],
    ['hello world', '"hello world"'],
    ['say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
    ['NIL', '"NIL"'],
    ['line\r\nbreak', '{11}\r\nline\r\nbreak'],
    ['nul\0', '{4}\r\nnul\0'],
    ['café', '{5}\r\ncafé'], // 8-bit: literal for IMAP4rev1 clients
    ['café', '"café"', true], // quoted for UTF-8 clients
    [Buffer.from('raw'), '{3}\r\nraw'],
    [Buffer.alloc(0), '{0}\r\n'],
    [literal('x'), '{1}\r\nx'],
    [binaryLiteral(Buffer.from('a\0b')), '~{3}\r\na\0b'],
    [binaryLiteral(Buffer.from('abc')), '{3}\r\nabc'], // literal8 only when needed
    [atom('\\Seen'), '\\Seen'],
    [astring('INBOX'), 'INBOX'],
    [astring('a]b'), 'a]b'],
    [astring('with space'), '"with space"'],
    [astring('nil'), '"nil"'],
    [astring(''), '""'],
    [astring('50%'), '"50%"'],
    [[], '()'],
    [['a', null, 1, [atom('X'), []]], '("a" NIL 1 (X ()))'],
    ['x'.repeat(5000), `{5000}\r\n${'x'.repeat(5000)}`],
  ];
  for (const [value, wire, utf8] of rows) {
    test(`${JSON.stringify(value)?.slice(0, 40)}${utf8 ? ' (utf8)' : ''} -> ${JSON.stringify(wire).slice(0, 40)}`, () =>
      assert.equal(enc(value, utf8), wire));
  }
  test('unpaired surrogates are not quoted', () => assert.match(enc('a\ud800b', true), /^\{/));
  test('numbers must be non-negative safe integers', () => {
    assert.throws(() => enc(-1), RangeError);
    assert.throws(() => enc(1.5), RangeError);
  });
});

describe('status responses', () => {
  test('tagged OK with APPENDUID', () => {
    assert.equal(
      ok('APPEND completed').code('APPENDUID', 38505, 3955).encode('A003').toString(),
      'A003 OK [APPENDUID 38505 3955] APPEND completed\r\n',
    );
  });
  test('COPYUID with sets', () => {
    const r = ok('Done').code(
      'COPYUID',
      38505,
      formatSequenceSet([304, 319, 320, 321]),
      formatSequenceSet([3956, 3957, 3958, 3959]),
    );
    assert.equal(r.encode('A004').toString(), 'A004 OK [COPYUID 38505 304,319:321 3956:3959] Done\r\n');
  });
  test('untagged with a list code', () => {
    assert.equal(
      ok('Limited').code('PERMANENTFLAGS', ['\\Deleted', '\\Seen', '\\*']).encode(null).toString(),
      '* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n',
    );
  });
  test('NO, BAD, BYE, PREAUTH', () => {
    assert.equal(
      no('No such mailbox').code('NONEXISTENT').encode('a').toString(),
      'a NO [NONEXISTENT] No such mailbox\r\n',
    );
    assert.equal(bad('Huh').encode(null).toString(), '* BAD Huh\r\n');
    assert.equal(bye('Logging out').encode(null).toString(), '* BYE Logging out\r\n');
    assert.equal(
      preauth('Welcome').code('CAPABILITY', 'IMAP4rev2', 'IDLE').encode(null).toString(),
      '* PREAUTH [CAPABILITY IMAP4rev2 IDLE] Welcome\r\n',
    );
  });
  test('text never carries CR/LF and is never empty', () => {
    assert.equal(no('bad\r\nthing').encode('a').toString(), 'a NO bad thing\r\n');
    assert.equal(ok('').encode('a').toString(), 'a OK done\r\n');
  });
  test('responses are throwable', () => {
    assert.throws(
      () => {
        throw no('Mailbox does not exist').code('TRYCREATE');
      },
      (e: unknown) => e instanceof Error && (e as ReturnType<typeof no>).responseCode?.name === 'TRYCREATE',
    );
  });
  test('parse errors become BAD or NO with their code', () => {
    try {
      parse('t1 SEARCH CHARSET KOI9 ALL');
      assert.fail('no error');
    } catch (err) {
      const { tag, response } = parseErrorResponse(err as ImapParseError);
      assert.equal(
        response.encode(tag).toString(),
        't1 NO [BADCHARSET (UTF-8 US-ASCII)] unsupported charset KOI9\r\n',
      );
    }
  });
  test('continuation', () => assert.equal(continuation().toString(), '+ Ready\r\n'));
});

describe('untagged responses', () => {
  test('CAPABILITY, FLAGS', () => {
    assert.equal(
      capabilityResponse(['IMAP4rev2', 'IMAP4rev1']).toString(),
      '* CAPABILITY IMAP4rev2 IMAP4rev1\r\n',
    );
    assert.equal(flagsResponse(['\\Seen', '$Junk']).toString(), '* FLAGS (\\Seen $Junk)\r\n');
  });
  test('LIST with modified UTF-7 and UTF-8 names', () => {
    const entry = { attributes: ['\\HasNoChildren', '\\Drafts'], delimiter: '/', name: 'Entwürfe' };
    assert.equal(
      listResponse(entry, false).toString(),
      '* LIST (\\HasNoChildren \\Drafts) "/" Entw&APw-rfe\r\n',
    );
    assert.equal(
      listResponse(entry, true).toString(),
      '* LIST (\\HasNoChildren \\Drafts) "/" "Entwürfe"\r\n',
    );
    assert.equal(
      listResponse({ attributes: [], delimiter: '/', name: 'a b' }, false, 'LSUB').toString(),
      '* LSUB () "/" "a b"\r\n',
    );
  });
  test('LIST with extended data (RFC 5258 CHILDINFO)', () => {
    const entry = {
      attributes: ['\\Subscribed'],
      delimiter: '/',
      name: 'Foo',
      extended: [['CHILDINFO', ['SUBSCRIBED']]] as Array<[string, ImapValue]>,
    };
    assert.equal(
      listResponse(entry, false).toString(),
      '* LIST (\\Subscribed) "/" Foo (CHILDINFO ("SUBSCRIBED"))\r\n',
    );
  });
  test('STATUS', () => {
    assert.equal(
      statusResponse(
        'blurdybloop',
        [
          ['MESSAGES', 231],
          ['UIDNEXT', 44292],
        ],
        false,
      ).toString(),
      '* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n',
    );
  });
  test('SEARCH and ESEARCH', () => {
    assert.equal(searchResponse([2, 3, 6]).toString(), '* SEARCH 2 3 6\r\n');
    assert.equal(searchResponse([]).toString(), '* SEARCH\r\n');
    assert.equal(searchResponse([4], 917162500).toString(), '* SEARCH 4 (MODSEQ 917162500)\r\n');
    assert.equal(
      esearchResponse({ tag: 'A282', uid: false, min: 2, count: 3 }).toString(),
      '* ESEARCH (TAG "A282") MIN 2 COUNT 3\r\n',
    );
    assert.equal(
      esearchResponse({ tag: 'a', uid: true, all: [5, 1, 2, 3], max: 5 }).toString(),
      '* ESEARCH (TAG "a") UID MAX 5 ALL 1:3,5\r\n',
    );
    assert.equal(esearchResponse({ tag: 'a', uid: false, all: [] }).toString(), '* ESEARCH (TAG "a")\r\n');
  });
  test('VANISHED, NAMESPACE, ID', () => {
    assert.equal(vanishedResponse([41, 43, 44, 45], true).toString(), '* VANISHED (EARLIER) 41,43:45\r\n');
    assert.equal(vanishedResponse([7], false).toString(), '* VANISHED 7\r\n');
    assert.equal(
      namespaceResponse([{ prefix: '', delimiter: '/' }], null, null, false).toString(),
      '* NAMESPACE (("" "/")) NIL NIL\r\n',
    );
    assert.equal(
      idResponse([
        ['name', 'Posthorn'],
        ['os', null],
      ]).toString(),
      '* ID ("name" "Posthorn" "os" NIL)\r\n',
    );
    assert.equal(idResponse(null).toString(), '* ID NIL\r\n');
  });
  test('FETCH with a literal kept as its own chunk', () => {
    const body = Buffer.from('Subject: x\r\n\r\nhi');
    const chunks = fetchResponse(12, [
      ['UID', 5],
      ['FLAGS', flagsValue(['\\Seen', '$Junk'])],
      ['BODY[]', body],
    ]);
    assert.ok(chunks.includes(body), 'the body buffer is not copied');
    assert.equal(
      Buffer.concat(chunks).toString(),
      `* 12 FETCH (UID 5 FLAGS (\\Seen $Junk) BODY[] {16}\r\nSubject: x\r\n\r\nhi)\r\n`,
    );
  });
});

describe('fetchItemName', () => {
  const name = (wire: string) => {
    const { command } = parse(`a FETCH 1 (${wire})`);
    assert.equal(command.name, 'FETCH');
    return (command as { attributes: FetchAttribute[] }).attributes.map(fetchItemName).join(' ');
  };
  const rows: Array<[string, string]> = [
    ['BODY.PEEK[]', 'BODY[]'],
    ['BODY[]<0.2048>', 'BODY[]<0>'],
    ['body.peek[header.fields (From "X(y)" to)]', 'BODY[HEADER.FIELDS (From "X(y)" to)]'],
    ['BODY[1.2.HEADER.FIELDS.NOT (X)]', 'BODY[1.2.HEADER.FIELDS.NOT (X)]'],
    ['BODY[2.MIME]', 'BODY[2.MIME]'],
    ['BODY[TEXT]<100.5>', 'BODY[TEXT]<100>'],
    ['BINARY.PEEK[1.1]<3.4>', 'BINARY[1.1]<3>'],
    ['BINARY.SIZE[2]', 'BINARY.SIZE[2]'],
    ['RFC822.HEADER UID', 'RFC822.HEADER UID'],
  ];
  for (const [wire, expected] of rows) test(wire, () => assert.equal(name(wire), expected));
});
