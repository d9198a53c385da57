import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReply } from './reply-parser.ts';
import { reply, serializeReply } from './reply.ts';
import { replies } from './reply-table.ts';

test('serializes single and multi-line replies with enhanced codes on every line', () => {
  assert.equal(serializeReply(replies.unknownUser), '550 5.1.1 Recipient address rejected: user unknown\r\n');
  assert.equal(
    serializeReply(reply(250, null, ['mx.example', 'PIPELINING', 'SIZE 10'])),
    '250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n',
  );
  assert.equal(
    serializeReply(replies.help),
    '214-2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\r\n214 2.0.0 See RFC 5321\r\n',
  );
  // RFC 4954 §4: continue-req = "334" SP [base64] CRLF
  assert.equal(serializeReply(reply(334, null, '')), '334 \r\n');
});

test('texts cannot inject reply lines', () => {
  assert.equal(serializeReply(reply(250, '2.0.0', 'a\r\n250 b')), '250 2.0.0 a 250 b\r\n');
});

test('what the server writes, the client parser reads back', () => {
  for (const r of [
    replies.queued('0ABC'),
    replies.help,
    replies.ehlo(['h', 'DSN']),
    replies.greeting('mx'),
  ]) {
    const lines = serializeReply(r).split('\r\n').slice(0, -1);
    assert.deepEqual(parseReply(lines), r);
  }
});
