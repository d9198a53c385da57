// Builds the message we send or save (RFC 5322 + MIME, RFC 2045-2049): header fields, a text/plain
// UTF-8 body, and multipart/mixed with one part per attachment when there are any.
// The same draft gives the transmitted copy (without Bcc, RFC 5322 §3.6.3) and the Sent copy (with Bcc,
// so the sender still sees who got it), with the same Message-ID and Date.

import { randomBytes } from 'node:crypto';
import libmime from 'libmime';
import { encodeBase64Lines, encodeQuotedPrintable, needsEncoding, toCrlf } from './body-encoding.ts';
import {
  addressField,
  asciiDomainAddress,
  formatDateHeader,
  needsSmtpUtf8,
  unstructuredField,
  type MailAddress,
} from './headers.ts';

export interface Attachment {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface Draft {
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  replyTo?: MailAddress[];
  subject: string;
  text: string;
  attachments: Attachment[];
  /** Message-ID of the message answered (with angle brackets). */
  inReplyTo?: string;
  references?: string[];
  messageId: string;
  date: Date;
}

export interface BuiltMessage {
  bytes: Buffer;
  /** Some address needs SMTPUTF8 (non-ASCII local part); headers are then UTF-8 (RFC 6532). */
  smtputf8: boolean;
  /** The body holds 8-bit octets (a forwarded message/rfc822 that has them): BODY=8BITMIME. */
  eightBit: boolean;
}

export const USER_AGENT = 'Posthorn mail';

export function buildMessage(draft: Draft, options: { includeBcc: boolean }): BuiltMessage {
  const everyone = [draft.from, ...draft.to, ...draft.cc, ...draft.bcc, ...(draft.replyTo ?? [])];
  const utf8 = everyone.some((a) => needsSmtpUtf8(a.address));
  const lines: string[] = [`Date: ${formatDateHeader(draft.date)}`, addressField('From', [draft.from], utf8)];
  if (draft.to.length > 0) lines.push(addressField('To', draft.to, utf8));
  if (draft.cc.length > 0) lines.push(addressField('Cc', draft.cc, utf8));
  if (options.includeBcc && draft.bcc.length > 0) lines.push(addressField('Bcc', draft.bcc, utf8));
  if (draft.replyTo && draft.replyTo.length > 0) lines.push(addressField('Reply-To', draft.replyTo, utf8));
  lines.push(unstructuredField('Subject', draft.subject, utf8));
  lines.push(`Message-ID: ${draft.messageId}`);
  if (draft.inReplyTo) lines.push(`In-Reply-To: ${draft.inReplyTo}`);
  if (draft.references && draft.references.length > 0) {
    lines.push(libmime.foldLines(`References: ${draft.references.join(' ')}`, 76).replace(/\r?\n/g, '\r\n'));
  }
  lines.push(`User-Agent: ${USER_AGENT}`, 'MIME-Version: 1.0');

  const text = textPart(draft.text);
  let eightBit = false;
  if (draft.attachments.length === 0) {
    lines.push(...text.headers);
    return {
      bytes: Buffer.from(lines.join('\r\n') + '\r\n\r\n' + text.body, 'utf8'),
      smtputf8: utf8,
      eightBit,
    };
  }
  const boundary = `=_posthorn_${randomBytes(12).toString('base64url')}`;
  lines.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
  const chunks: Buffer[] = [
    Buffer.from(lines.join('\r\n') + '\r\n\r\nThis is a multi-part message in MIME format.\r\n', 'utf8'),
    Buffer.from(`\r\n--${boundary}\r\n${text.headers.join('\r\n')}\r\n\r\n${text.body}\r\n`, 'utf8'),
  ];
  for (const attachment of draft.attachments) {
    const part = attachmentPart(attachment);
    eightBit ||= part.eightBit;
    chunks.push(
      Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`, 'utf8'),
      part.body,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { bytes: Buffer.concat(chunks), smtputf8: utf8, eightBit };
}

function textPart(text: string): { headers: string[]; body: string } {
  const body = text.endsWith('\n') || text === '' ? text : text + '\n';
  if (!needsEncoding(body)) {
    return {
      headers: ['Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 7bit'],
      body: toCrlf(body),
    };
  }
  return {
    headers: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
    body: encodeQuotedPrintable(body),
  };
}

function attachmentPart(a: Attachment): { headers: string[]; body: Buffer; eightBit: boolean } {
  const type = a.contentType.toLowerCase();
  const contentType = libmime.buildHeaderValue({ value: type, params: { name: a.filename } });
  const disposition = libmime.buildHeaderValue({ value: 'attachment', params: { filename: a.filename } });
  const headers = [
    libmime.foldLines(`Content-Type: ${contentType}`, 76).replace(/\r?\n/g, '\r\n'),
    libmime.foldLines(`Content-Disposition: ${disposition}`, 76).replace(/\r?\n/g, '\r\n'),
  ];
  if (type === 'message/rfc822' || type === 'message/global') {
    // RFC 2046 §5.2.1: an encapsulated message is never base64/QP encoded; it goes as it is.
    const eightBit = a.data.some((b) => b > 0x7f);
    headers.push(`Content-Transfer-Encoding: ${eightBit ? '8bit' : '7bit'}`);
    const body = Buffer.from(toCrlf(a.data.toString('latin1')), 'latin1');
    return { headers, body, eightBit };
  }
  headers.push('Content-Transfer-Encoding: base64');
  return { headers, body: Buffer.from(encodeBase64Lines(a.data)), eightBit: false };
}

/** Every envelope recipient of a draft (To, Cc, Bcc), domains in ASCII, each once. */
export function envelopeRecipients(draft: Draft): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of [...draft.to, ...draft.cc, ...draft.bcc]) {
    const address = asciiDomainAddress(a.address);
    if (seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(address);
  }
  return out;
}
