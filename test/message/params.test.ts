import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseContentDisposition,
  parseContentType,
  parseHeaderValueWithParams,
} from '../../src/message/params.ts';

describe('parseHeaderValueWithParams', () => {
  const cases: Array<[string, string, Record<string, string>]> = [
    ['text/plain', 'text/plain', {}],
    ['text/plain; charset="us-ascii"', 'text/plain', { charset: 'us-ascii' }],
    [
      'TEXT/HTML ; CHARSET=UTF-8 (comment) ; format=flowed',
      'text/html',
      { charset: 'UTF-8', format: 'flowed' },
    ],
    ['text/plain (a comment) ; charset=utf-8', 'text/plain', { charset: 'utf-8' }],
    ['multipart/mixed; boundary="foo\\"bar"', 'multipart/mixed', { boundary: 'foo"bar' }],
    ['multipart/mixed; boundary="semi;colon"; x=y', 'multipart/mixed', { boundary: 'semi;colon', x: 'y' }],
    ['multipart/mixed; boundary==_abc==_', 'multipart/mixed', { boundary: '=_abc==_' }],
    ['multipart/mixed;\r\n boundary="folded"', 'multipart/mixed', { boundary: 'folded' }],
    ['text/plain; a=1; A=2', 'text/plain', { a: '1' }], // first wins, names case-insensitive
    ['text/plain; a="unterminated', 'text/plain', { a: 'unterminated' }],
    ['attachment; filename=report (1).pdf', 'attachment', { filename: 'report (1).pdf' }],
    ['attachment; filename=x.pdf (the report)', 'attachment', { filename: 'x.pdf' }],
    ['attachment; filename="a.txt" junk; size=3', 'attachment', { filename: 'a.txt', size: '3' }],
    ['; ; ;', '', {}],
    ['text/plain; noequals; =novalue; a=b', 'text/plain', { a: 'b' }],
  ];
  for (const [input, value, params] of cases) {
    test(JSON.stringify(input), () => assert.deepEqual(parseHeaderValueWithParams(input), { value, params }));
  }

  test('RFC 2231 §3 continuations joined in index order', () => {
    const r = parseHeaderValueWithParams('message/external-body; URL*1="/b/"; URL*0="ftp://"; URL*2="c.txt"');
    assert.deepEqual(r.params, { url: 'ftp:///b/c.txt' });
  });

  test('RFC 2231 §4 charset and language, percent-encoding, mixed encoded and plain segments', () => {
    assert.deepEqual(
      parseHeaderValueWithParams(
        "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
      ).params,
      { title: 'This is ***fun***' },
    );
    assert.deepEqual(
      parseHeaderValueWithParams(
        `application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2="isn't it!"`,
      ).params,
      { title: "This is even more ***fun*** isn't it!" },
    );
    assert.deepEqual(parseHeaderValueWithParams("a; filename*=iso-8859-1''caf%E9.txt").params, {
      filename: 'café.txt',
    });
    // A multi-byte UTF-8 character split across segments survives.
    assert.deepEqual(parseHeaderValueWithParams("a; n*0*=utf-8''%E2%82; n*1*=%AC").params, { n: '€' });
    // Unknown charset: bytes decoded as UTF-8 if valid else Latin-1.
    assert.deepEqual(parseHeaderValueWithParams("a; n*=x-martian''%E9t%E9").params, { n: 'été' });
    // Missing charset'lang' prefix tolerated; quoted extended value (seen in the wild) still decoded.
    assert.deepEqual(parseHeaderValueWithParams('a; n*=plain%20text').params, { n: 'plain text' });
    assert.deepEqual(parseHeaderValueWithParams(`a; n*="utf-8''%E2%82%AC"`).params, { n: '€' });
  });

  test('an RFC 2231 value wins over the plain parameter of the same name', () => {
    assert.deepEqual(
      parseHeaderValueWithParams(`attachment; filename="fallback.txt"; filename*=utf-8''r%C3%A9el.txt`)
        .params,
      { filename: 'réel.txt' },
    );
  });

  test('RFC 2047 words inside quoted values are decoded, except for boundary', () => {
    assert.deepEqual(parseHeaderValueWithParams('attachment; filename="=?UTF-8?B?w6kuZG9j?="').params, {
      filename: 'é.doc',
    });
    assert.deepEqual(parseHeaderValueWithParams('multipart/mixed; boundary="=?utf-8?q?x?="').params, {
      boundary: '=?utf-8?q?x?=',
    });
  });

  test('prototype-named parameters are plain own properties', () => {
    const { params } = parseHeaderValueWithParams('text/plain; __proto__=x; constructor=y; toString=z');
    assert.equal(Object.getPrototypeOf(params), Object.prototype);
    assert.deepEqual(Object.keys(params), ['__proto__', 'constructor', 'tostring']);
    assert.equal(params['constructor'], 'y');
  });
});

describe('parseContentType / parseContentDisposition', () => {
  test('valid and invalid types', () => {
    assert.deepEqual(parseContentType('Text/Plain; Charset=UTF-8'), {
      type: 'text',
      subtype: 'plain',
      params: { charset: 'UTF-8' },
    });
    assert.deepEqual(parseContentType('text / plain'), { type: 'text', subtype: 'plain', params: {} });
    assert.equal(parseContentType(null), null);
    assert.equal(parseContentType('text'), null);
    assert.equal(parseContentType('text/'), null);
    assert.equal(parseContentType('/plain'), null);
    assert.equal(parseContentType('te xt/plain'), null);
    assert.equal(parseContentType(''), null);
  });

  test('dispositions', () => {
    assert.deepEqual(parseContentDisposition('Attachment; FileName="a b.txt"'), {
      type: 'attachment',
      params: { filename: 'a b.txt' },
    });
    assert.equal(parseContentDisposition(null), null);
    assert.equal(parseContentDisposition('; filename=x'), null);
  });
});
