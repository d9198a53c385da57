import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { interpretMailParams, interpretRcptParams, parseOrcpt, splitParams } from './esmtp-params.ts';
import { serializeReply as formatReply } from './reply.ts';
import { decodeUtf8AddrXtext, decodeXtext, encodeXtext } from './xtext.ts';

const mail = (text: string) => interpretMailParams(splitParams(text)!);
const rcpt = (text: string) => interpretRcptParams(splitParams(text)!);
const err = (r: { ok: boolean; reply?: unknown }) =>
  r.ok ? 'ok' : formatReply((r as { reply: Parameters<typeof formatReply>[0] }).reply).trim();

describe('ESMTP parameters', () => {
  test('MAIL parameters', () => {
    assert.deepEqual(mail('SIZE=123 BODY=8bitmime SMTPUTF8 RET=hdrs ENVID=QQ+2BJ AUTH=<>'), {
      ok: true,
      value: { size: 123, body: '8BITMIME', smtputf8: true, ret: 'HDRS', envId: 'QQ+J', auth: '<>' },
    });
    assert.equal(err(mail('SIZE=x')), '501 5.5.4 Invalid value for parameter SIZE');
    assert.equal(err(mail('SIZE')), '501 5.5.4 Invalid value for parameter SIZE');
    assert.equal(err(mail('BODY=BINARYMIME')), '555 5.5.4 Unsupported parameter BODY=BINARYMIME');
    assert.equal(err(mail('SMTPUTF8=yes')), '501 5.5.4 Invalid value for parameter SMTPUTF8');
    assert.equal(err(mail('RET=ALL')), '501 5.5.4 Invalid value for parameter RET');
    assert.equal(err(mail('ENVID=' + 'a'.repeat(101))), '501 5.5.4 Invalid value for parameter ENVID');
    assert.equal(err(mail('XFOO=1')), '555 5.5.4 Unsupported parameter XFOO');
    assert.equal(err(mail('SIZE=1 size=2')), '501 5.5.4 Parameter SIZE given twice');
  });

  test('RCPT parameters', () => {
    assert.deepEqual(rcpt('NOTIFY=success,delay ORCPT=rfc822;bob+40example.org'), {
      ok: true,
      value: { notify: ['SUCCESS', 'DELAY'], orcpt: 'rfc822;bob@example.org' },
    });
    assert.deepEqual(rcpt('NOTIFY=NEVER'), { ok: true, value: { notify: ['NEVER'], orcpt: null } });
    assert.equal(err(rcpt('NOTIFY=NEVER,SUCCESS')), '501 5.5.4 Invalid value for parameter NOTIFY');
    assert.equal(err(rcpt('NOTIFY=SUCCESS,SUCCESS')), '501 5.5.4 Invalid value for parameter NOTIFY');
    assert.equal(err(rcpt('ORCPT=bob@example.org')), '501 5.5.4 Invalid value for parameter ORCPT');
    assert.equal(err(rcpt('SIZE=1')), '555 5.5.4 Unsupported parameter SIZE');
  });

  test('ORCPT utf-8 address type (RFC 6533)', () => {
    assert.equal(parseOrcpt('utf-8;j\\x{FC}rgen@example.org'), 'utf-8;jürgen@example.org');
    assert.equal(parseOrcpt('UTF-8;jürgen@example.org'), 'utf-8;jürgen@example.org');
    assert.equal(parseOrcpt('utf-8;bad\\x{D800}'), null);
  });

  test('malformed parameter tokens', () => {
    assert.equal(splitParams('=x'), null);
    assert.equal(splitParams('A=b=c'), null);
    assert.deepEqual(splitParams('  A  b=1 '), [
      { name: 'A', value: null },
      { name: 'B', value: '1' },
    ]);
  });
});

describe('xtext', () => {
  test('decodes and rejects', () => {
    assert.equal(decodeXtext('a+2Bb+3Dc'), 'a+b=c');
    assert.equal(decodeXtext('a+2b'), null);
    assert.equal(decodeXtext('a=b'), null);
    assert.equal(decodeXtext('a b'), null);
    assert.equal(decodeUtf8AddrXtext('\\x{1F600}'), '😀');
  });
  test('round-trips any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => assert.equal(decodeXtext(encodeXtext(s)), s)),
    );
  });
});
