// A hand-made ParsedMessage for storage tests: enough shape to round-trip through a backend, with no
// dependency on the real parser (src/message/parse.ts).

import type { MimePart, ParsedMessage } from '../../src/message/types.ts';

export function stubParsed(bytes: Buffer, subject = 'test'): ParsedMessage {
  const headerEnd = bytes.indexOf('\r\n\r\n');
  const bodyStart = headerEnd === -1 ? bytes.length : headerEnd + 4;
  const body: MimePart = {
    headerStart: 0,
    bodyStart,
    bodyEnd: bytes.length,
    type: 'text',
    subtype: 'plain',
    params: { charset: 'us-ascii' },
    id: null,
    description: null,
    encoding: '7BIT',
    size: bytes.length - bodyStart,
    lines: bytes.subarray(bodyStart).toString('latin1').split('\r\n').length,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    children: [],
    message: null,
  };
  return {
    size: bytes.length,
    envelope: {
      date: 'Mon, 1 Jan 2024 00:00:00 +0000',
      subject,
      from: [{ name: 'Alice', adl: null, mailbox: 'alice', host: 'crepes.fr' }],
      sender: null,
      replyTo: null,
      to: [{ name: null, adl: null, mailbox: 'bob', host: 'hamburger.edu' }],
      cc: null,
      bcc: null,
      inReplyTo: null,
      messageId: `<${subject}@crepes.fr>`,
    },
    body,
    headers: [
      ['subject', subject],
      ['from', 'Alice <alice@crepes.fr>'],
    ],
    sentDate: Date.UTC(2024, 0, 1),
    eightBit: false,
    warnings: [],
  };
}

let counter = 0;

/** A distinct small message each call (unless `text` is given). */
export function messageBytes(text?: string): Buffer {
  const body = text ?? `message ${++counter} ${Math.random()}`;
  return Buffer.from(`Subject: ${body}\r\nFrom: alice@crepes.fr\r\n\r\n${body}\r\n`);
}
