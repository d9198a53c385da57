import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatReply, parseReply, ReplyParser, ReplySyntaxError } from './reply-parser.ts';
import { encodeXtext, formatMailFrom, formatRcptTo, parseEhloExtensions } from './client-command.ts';

describe('reply parser', () => {
  const cases: Array<[string[], { code: number; enhanced: string | null; lines: string[] }]> = [
    [['250 OK'], { code: 250, enhanced: null, lines: ['OK'] }],
    [['250 2.1.0 Ok'], { code: 250, enhanced: '2.1.0', lines: ['Ok'] }],
    [['354'], { code: 354, enhanced: null, lines: [''] }],
    [['550 5.1.1'], { code: 550, enhanced: '5.1.1', lines: [''] }],
    [
      ['250-mx.example Hello', '250-PIPELINING', '250-SIZE 1000', '250 8BITMIME'],
      { code: 250, enhanced: null, lines: ['mx.example Hello', 'PIPELINING', 'SIZE 1000', '8BITMIME'] },
    ],
    [
      ['452-4.5.3 Too many', '452 4.5.3 recipients'],
      { code: 452, enhanced: '4.5.3', lines: ['Too many', 'recipients'] },
    ],
    // An enhanced code of another class is text (RFC 2034 §4).
    [['550 2.0.0 odd'], { code: 550, enhanced: null, lines: ['2.0.0 odd'] }],
    [['250 1.2.3.4 is an address'], { code: 250, enhanced: null, lines: ['1.2.3.4 is an address'] }],
  ];
  for (const [lines, expected] of cases) {
    test(JSON.stringify(lines), () => assert.deepEqual(parseReply(lines), expected));
  }

  test('hostile lines are refused', () => {
    for (const bad of ['', '25', '2500 x', 'abc def', '650 x', '250x', '199 x']) {
      assert.throws(() => new ReplyParser().push(bad), ReplySyntaxError, bad);
    }
    const p = new ReplyParser();
    p.push('250-a');
    assert.throws(() => p.push('251 b'), ReplySyntaxError);
  });

  test('pending while a multi-line reply is incomplete', () => {
    const p = new ReplyParser();
    assert.equal(p.push('220-hello'), null);
    assert.equal(p.pending, true);
    assert.deepEqual(p.push('220 there'), { code: 220, enhanced: null, lines: ['hello', 'there'] });
    assert.equal(p.pending, false);
  });

  test('formatReply joins lines', () => {
    assert.equal(
      formatReply(parseReply(['550-5.1.1 no such', '550 5.1.1 user'])),
      '550 5.1.1 no such / user',
    );
    assert.equal(formatReply(parseReply(['421'])), '421');
  });
});

describe('client commands', () => {
  test('EHLO extensions', () => {
    const ext = parseEhloExtensions(
      parseReply(['250-mx Hi', '250-size 1000', '250-AUTH PLAIN LOGIN', '250-8BITMIME', '250 STARTTLS']),
    );
    assert.deepEqual([...ext.keys()], ['SIZE', 'AUTH', '8BITMIME', 'STARTTLS']);
    assert.deepEqual(ext.get('AUTH'), ['PLAIN', 'LOGIN']);
    assert.deepEqual(ext.get('SIZE'), ['1000']);
  });

  test('xtext (RFC 3461 §4)', () => {
    assert.equal(encodeXtext('a+b=c d'), 'a+2Bb+3Dc+20d');
    assert.equal(encodeXtext('ü'), '+C3+BC');
    assert.equal(encodeXtext('plain@example.com'), 'plain@example.com');
  });

  test('MAIL FROM and RCPT TO with parameters', () => {
    assert.equal(formatMailFrom(''), 'MAIL FROM:<>\r\n');
    assert.equal(
      formatMailFrom('a@b', { size: 12, body: '8BITMIME', smtputf8: true, ret: 'HDRS', envId: 'x+y' }),
      'MAIL FROM:<a@b> SIZE=12 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=x+2By\r\n',
    );
    assert.equal(
      formatRcptTo('b@c', { notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;B@c' }),
      'RCPT TO:<b@c> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;B@c\r\n',
    );
    assert.equal(formatRcptTo('b@c'), 'RCPT TO:<b@c>\r\n');
  });
});
