import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionTrace } from '../../src/delivery/envelope.ts';
import { countReceivedFields } from '../../src/delivery/hop-count.ts';
import {
  addressLiteral,
  formatRfc5322Date,
  receivedField,
  withProtocol,
} from '../../src/delivery/received-header.ts';

const trace = (t: Partial<SessionTrace> = {}): SessionTrace => ({
  helo: 'client.example',
  remoteAddress: '192.0.2.1',
  extended: true,
  tls: null,
  authenticated: false,
  ...t,
});
const date = new Date(Date.UTC(2024, 9, 1, 8, 5, 9));

describe('Received field (RFC 5321 §4.4)', () => {
  test('with-protocol names (RFC 3848, RFC 6531 §3.7.3)', () => {
    const tls = { protocol: 'TLSv1.3', cipher: 'X' };
    assert.equal(withProtocol(trace({ extended: false }), false), 'SMTP');
    assert.equal(withProtocol(trace(), false), 'ESMTP');
    assert.equal(withProtocol(trace({ tls }), false), 'ESMTPS');
    assert.equal(withProtocol(trace({ authenticated: true }), false), 'ESMTPA');
    assert.equal(withProtocol(trace({ tls, authenticated: true }), false), 'ESMTPSA');
    assert.equal(withProtocol(trace(), true), 'UTF8SMTP');
    assert.equal(withProtocol(trace({ tls, authenticated: true }), true), 'UTF8SMTPSA');
  });

  test('address literals', () => {
    assert.equal(addressLiteral('192.0.2.1'), '[192.0.2.1]');
    assert.equal(addressLiteral('::ffff:192.0.2.1'), '[192.0.2.1]');
    assert.equal(addressLiteral('2001:db8::1'), '[IPv6:2001:db8::1]');
  });

  test('date', () => assert.equal(formatRfc5322Date(date), 'Tue, 01 Oct 2024 08:05:09 +0000'));

  test('one recipient: "for" clause; TLS comment', () => {
    assert.equal(
      receivedField({
        trace: trace({ tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }, authenticated: true }),
        hostname: 'mx.example.org',
        smtputf8: false,
        forRecipient: 'bob@example.org',
        date,
      }),
      'Received: from client.example ([192.0.2.1])\r\n' +
        '\tby mx.example.org (Posthorn) with ESMTPSA (TLSv1.3 TLS_AES_128_GCM_SHA256)\r\n' +
        '\tfor <bob@example.org>; Tue, 01 Oct 2024 08:05:09 +0000\r\n',
    );
  });

  test('several recipients: no "for" clause (Bcc stays private)', () => {
    assert.equal(
      receivedField({ trace: trace(), hostname: 'mx', smtputf8: false, forRecipient: null, date }, '\n'),
      'Received: from client.example ([192.0.2.1])\n\tby mx (Posthorn) with ESMTP;\n\tTue, 01 Oct 2024 08:05:09 +0000\n',
    );
  });

  test('a HELO that is no domain is quoted in a comment; U-labels become A-labels', () => {
    const odd = receivedField({
      trace: trace({ helo: 'evil; Mon, 1 Jan)\\(é' }),
      hostname: 'mx',
      smtputf8: false,
      forRecipient: null,
      date,
    });
    assert.ok(
      odd.startsWith('Received: from unknown ([192.0.2.1] helo=evil; Mon, 1 Jan\\)\\\\\\(?)\r\n'),
      odd,
    );
    const idn = receivedField({
      trace: trace({ helo: 'bücher.example' }),
      hostname: 'mx',
      smtputf8: false,
      forRecipient: null,
      date,
    });
    assert.ok(idn.startsWith('Received: from xn--bcher-kva.example ([192.0.2.1])'), idn);
  });
});

describe('hop count', () => {
  test('counts Received fields in the header only, any case, CRLF or LF', () => {
    assert.equal(
      countReceivedFields(
        Buffer.from('Received: a\r\nreceived: b\r\n c\r\nSubject: x\r\n\r\nReceived: body\r\n'),
      ),
      2,
    );
    assert.equal(countReceivedFields(Buffer.from('RECEIVED: a\nX-Received: b\n\nReceived: c\n')), 1);
    assert.equal(countReceivedFields(Buffer.from('')), 0);
    assert.equal(countReceivedFields(Buffer.from('Received:')), 1);
  });
});
