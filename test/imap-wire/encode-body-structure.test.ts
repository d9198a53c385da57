import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope, MimePart } from '../../src/message/types.ts';
import { bodyStructureValue, encodeValues, envelopeValue } from '../../src/imap/wire/index.ts';

function part(overrides: Partial<MimePart>): MimePart {
  return {
    headerStart: 0,
    bodyStart: 0,
    bodyEnd: 0,
    type: 'text',
    subtype: 'plain',
    params: {},
    id: null,
    description: null,
    encoding: '7BIT',
    size: 0,
    lines: 0,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    children: [],
    message: null,
    ...overrides,
  };
}

const envelope: Envelope = {
  date: 'Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
  subject: 'IMAP4rev2 WG mtg summary and minutes',
  from: [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }],
  sender: null,
  replyTo: null,
  to: [{ name: null, adl: null, mailbox: 'imap', host: 'cac.washington.edu' }],
  cc: [
    { name: null, adl: null, mailbox: 'minutes', host: 'CNRI.Reston.VA.US' },
    { name: 'John Klensin', adl: null, mailbox: 'KLENSIN', host: 'MIT.EDU' },
  ],
  bcc: null,
  inReplyTo: null,
  messageId: '<B27397-0100000@cac.washington.edu>',
};

const str = (v: Parameters<typeof encodeValues>[0][number], utf8 = false) =>
  encodeValues([v], { utf8 }).toString();

describe('ENVELOPE', () => {
  test('RFC 9051 §7.5.2 example (sender and reply-to default to from)', () => {
    assert.equal(
      str(envelopeValue(envelope)),
      '("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev2 WG mtg summary and minutes" ' +
        '(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ' +
        '(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ' +
        '((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL ' +
        '"<B27397-0100000@cac.washington.edu>")',
    );
  });
  test('groups are start/end markers', () => {
    const env: Envelope = {
      ...envelope,
      to: [
        { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
        { name: null, adl: null, mailbox: null, host: null },
      ],
    };
    assert.match(str(envelopeValue(env)), /\(\(NIL NIL "undisclosed-recipients" NIL\)\(NIL NIL NIL NIL\)\)/);
  });
  test('non-ASCII display names: encoded word for IMAP4rev1, UTF-8 for UTF-8 clients', () => {
    const env: Envelope = { ...envelope, from: [{ name: 'Zoë', adl: null, mailbox: 'z', host: 'x.org' }] };
    assert.match(str(envelopeValue(env)), /\(\("=\?utf-8\?B\?Wm/);
    assert.match(str(envelopeValue(env, { utf8: true }), true), /\(\("Zoë" NIL "z" "x.org"\)\)/);
  });
  test('empty envelope', () => {
    const empty: Envelope = {
      date: null,
      subject: null,
      from: null,
      sender: null,
      replyTo: null,
      to: null,
      cc: null,
      bcc: null,
      inReplyTo: null,
      messageId: null,
    };
    assert.equal(str(envelopeValue(empty)), '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)');
  });
});

const mixed = part({
  type: 'multipart',
  subtype: 'mixed',
  params: { boundary: 'xyz' },
  children: [
    part({ params: { charset: 'US-ASCII' }, size: 1152, lines: 23 }),
    part({
      params: { charset: 'US-ASCII', name: 'cc.diff' },
      id: '<960723163407.20117h@cac.washington.edu>',
      description: 'Compiler diff',
      encoding: 'BASE64',
      size: 4554,
      lines: 73,
    }),
  ],
});

describe('BODY and BODYSTRUCTURE', () => {
  test('BODY: RFC 9051 §7.5.2 example', () => {
    assert.equal(
      str(bodyStructureValue(mixed, false)),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") ' +
        '"<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")',
    );
  });
  test('BODYSTRUCTURE adds extension data', () => {
    assert.equal(
      str(bodyStructureValue(mixed, true)),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23 NIL NIL NIL NIL)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") ' +
        '"<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "xyz") NIL NIL NIL)',
    );
  });
  test('single part with md5, disposition, language list and location', () => {
    const p = part({
      type: 'application',
      subtype: 'pdf',
      params: { name: 'a.pdf' },
      encoding: 'base64',
      size: 100,
      md5: 'Q2hlY2sgSW50ZWdyaXR5IQ==',
      disposition: { type: 'attachment', params: { filename: 'a.pdf' } },
      language: ['en', 'fr'],
      location: 'http://x/a.pdf',
    });
    assert.equal(
      str(bodyStructureValue(p, true)),
      '("APPLICATION" "PDF" ("NAME" "a.pdf") NIL NIL "BASE64" 100 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("ATTACHMENT" ("FILENAME" "a.pdf")) ("en" "fr") "http://x/a.pdf")',
    );
    assert.equal(
      str(bodyStructureValue(p, false)),
      '("APPLICATION" "PDF" ("NAME" "a.pdf") NIL NIL "BASE64" 100)',
    );
  });
  test('a single language is a string; multipart disposition and language', () => {
    const m = part({
      type: 'multipart',
      subtype: 'alternative',
      language: ['de'],
      disposition: { type: 'inline', params: {} },
      children: [part({ size: 1, lines: 1 })],
    });
    assert.equal(
      str(bodyStructureValue(m, true)),
      '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL NIL NIL NIL) "ALTERNATIVE" NIL ("INLINE" NIL) "de" NIL)',
    );
  });
  test('message/rfc822 includes envelope, body and lines', () => {
    const inner = part({ size: 5, lines: 1 });
    const p = part({
      type: 'message',
      subtype: 'rfc822',
      size: 300,
      lines: 10,
      message: { envelope, body: inner },
    });
    const out = str(bodyStructureValue(p, false));
    assert.ok(out.startsWith('("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 300 ("Wed, 17 Jul 1996'), out);
    assert.ok(
      out.endsWith('"<B27397-0100000@cac.washington.edu>") ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 5 1) 10)'),
      out,
    );
  });
  test('message/rfc822 that could not be parsed still has the required shape', () => {
    const p = part({ type: 'message', subtype: 'rfc822', size: 3, lines: 1 });
    assert.equal(
      str(bodyStructureValue(p, false)),
      '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 3 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 0 0) 1)',
    );
  });
  test('an empty multipart gets one empty text part (body-type-mpart needs 1*body)', () => {
    const p = part({ type: 'multipart', subtype: 'mixed' });
    assert.equal(
      str(bodyStructureValue(p, false)),
      '(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 0 0) "MIXED")',
    );
  });
  test('non-ASCII parameter values go as literals to IMAP4rev1 clients', () => {
    const p = part({ type: 'image', subtype: 'png', params: { name: 'ü.png' }, size: 1 });
    assert.equal(str(bodyStructureValue(p, false)), '("IMAGE" "PNG" ("NAME" {6}\r\nü.png) NIL NIL "7BIT" 1)');
  });
});
