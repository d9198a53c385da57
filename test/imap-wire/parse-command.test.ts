import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command, SequenceSet } from '../../src/imap/wire/index.ts';
import { parse } from './helpers.ts';

const set = (...ranges: Array<[number | '*', number | '*']>): SequenceSet => ({
  kind: 'ranges',
  ranges: ranges.map(([from, to]) => ({ from, to })),
});
const one = (n: number | '*'): SequenceSet => set([n, n]);

const noSelect = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
const noReturn = { subscribed: false, children: false, specialUse: false, status: null };

// Each row: wire text -> expected command (tag checked separately).
const TABLE: Array<[string, Command]> = [
  // RFC 9051 §8 sample session
  ['a001 login mrc secret', { name: 'LOGIN', userid: 'mrc', password: 'secret' }],
  ['a002 select inbox', { name: 'SELECT', mailbox: 'INBOX', condstore: false, qresync: null }],
  [
    'a003 fetch 12 full',
    {
      name: 'FETCH',
      uid: false,
      set: one(12),
      attributes: [
        { kind: 'FLAGS' },
        { kind: 'INTERNALDATE' },
        { kind: 'RFC822.SIZE' },
        { kind: 'ENVELOPE' },
        { kind: 'BODY' },
      ],
      changedSince: null,
      vanished: false,
    },
  ],
  [
    'a004 fetch 12 body[header]',
    {
      name: 'FETCH',
      uid: false,
      set: one(12),
      attributes: [{ kind: 'BODY[]', section: { part: [], text: 'HEADER' }, partial: null, peek: false }],
      changedSince: null,
      vanished: false,
    },
  ],
  [
    'a005 store 12 +flags \\deleted',
    {
      name: 'STORE',
      uid: false,
      set: one(12),
      op: 'add',
      silent: false,
      flags: ['\\Deleted'],
      unchangedSince: null,
    },
  ],
  ['a006 logout', { name: 'LOGOUT' }],
  // simple commands
  ['abcd CAPABILITY', { name: 'CAPABILITY' }],
  ['a002 NOOP', { name: 'NOOP' }],
  ['a1 STARTTLS', { name: 'STARTTLS' }],
  ['A302 NAMESPACE', { name: 'NAMESPACE' }],
  ['a IDLE', { name: 'IDLE' }],
  ['a CHECK', { name: 'CHECK' }],
  ['a CLOSE', { name: 'CLOSE' }],
  ['a UNSELECT', { name: 'UNSELECT' }],
  ['A202 EXPUNGE', { name: 'EXPUNGE' }],
  ['A003 UID EXPUNGE 3000:3002', { name: 'UID EXPUNGE', set: set([3000, 3002]) }],
  ['a ENABLE IMAP4rev2 condstore', { name: 'ENABLE', capabilities: ['IMAP4REV2', 'CONDSTORE'] }],
  ['a001 AUTHENTICATE GSSAPI', { name: 'AUTHENTICATE', mechanism: 'GSSAPI', initialResponse: null }],
  [
    'a AUTHENTICATE PLAIN AGJvYgBwYXNz',
    { name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: Buffer.from('\0bob\0pass') },
  ],
  [
    'a AUTHENTICATE EXTERNAL =',
    { name: 'AUTHENTICATE', mechanism: 'EXTERNAL', initialResponse: Buffer.alloc(0) },
  ],
  ['a LOGIN "fred\\"x" "p\\\\w"', { name: 'LOGIN', userid: 'fred"x', password: 'p\\w' }],
  ['a LOGIN {4}\r\nfred {6+}\r\nse cr3', { name: 'LOGIN', userid: 'fred', password: 'se cr3' }],
  // mailbox commands
  ['A142 EXAMINE blurdybloop', { name: 'EXAMINE', mailbox: 'blurdybloop', condstore: false, qresync: null }],
  ['a SELECT INBOX (CONDSTORE)', { name: 'SELECT', mailbox: 'INBOX', condstore: true, qresync: null }],
  [
    'A02 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))',
    {
      name: 'SELECT',
      mailbox: 'INBOX',
      condstore: false,
      qresync: {
        uidValidity: 67890007,
        modSeq: Number.MAX_SAFE_INTEGER as never,
        knownUids: set([41, 211], [214, 541]),
        seqMatch: null,
      },
    },
  ],
  [
    'B04 SELECT INBOX (QRESYNC (67890007 1234 1:29997 (5000,7500 15000,22500)))',
    {
      name: 'SELECT',
      mailbox: 'INBOX',
      condstore: false,
      qresync: {
        uidValidity: 67890007,
        modSeq: 1234 as never,
        knownUids: set([1, 29997]),
        seqMatch: { seqs: set([5000, 5000], [7500, 7500]), uids: set([15000, 15000], [22500, 22500]) },
      },
    },
  ],
  [
    'a SELECT x (QRESYNC (1 2 (3 4)))',
    {
      name: 'SELECT',
      mailbox: 'x',
      condstore: false,
      qresync: {
        uidValidity: 1,
        modSeq: 2 as never,
        knownUids: null,
        seqMatch: { seqs: one(3), uids: one(4) },
      },
    },
  ],
  ['A003 CREATE owatagusiam/', { name: 'CREATE', mailbox: 'owatagusiam/', specialUse: [] }],
  [
    't1 CREATE MySpecial (USE (\\Drafts \\sent))',
    { name: 'CREATE', mailbox: 'MySpecial', specialUse: ['\\Drafts', '\\Sent'] },
  ],
  ['A683 DELETE blurdybloop', { name: 'DELETE', mailbox: 'blurdybloop' }],
  ['A683 RENAME blurdybloop sarasoop', { name: 'RENAME', from: 'blurdybloop', to: 'sarasoop' }],
  ['A002 SUBSCRIBE #news.comp.mail.mime', { name: 'SUBSCRIBE', mailbox: '#news.comp.mail.mime' }],
  ['A002 UNSUBSCRIBE "a b"', { name: 'UNSUBSCRIBE', mailbox: 'a b' }],
  [
    'A042 STATUS blurdybloop (UIDNEXT MESSAGES deleted SIZE HIGHESTMODSEQ APPENDLIMIT)',
    {
      name: 'STATUS',
      mailbox: 'blurdybloop',
      items: ['UIDNEXT', 'MESSAGES', 'DELETED', 'SIZE', 'HIGHESTMODSEQ', 'APPENDLIMIT'],
    },
  ],
  [
    'A101 LIST "" ""',
    { name: 'LIST', reference: '', patterns: [''], select: noSelect, return: noReturn, extended: false },
  ],
  [
    'A682 LIST "" *',
    { name: 'LIST', reference: '', patterns: ['*'], select: noSelect, return: noReturn, extended: false },
  ],
  [
    'A202 LIST ~/Mail/ %',
    {
      name: 'LIST',
      reference: '~/Mail/',
      patterns: ['%'],
      select: noSelect,
      return: noReturn,
      extended: false,
    },
  ],
  [
    'A02 LIST (SPECIAL-USE) "" "*"',
    {
      name: 'LIST',
      reference: '',
      patterns: ['*'],
      select: { ...noSelect, specialUse: true },
      return: noReturn,
      extended: true,
    },
  ],
  [
    'A04 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" "Foo/%") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))',
    {
      name: 'LIST',
      reference: '',
      patterns: ['INBOX', 'Foo/%'],
      select: { ...noSelect, subscribed: true, recursiveMatch: true },
      return: { subscribed: false, children: true, specialUse: true, status: ['MESSAGES', 'UNSEEN'] },
      extended: true,
    },
  ],
  ['A002 LSUB "#news." "comp.mail.*"', { name: 'LSUB', reference: '#news.', pattern: 'comp.mail.*' }],
  [
    'A003 APPEND saved-messages (\\Seen) {5}\r\nhello',
    {
      name: 'APPEND',
      mailbox: 'saved-messages',
      messages: [
        { flags: ['\\Seen'], internalDate: null, data: Buffer.from('hello'), binary: false, utf8: false },
      ],
    },
  ],
  [
    'a APPEND INBOX "05-Jan-2024 10:00:00 +0100" ~{3}\r\na\0b',
    {
      name: 'APPEND',
      mailbox: 'INBOX',
      messages: [
        {
          flags: [],
          internalDate: new Date('2024-01-05T09:00:00Z'),
          data: Buffer.from('a\0b'),
          binary: true,
          utf8: false,
        },
      ],
    },
  ],
  [
    'a APPEND INBOX UTF8 (~{2}\r\nhi) (\\Flagged) {2+}\r\nyo',
    {
      name: 'APPEND',
      mailbox: 'INBOX',
      messages: [
        { flags: [], internalDate: null, data: Buffer.from('hi'), binary: true, utf8: true },
        { flags: ['\\Flagged'], internalDate: null, data: Buffer.from('yo'), binary: false, utf8: false },
      ],
    },
  ],
  // message commands
  [
    'A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])',
    {
      name: 'FETCH',
      uid: false,
      set: set([2, 4]),
      attributes: [
        { kind: 'FLAGS' },
        {
          kind: 'BODY[]',
          section: { part: [], text: { fields: ['DATE', 'FROM'], not: false } },
          partial: null,
          peek: false,
        },
      ],
      changedSince: null,
      vanished: false,
    },
  ],
  [
    'A999 UID FETCH 4827313:4828442 FLAGS',
    {
      name: 'FETCH',
      uid: true,
      set: set([4827313, 4828442]),
      attributes: [{ kind: 'FLAGS' }],
      changedSince: null,
      vanished: false,
    },
  ],
  [
    'a FETCH * (BODY.PEEK[1.2.MIME] BODY[3.TEXT]<10.20> body[1.header.fields.not ("x-a" b)] BINARY.PEEK[1]<0.5> BINARY.SIZE[2] BINARY[] RFC822 RFC822.HEADER RFC822.TEXT BODYSTRUCTURE UID MODSEQ)',
    {
      name: 'FETCH',
      uid: false,
      set: one('*'),
      attributes: [
        { kind: 'BODY[]', section: { part: [1, 2], text: 'MIME' }, partial: null, peek: true },
        {
          kind: 'BODY[]',
          section: { part: [3], text: 'TEXT' },
          partial: { offset: 10, length: 20 },
          peek: false,
        },
        {
          kind: 'BODY[]',
          section: { part: [1], text: { fields: ['x-a', 'b'], not: true } },
          partial: null,
          peek: false,
        },
        { kind: 'BINARY[]', part: [1], partial: { offset: 0, length: 5 }, peek: true },
        { kind: 'BINARY.SIZE', part: [2] },
        { kind: 'BINARY[]', part: [], partial: null, peek: false },
        { kind: 'RFC822' },
        { kind: 'RFC822.HEADER' },
        { kind: 'RFC822.TEXT' },
        { kind: 'BODYSTRUCTURE' },
        { kind: 'UID' },
        { kind: 'MODSEQ' },
      ],
      changedSince: null,
      vanished: false,
    },
  ],
  [
    's100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)',
    {
      name: 'FETCH',
      uid: true,
      set: set([300, 500]),
      attributes: [{ kind: 'FLAGS' }, { kind: 'MODSEQ' }],
      changedSince: 12345 as never,
      vanished: true,
    },
  ],
  [
    'a FETCH $ fast',
    {
      name: 'FETCH',
      uid: false,
      set: { kind: 'saved' },
      attributes: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }],
      changedSince: null,
      vanished: false,
    },
  ],
  [
    'a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)',
    {
      name: 'STORE',
      uid: true,
      set: set([6, 6], [4, 4], [8, 8]),
      op: 'add',
      silent: true,
      flags: ['\\Deleted'],
      unchangedSince: 12121230045 as never,
    },
  ],
  [
    'a STORE 1:* -FLAGS ($Junk \\SEEN $junk)',
    {
      name: 'STORE',
      uid: false,
      set: set([1, '*']),
      op: 'remove',
      silent: false,
      flags: ['$Junk', '\\Seen'],
      unchangedSince: null,
    },
  ],
  [
    'a STORE 5:1 FLAGS ()',
    {
      name: 'STORE',
      uid: false,
      set: set([5, 1]),
      op: 'set',
      silent: false,
      flags: [],
      unchangedSince: null,
    },
  ],
  ['A003 COPY 2:4 MEETING', { name: 'COPY', uid: false, set: set([2, 4]), mailbox: 'MEETING' }],
  ['a UID MOVE 42:69 foo', { name: 'MOVE', uid: true, set: set([42, 69]), mailbox: 'foo' }],
  [
    'a002 ID ("name" "sodr" "version" "19.34" "vendor" NIL)',
    {
      name: 'ID',
      params: [
        ['name', 'sodr'],
        ['version', '19.34'],
        ['vendor', null],
      ],
    },
  ],
  ['a ID NIL', { name: 'ID', params: null }],
];

describe('parseCommand: command table', () => {
  for (const [wire, expected] of TABLE) {
    test(wire.replace(/\r\n/g, '⏎').slice(0, 90), () => {
      const { tag, command } = parse(wire);
      assert.equal(tag, wire.slice(0, wire.indexOf(' ')));
      assert.deepEqual(command, expected);
    });
  }
});

describe('parseCommand: mailbox names', () => {
  test('modified UTF-7 names are decoded for IMAP4rev1 clients', () => {
    assert.deepEqual(parse('a SELECT Entw&APw-rfe').command, {
      name: 'SELECT',
      mailbox: 'Entwürfe',
      condstore: false,
      qresync: null,
    });
  });
  test('UTF-8 names are taken as is in UTF-8 mode, and & is literal', () => {
    assert.deepEqual(parse('a DELETE "Entwürfe & Co"', { utf8Mailboxes: true }).command, {
      name: 'DELETE',
      mailbox: 'Entwürfe & Co',
    });
  });
  test('8-bit names are refused for IMAP4rev1 clients', () => {
    assert.throws(() => parse('a DELETE "Entwürfe"'), /outside printable ASCII/);
  });
  test('INBOX is case-insensitive, also as a hierarchy prefix', () => {
    assert.deepEqual(parse('a RENAME iNbOx/Sub InBoxes').command, {
      name: 'RENAME',
      from: 'INBOX/Sub',
      to: 'InBoxes',
    });
  });
  test('LIST patterns with wildcards are decoded too', () => {
    const { command } = parse('a LIST "" &ZeVnLA-/*');
    assert.equal(command.name, 'LIST');
    if (command.name === 'LIST') assert.deepEqual(command.patterns, ['日本/*']);
  });
});
