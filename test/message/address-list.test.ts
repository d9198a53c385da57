import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatAddress,
  formatAddressList,
  isGroupEnd,
  isGroupStart,
  MISSING_DOMAIN,
  MISSING_MAILBOX,
  parseAddressList,
  plainAddresses,
} from '../../src/message/address-list.ts';
import type { EnvelopeAddress } from '../../src/message/types.ts';

const triples = (value: string): Array<[string | null, string | null, string | null]> =>
  parseAddressList(value).map((a) => [a.name, a.mailbox, a.host]);

describe('parseAddressList', () => {
  const cases: Array<[string, Array<[string | null, string | null, string | null]>]> = [
    ['john@example.com', [[null, 'john', 'example.com']]],
    ['John Doe <john@example.com>', [['John Doe', 'john', 'example.com']]],
    ['<john@example.com>', [[null, 'john', 'example.com']]],
    ['"Doe, John" <john@example.com>', [['Doe, John', 'john', 'example.com']]],
    ['"Quote \\" inside" <q@x.org>', [['Quote " inside', 'q', 'x.org']]],
    ['john@example.com (John Doe)', [['John Doe', 'john', 'example.com']]],
    ['John Q. Public <JQB@bar.com>', [['John Q. Public', 'JQB', 'bar.com']]],
    ['"john doe"@example.com', [[null, 'john doe', 'example.com']]],
    ['<@route1,@route2:user@host.com>', [[null, 'user', 'host.com']]],
    ['Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>', [['Pete', 'pete', 'silly.test']]],
    ['user@[192.168.0.1]', [[null, 'user', '[192.168.0.1]']]],
    ['jdoe@test  . example', [[null, 'jdoe', 'test.example']]],
    [
      '=?utf-8?q?Andr=C3=A9?= =?utf-8?q?_Pirard?= <p@vm1.ulg.ac.be>',
      [['André Pirard', 'p', 'vm1.ulg.ac.be']],
    ],
    ['"=?utf-8?B?SsO2cmc=?=" <j@x.de>', [['Jörg', 'j', 'x.de']]],
    ['Jörg Müller <joerg@example.de>', [['Jörg Müller', 'joerg', 'example.de']]],
    [
      'a@b.c, , ,d@e.f',
      [
        [null, 'a', 'b.c'],
        [null, 'd', 'e.f'],
      ],
    ],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.deepEqual(triples(input), expected));
  }

  test('groups: empty group, members, missing ";"', () => {
    assert.deepEqual(parseAddressList('undisclosed-recipients:;'), [
      { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
      { name: null, adl: null, mailbox: null, host: null },
    ]);
    assert.deepEqual(triples('Team: a@x.org, "B" <b@y.org>; c@z.org'), [
      [null, 'Team', null],
      [null, 'a', 'x.org'],
      ['B', 'b', 'y.org'],
      [null, null, null],
      [null, 'c', 'z.org'],
    ]);
    assert.deepEqual(triples('Open: a@x.org'), [
      [null, 'Open', null],
      [null, 'a', 'x.org'],
      [null, null, null],
    ]);
    assert.deepEqual(triples('=?utf-8?q?Gr=C3=BCppe?=:;'), [
      [null, 'Grüppe', null],
      [null, null, null],
    ]);
  });

  test('broken input: missing parts are named, nothing is lost or thrown', () => {
    assert.deepEqual(triples('root'), [[null, 'root', MISSING_DOMAIN]]);
    assert.deepEqual(triples('Just A Name'), [['Just A Name', MISSING_MAILBOX, MISSING_DOMAIN]]);
    assert.deepEqual(triples('@example.com'), [[null, MISSING_MAILBOX, 'example.com']]);
    assert.deepEqual(triples('a@'), [[null, 'a', MISSING_DOMAIN]]);
    assert.deepEqual(triples('John Doe john@example.com'), [['John Doe', 'john', 'example.com']]);
    assert.deepEqual(triples('broken <no-close@x.org, other@y.org'), [
      ['broken', 'no-close', 'x.org'],
      [null, 'other', 'y.org'],
    ]);
    assert.deepEqual(parseAddressList(''), []);
    assert.deepEqual(parseAddressList('  ,  ; '), []);
    assert.deepEqual(parseAddressList('<>'), []);
    for (const junk of ['"', '(', '<', '[', '\\', ':', '@', '"a', '(((', 'a:b:c;d;', '<<<>>>', '"\\']) {
      assert.doesNotThrow(() => parseAddressList(junk), junk);
    }
  });

  test('no non-group address ever has a null host (that would read as a group marker)', () => {
    for (const input of ['x', 'x y', '@', 'a@', '<a>', 'n <>', '"q"', 'a.b', '(c) d']) {
      for (const a of parseAddressList(input)) {
        if (a.host === null) assert.ok(isGroupStart(a) || isGroupEnd(a), input);
      }
    }
  });
});

describe('formatting', () => {
  const address = (name: string | null, mailbox: string, host: string): EnvelopeAddress => ({
    name,
    adl: null,
    mailbox,
    host,
  });

  test('formatAddress quotes names and local parts only when needed', () => {
    assert.equal(formatAddress(address(null, 'bob', 'hamburger.edu')), 'bob@hamburger.edu');
    assert.equal(formatAddress(address('Bob', 'bob', 'hamburger.edu')), 'Bob <bob@hamburger.edu>');
    assert.equal(formatAddress(address('Doe, John', 'j', 'x.org')), '"Doe, John" <j@x.org>');
    assert.equal(formatAddress(address('Say "hi"', 'j', 'x.org')), '"Say \\"hi\\"" <j@x.org>');
    assert.equal(formatAddress(address('Jörg', 'j', 'x.de')), 'Jörg <j@x.de>');
    assert.equal(formatAddress(address(null, 'john doe', 'x.org')), '"john doe"@x.org');
    assert.equal(formatAddress(address(null, 'root', MISSING_DOMAIN)), 'root');
    assert.equal(formatAddress(address('Nobody', MISSING_MAILBOX, MISSING_DOMAIN)), 'Nobody');
  });

  test('formatAddressList writes groups back', () => {
    const list = parseAddressList('Team: a@x.org, B <b@y.org>;, c@z.org, undisclosed-recipients:;');
    assert.equal(formatAddressList(list), 'Team: a@x.org, B <b@y.org>;, c@z.org, undisclosed-recipients:;');
  });

  test('round trip: parse(format(parse(x))) equals parse(x)', () => {
    for (const input of [
      '"Doe, John" <john@example.com>, jane@example.org (Jane Roe)',
      '"john doe"@example.com',
      'Team: a@x.org, "B \\"the\\" one" <b@y.org>;',
    ]) {
      const once = parseAddressList(input);
      assert.deepEqual(parseAddressList(formatAddressList(once)), once, input);
    }
  });

  test('plainAddresses skips group markers and nameless junk', () => {
    const list = parseAddressList('Team: A <a@x.org>;, root, Just A Name, "j d"@y.org');
    assert.deepEqual(plainAddresses(list), ['a@x.org', 'root', '"j d"@y.org']);
  });
});
