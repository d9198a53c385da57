import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  InvalidAddress,
  normalizeDomain,
  parseAddress,
  parseAliasAddress,
  splitSubaddress,
} from '../../src/accounts/index.ts';

test('normal form: domain lower-cased and IDNA A-labels, local part kept', () => {
  const cases: Array<[string, string]> = [
    ['alice@crepes.fr', 'alice@crepes.fr'],
    ['Alice@CREPES.FR', 'Alice@crepes.fr'],
    ['bob@hamburger.edu.', 'bob@hamburger.edu'],
    ['jörg@bücher.example', 'jörg@xn--bcher-kva.example'],
    ['user@ＥＸＡＭＰＬＥ.com', 'user@example.com'],
    ['first.last+tag@sub.domain.example', 'first.last+tag@sub.domain.example'],
    ["o'brien!#$%&*/=?^_`{|}~-@x.example", "o'brien!#$%&*/=?^_`{|}~-@x.example"],
    ['"alice"@crepes.fr', 'alice@crepes.fr'],
    ['"john doe"@crepes.fr', '"john doe"@crepes.fr'],
    ['"a\\"b"@crepes.fr', '"a\\"b"@crepes.fr'],
    ['"at@sign"@crepes.fr', '"at@sign"@crepes.fr'],
    ['postmaster@localhost', 'postmaster@localhost'],
  ];
  for (const [input, expected] of cases) assert.equal(parseAddress(input).address, expected, input);
  assert.deepEqual(parseAddress('Alice@Crepes.FR'), {
    local: 'Alice',
    domain: 'crepes.fr',
    address: 'Alice@crepes.fr',
  });
});

test('bad addresses are refused with a message naming the problem', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /address is empty/],
    ['alice', /no "@"/],
    ['@crepes.fr', /local part \(before "@"\) is empty/],
    ['alice@', /domain is empty/],
    ['.alice@crepes.fr', /local part starts with a dot/],
    ['alice.@crepes.fr', /local part ends with a dot/],
    ['al..ice@crepes.fr', /two dots in a row/],
    ['al ice@crepes.fr', /contains a space/],
    ['al,ice@crepes.fr', /contains ","/],
    ['a(b)@crepes.fr', /contains "\("/],
    ['a\u0001b@crepes.fr', /control character \(U\+0001\)/],
    ['"unterminated\\"@crepes.fr', /lone backslash/],
    ['""@crepes.fr', /empty quoted string/],
    [`${'a'.repeat(65)}@crepes.fr`, /longer than 64 octets/],
    [`${'ä'.repeat(33)}@crepes.fr`, /longer than 64 octets/],
    [
      `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}`,
      /longer than 254 octets/,
    ],
    [`a@${'b'.repeat(64)}.example`, /label longer than 63/],
    ['alice@crepes..fr', /empty label|not a valid/],
    ['alice@-crepes.fr', /starts or ends with "-"/],
    ['alice@crepes_fr.example', /contains "_"/],
    ['alice@crepes fr', /contains a space/],
    ['alice@[192.0.2.1]', /address literals/],
    ['alice@192.0.2.1', /looks like an IP address/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseAddress(input),
      (error: Error) => error instanceof InvalidAddress && message.test(error.message),
      `${JSON.stringify(input)} should fail with ${message}`,
    );
  }
});

test('catch-all "@domain" is an alias address only', () => {
  assert.deepEqual(parseAliasAddress('@Crepes.FR'), {
    local: '',
    domain: 'crepes.fr',
    address: '@crepes.fr',
  });
  assert.equal(parseAliasAddress('info@crepes.fr').address, 'info@crepes.fr');
  assert.throws(() => parseAliasAddress('@'), InvalidAddress);
  assert.throws(() => parseAddress('@crepes.fr'), InvalidAddress);
});

test('normalizeDomain', () => {
  assert.equal(normalizeDomain('Hamburger.EDU'), 'hamburger.edu');
  assert.equal(normalizeDomain('münchen.de'), 'xn--mnchen-3ya.de');
  assert.equal(normalizeDomain('xn--mnchen-3ya.de'), 'xn--mnchen-3ya.de');
  assert.throws(() => normalizeDomain(''), /empty/);
  assert.throws(() => normalizeDomain('a b'), /space/);
  // URL-host parsing would otherwise cut these short ("a/b.example" -> "a").
  for (const bad of ['a/b.example', 'a?b.example', 'a#b.example', 'a:25', 'a_b.example']) {
    assert.throws(() => normalizeDomain(bad), /contains/, bad);
  }
});

test('splitSubaddress', () => {
  assert.deepEqual(splitSubaddress('bob+lists', '+'), { base: 'bob', tag: 'lists' });
  assert.deepEqual(splitSubaddress('bob+a+b', '+'), { base: 'bob', tag: 'a+b' });
  assert.deepEqual(splitSubaddress('bob+', '+'), { base: 'bob', tag: '' });
  assert.equal(splitSubaddress('+tag', '+'), null);
  assert.equal(splitSubaddress('bob', '+'), null);
  assert.deepEqual(splitSubaddress('bob-lists', '-'), { base: 'bob', tag: 'lists' });
});
