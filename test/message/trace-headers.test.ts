import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { foldField, prependHeaders } from '../../src/message/trace-headers.ts';
import { parseMessage } from '../../src/message/parse.ts';

const RECEIVED =
  'Received: from mail.crepes.fr (mail.crepes.fr [192.0.2.1]) by mx.hamburger.edu (Posthorn) with ESMTPS ' +
  'id 1a2b3c4d5e6f7a8b for <bob@hamburger.edu>; Tue, 1 Jul 2025 10:00:00 +0000';

describe('prependHeaders', () => {
  test('puts the fields in front and leaves the message bytes untouched', () => {
    const message = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
    const out = prependHeaders(message, ['Return-Path: <alice@crepes.fr>', RECEIVED]);
    assert.ok(out.subarray(out.length - message.length).equals(message));
    const added = out.subarray(0, out.length - message.length).toString();
    assert.equal(
      added,
      'Return-Path: <alice@crepes.fr>\r\n' +
        'Received: from mail.crepes.fr (mail.crepes.fr [192.0.2.1]) by mx.hamburger.edu\r\n' +
        ' (Posthorn) with ESMTPS id 1a2b3c4d5e6f7a8b for <bob@hamburger.edu>; Tue, 1\r\n' +
        ' Jul 2025 10:00:00 +0000\r\n',
    );
    const parsed = parseMessage(out);
    assert.deepEqual(
      parsed.headers.map(([k]) => k),
      ['return-path', 'received', 'subject'],
    );
    assert.equal(parsed.headers[1]?.[1], RECEIVED.slice('Received: '.length));
  });

  test('no fields: the same buffer', () => {
    const message = Buffer.from('x');
    assert.equal(prependHeaders(message, []), message);
  });

  test('follows a bare-LF message with bare LF', () => {
    const out = prependHeaders(Buffer.from('Subject: s\n\nb\n'), ['X-A: 1']);
    assert.equal(out.toString(), 'X-A: 1\nSubject: s\n\nb\n');
  });

  test('a line break inside a value cannot start a new field', () => {
    const out = prependHeaders(Buffer.from('Subject: s\r\n\r\n'), [
      'X-A: a\r\nBcc: victim@example.com\nX-B: b\r\n',
    ]);
    const parsed = parseMessage(out);
    assert.deepEqual(
      parsed.headers.map(([k]) => k),
      ['x-a', 'subject'],
    );
  });
});

describe('foldField', () => {
  test('short fields stay on one line', () => {
    assert.equal(foldField('Return-Path: <a@b>'), 'Return-Path: <a@b>\r\n');
  });

  test('every line within 78 characters when whitespace allows; never an empty first line', () => {
    const folded = foldField(RECEIVED);
    for (const line of folded.split('\r\n')) assert.ok(line.length <= 78, line);
    const long = foldField('X-Token: ' + 'x'.repeat(120) + ' tail');
    assert.equal(long, 'X-Token: ' + 'x'.repeat(120) + '\r\n tail\r\n');
  });

  test('unfolding gives back the original value', () => {
    const folded = foldField(RECEIVED);
    assert.equal(folded.replace(/\r\n(?=[ \t])/g, '').replace(/\r\n$/, ''), RECEIVED);
  });
});
