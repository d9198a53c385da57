import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapParseError, type Command, type SearchKey } from '../../src/imap/wire/index.ts';
import { parse } from './helpers.ts';

function search(wire: string | Buffer): Extract<Command, { name: 'SEARCH' }> {
  const { command } = parse(wire);
  assert.equal(command.name, 'SEARCH');
  return command as Extract<Command, { name: 'SEARCH' }>;
}

const criteria = (wire: string): SearchKey => search(wire).criteria;
const seen = (set: boolean): SearchKey => ({ type: 'flag', flag: '\\Seen', set });

describe('SEARCH keys', () => {
  const rows: Array<[string, SearchKey]> = [
    ['ALL', { type: 'all' }],
    ['answered', { type: 'flag', flag: '\\Answered', set: true }],
    ['UNANSWERED', { type: 'flag', flag: '\\Answered', set: false }],
    ['DELETED', { type: 'flag', flag: '\\Deleted', set: true }],
    ['UNDELETED', { type: 'flag', flag: '\\Deleted', set: false }],
    ['DRAFT', { type: 'flag', flag: '\\Draft', set: true }],
    ['UNDRAFT', { type: 'flag', flag: '\\Draft', set: false }],
    ['FLAGGED', { type: 'flag', flag: '\\Flagged', set: true }],
    ['UNFLAGGED', { type: 'flag', flag: '\\Flagged', set: false }],
    ['SEEN', seen(true)],
    ['UNSEEN', seen(false)],
    ['RECENT', { type: 'flag', flag: '\\Recent', set: true }],
    ['OLD', { type: 'flag', flag: '\\Recent', set: false }],
    ['NEW', { type: 'and', keys: [{ type: 'flag', flag: '\\Recent', set: true }, seen(false)] }],
    ['KEYWORD $Forwarded', { type: 'flag', flag: '$Forwarded', set: true }],
    ['UNKEYWORD Junk', { type: 'flag', flag: 'Junk', set: false }],
    ['BCC x', { type: 'header', field: 'bcc', value: 'x' }],
    ['CC "a b"', { type: 'header', field: 'cc', value: 'a b' }],
    ['FROM "Smith"', { type: 'header', field: 'from', value: 'Smith' }],
    ['SUBJECT {4}\r\nhi y', { type: 'header', field: 'subject', value: 'hi y' }],
    ['TO bob@example.org', { type: 'header', field: 'to', value: 'bob@example.org' }],
    ['HEADER Message-ID "<x@y>"', { type: 'header', field: 'message-id', value: '<x@y>' }],
    ['HEADER X-Spam ""', { type: 'header', field: 'x-spam', value: '' }],
    ['BODY hello', { type: 'body', value: 'hello' }],
    ['TEXT "string not in mailbox"', { type: 'text', value: 'string not in mailbox' }],
    ['BEFORE 1-Feb-1994', { type: 'internalDate', op: 'before', date: { year: 1994, month: 2, day: 1 } }],
    ['ON "01-feb-1994"', { type: 'internalDate', op: 'on', date: { year: 1994, month: 2, day: 1 } }],
    ['SINCE 29-Feb-2024', { type: 'internalDate', op: 'since', date: { year: 2024, month: 2, day: 29 } }],
    ['SENTBEFORE 1-Jan-2000', { type: 'sentDate', op: 'before', date: { year: 2000, month: 1, day: 1 } }],
    ['SENTON 31-Dec-1999', { type: 'sentDate', op: 'on', date: { year: 1999, month: 12, day: 31 } }],
    ['SENTSINCE 2-Mar-2001', { type: 'sentDate', op: 'since', date: { year: 2001, month: 3, day: 2 } }],
    ['LARGER 1000', { type: 'size', op: 'larger', size: 1000 }],
    ['SMALLER 99999999999', { type: 'size', op: 'smaller', size: 99999999999 }],
    [
      'UID 1:5,9',
      {
        type: 'uid',
        set: {
          kind: 'ranges',
          ranges: [
            { from: 1, to: 5 },
            { from: 9, to: 9 },
          ],
        },
      },
    ],
    ['UID $', { type: 'uid', set: { kind: 'saved' } }],
    ['2:*', { type: 'seq', set: { kind: 'ranges', ranges: [{ from: 2, to: '*' }] } }],
    ['$', { type: 'seq', set: { kind: 'saved' } }],
    ['NOT SEEN', { type: 'not', key: seen(true) }],
    [
      'OR SEEN FLAGGED',
      { type: 'or', left: seen(true), right: { type: 'flag', flag: '\\Flagged', set: true } },
    ],
    ['(SEEN)', seen(true)],
    [
      'OR (SEEN FROM x) NOT (UNSEEN)',
      {
        type: 'or',
        left: { type: 'and', keys: [seen(true), { type: 'header', field: 'from', value: 'x' }] },
        right: { type: 'not', key: seen(false) },
      },
    ],
    ['MODSEQ 620162338', { type: 'modSeq', modSeq: 620162338 as never, entry: null }],
    [
      'MODSEQ "/flags/\\\\draft" all 620162338',
      { type: 'modSeq', modSeq: 620162338 as never, entry: { name: '/flags/\\draft', kind: 'all' } },
    ],
    ['OLDER 3600', { type: 'age', op: 'older', seconds: 3600 }],
    ['YOUNGER 60', { type: 'age', op: 'younger', seconds: 60 }],
  ];
  for (const [keys, expected] of rows) {
    test(keys.replace(/\r\n/g, '⏎'), () => assert.deepEqual(criteria(`a SEARCH ${keys}`), expected));
  }

  test('several top-level keys are an AND', () => {
    assert.deepEqual(criteria('A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"'), {
      type: 'and',
      keys: [
        { type: 'flag', flag: '\\Flagged', set: true },
        { type: 'internalDate', op: 'since', date: { year: 1994, month: 2, day: 1 } },
        { type: 'not', key: { type: 'header', field: 'from', value: 'Smith' } },
      ],
    });
  });
});

describe('SEARCH RETURN and CHARSET', () => {
  test('plain SEARCH has no return options', () => {
    assert.equal(search('a SEARCH ALL').return, null);
    assert.equal(search('a SEARCH ALL').uid, false);
    assert.equal(search('a UID SEARCH ALL').uid, true);
  });
  test('RETURN (MIN COUNT)', () => {
    assert.deepEqual(search('A282 SEARCH RETURN (MIN COUNT) FLAGGED').return, {
      min: true,
      max: false,
      all: false,
      count: true,
      save: false,
    });
  });
  test('RETURN () means ALL (RFC 4731 §3.1)', () => {
    assert.deepEqual(search('A283 SEARCH RETURN () FLAGGED').return, {
      min: false,
      max: false,
      all: true,
      count: false,
      save: false,
    });
  });
  test('RETURN (SAVE) alone', () => {
    assert.deepEqual(search('a UID SEARCH RETURN (SAVE) UNSEEN').return, {
      min: false,
      max: false,
      all: false,
      count: false,
      save: true,
    });
  });
  test('CHARSET UTF-8 with a literal (RFC 9051 §6.4.4 example)', () => {
    const s = search('A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nмаркда');
    assert.equal(s.charset, 'UTF-8');
    assert.deepEqual(s.criteria, { type: 'text', value: 'маркда' });
  });
  test('CHARSET ISO-8859-1 decodes search strings', () => {
    const s = search(
      Buffer.concat([
        Buffer.from('a SEARCH CHARSET iso-8859-1 SUBJECT {3}\r\n'),
        Buffer.from([0x63, 0x61, 0xe9]),
      ]),
    );
    assert.equal(s.charset, 'ISO-8859-1');
    assert.deepEqual(s.criteria, { type: 'header', field: 'subject', value: 'caé' });
  });
  test('an unknown CHARSET is NO [BADCHARSET (UTF-8 US-ASCII)], not BAD', () => {
    assert.throws(
      () => parse('a SEARCH CHARSET X-KLINGON TEXT x'),
      (err: unknown) =>
        err instanceof ImapParseError &&
        err.status === 'NO' &&
        err.tag === 'a' &&
        err.code?.name === 'BADCHARSET' &&
        JSON.stringify(err.code.args) === '[["UTF-8","US-ASCII"]]',
    );
  });
  test('invalid UTF-8 in a UTF-8 search string is BAD', () => {
    assert.throws(
      () => parse(Buffer.concat([Buffer.from('a SEARCH TEXT {2}\r\n'), Buffer.from([0xc3, 0x28])])),
      /invalid UTF-8/,
    );
  });
});

describe('SEARCH errors', () => {
  const bad: Array<[string, RegExp]> = [
    ['a SEARCH', /expected SP/],
    ['a SEARCH (SEEN', /\) to close/],
    ['a SEARCH SEEN)', /unexpected "\)"/],
    ['a SEARCH ()', /expected search key/],
    ['a SEARCH OR SEEN', /expected SP/],
    ['a SEARCH FOO', /unknown search key FOO/],
    ['a SEARCH BEFORE 30-Feb-2024', /invalid date/],
    ['a SEARCH BEFORE 1-Foo-2024', /invalid month/],
    ['a SEARCH SINCE 1994-02-01', /invalid date/],
    ['a SEARCH LARGER -5', /expected size/],
    ['a SEARCH LARGER 99999999999999999999', /exceeds 2\^63-1|too large/],
    ['a SEARCH UID 0', /0 is not a valid/],
    ['a SEARCH 1:5,$', /invalid sequence set element/],
    ['a SEARCH RETURN (FOO) ALL', /unknown search return option/],
    ['a SEARCH HEADER "a:b" x', /invalid header field name/],
    ['a SEARCH  ALL', /expected search key/],
    ['a SEARCH MODSEQ "/flags/x" bogus 5', /invalid entry type/],
  ];
  for (const [wire, message] of bad) {
    test(wire, () =>
      assert.throws(
        () => parse(wire),
        (err: unknown) => err instanceof ImapParseError && err.status === 'BAD' && message.test(err.message),
      ),
    );
  }

  test('nesting is capped (parentheses)', () => {
    const deep = 'a SEARCH ' + '('.repeat(40) + 'ALL' + ')'.repeat(40);
    assert.throws(() => parse(deep), /nested too deeply/);
    assert.doesNotThrow(() => parse('a SEARCH ' + '('.repeat(30) + 'ALL' + ')'.repeat(30)));
  });
  test('nesting is capped (NOT chains) and the cap is configurable', () => {
    assert.throws(() => parse('a SEARCH ' + 'NOT '.repeat(10_000) + 'ALL'), /nested too deeply/);
    assert.throws(() => parse('a SEARCH NOT NOT NOT ALL', { maxSearchDepth: 2 }), /nested too deeply/);
  });
});
