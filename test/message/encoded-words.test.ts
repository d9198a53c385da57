import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEncodedWords } from '../../src/message/encoded-words.ts';
import { decodeCharset, decodeUnlabelled, isKnownCharset } from '../../src/message/charset.ts';

describe('decodeEncodedWords (RFC 2047)', () => {
  const cases: Array<[string, string]> = [
    ['plain text', 'plain text'],
    ['=?utf-8?q?caf=C3=A9?=', 'café'],
    ['=?UTF-8?Q?hello_world?=', 'hello world'],
    ['=?utf-8?b?Y2Fmw6k=?=', 'café'],
    ['=?ISO-8859-1?Q?Andr=E9?= Pirard', 'André Pirard'],
    // RFC 2047 §8 examples: whitespace between adjacent encoded words is dropped, elsewhere kept.
    ['(=?ISO-8859-1?Q?a?=)', '(a)'],
    ['(=?ISO-8859-1?Q?a?= b)', '(a b)'],
    ['(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)', '(ab)'],
    ['(=?ISO-8859-1?Q?a_b?=)', '(a b)'],
    ['(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)', '(a b)'],
    // A multi-byte character split over two words of the same charset.
    ['=?utf-8?B?4oK=?= =?utf-8?B?rA==?=', '€'],
    ['=?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?=', '€'],
    // RFC 2231 §5 language suffix.
    ['=?US-ASCII*EN?Q?Keith_Moore?=', 'Keith Moore'],
    // Lenient: glued to text.
    ['prefix=?utf-8?q?caf=C3=A9?=suffix', 'prefixcafésuffix'],
    // Invalid words stay as written.
    ['=?utf-8?X?abc?=', '=?utf-8?X?abc?='],
    ['=?utf-8?B?!!!?=', '=?utf-8?B?!!!?='],
    ['=?utf-8?q?unterminated', '=?utf-8?q?unterminated'],
    ['=?utf-8?q?=ZZ?=', '=ZZ'],
    ['=??q?x?=', '=??q?x?='],
    // Unknown or refused charsets fall back (UTF-8 if valid, else Latin-1).
    ['=?x-unknown?q?caf=E9?=', 'café'],
    ['=?x-unknown?q?caf=C3=A9?=', 'café'],
    ['=?utf-7?q?+ADw-?=', '+ADw-'],
    ['=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?=', 'こんにちは'],
    ['=?koi8-r?B?8NLJ18XU?=', 'Привет'],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.equal(decodeEncodedWords(input), expected));
  }
});

describe('charsets', () => {
  test('decodeUnlabelled: ASCII, UTF-8 if valid, else Latin-1', () => {
    assert.equal(decodeUnlabelled(Buffer.from('abc')), 'abc');
    assert.equal(decodeUnlabelled(Buffer.from('Grüße', 'utf8')), 'Grüße');
    assert.equal(decodeUnlabelled(Buffer.from('Grüße', 'latin1')), 'Grüße');
  });

  test('decodeCharset: declared charsets, wrong and unknown ones', () => {
    assert.equal(decodeCharset(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'ISO-8859-1'), 'café');
    assert.equal(decodeCharset(Buffer.from([0x93, 0x78, 0x94, 0x80]), 'windows-1252'), '“x”€');
    assert.equal(decodeCharset(Buffer.from('café', 'utf8'), 'us-ascii'), 'café'); // mislabelled UTF-8
    assert.equal(decodeCharset(Buffer.from('café', 'latin1'), 'us-ascii'), 'café'); // mislabelled Latin-1
    assert.equal(decodeCharset(Buffer.from('café', 'latin1'), 'x-nonsense'), 'café');
    assert.equal(decodeCharset(Buffer.from('café', 'utf8'), null), 'café');
    assert.equal(decodeCharset(Buffer.from('+ADw-script+AD4-'), 'utf-7'), '+ADw-script+AD4-');
    assert.equal(decodeCharset(Buffer.from('\x1b$B$3$s$K$A$O\x1b(B', 'latin1'), 'ISO-2022-JP'), 'こんにちは');
  });

  test('isKnownCharset', () => {
    for (const name of [
      'utf-8',
      'UTF8',
      'us-ascii',
      'iso-8859-15',
      'latin1',
      'windows-1251',
      'koi8-r',
      'gb2312',
      'shift_jis',
      'iso-2022-jp',
    ])
      assert.equal(isKnownCharset(name), true, name);
    for (const name of [
      'x-unknown',
      'utf-7',
      'unicode-1-1-utf-7',
      'base64',
      'hex',
      '__proto__',
      'constructor',
    ])
      assert.equal(isKnownCharset(name), false, name);
  });
});
