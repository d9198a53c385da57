// Delivery status notifications (RFC 3464 multipart/report; RFC 6522 for the container): failure,
// delay warning and success ("relayed") reports to the envelope sender. RFC 3461 decides who gets one
// (NOTIFY) and how much of the original goes back (RET); RFC 6533 the forms for SMTPUTF8 messages.
// Never sent for the null sender <> (RFC 5321 §6.1, RFC 3461 §6.2): callers check wantsDsn first.

import { randomBytes } from 'node:crypto';
import { formatRfc5322Date } from '../delivery/received-header.ts';
import type { DsnNotify } from '../storage/ports.ts';

export type DsnKind = 'failure' | 'delay' | 'success';

export interface DsnRecipient {
  address: string;
  /** RFC 3461 ORCPT as stored, "addr-type;address". */
  orcpt: string | null;
  action: 'failed' | 'delayed' | 'relayed' | 'delivered';
  status: string;
  /** The remote reply, for "Diagnostic-Code: smtp; …", or null. */
  smtpReply: string | null;
  /** What happened, for the human-readable part. */
  text: string;
  remoteMta: string | null;
  lastAttempt: Date;
  willRetryUntil?: Date;
}

export interface DsnInput {
  kind: DsnKind;
  hostname: string;
  queueId: string;
  /** Envelope sender of the original: the DSN's recipient. */
  to: string;
  envId: string | null;
  ret: 'FULL' | 'HDRS' | null;
  arrivalDate: Date;
  /** The original message needed SMTPUTF8: use message/global-delivery-status (RFC 6533). */
  smtputf8: boolean;
  original: Buffer;
  recipients: DsnRecipient[];
  now: Date;
}

/** Originals larger than this come back as headers only, whatever RET says (Postfix bounce_size_limit). */
export const MAX_RETURNED_BODY = 1 << 20;

/** RFC 3461 §4.1: NEVER excludes all; an explicit list names the wanted kinds; none given = FAILURE,DELAY. */
export function wantsDsn(sender: string, notify: readonly DsnNotify[], kind: DsnKind): boolean {
  if (sender === '') return false;
  if (notify.includes('NEVER')) return false;
  const wanted: DsnNotify = kind === 'failure' ? 'FAILURE' : kind === 'delay' ? 'DELAY' : 'SUCCESS';
  if (notify.length === 0) return kind !== 'success';
  return notify.includes(wanted);
}

export function buildDsn(input: DsnInput): Buffer {
  const boundary = `${input.queueId}.${randomBytes(9).toString('base64url')}/${input.hostname}`;
  const eol = '\r\n';
  const subject = {
    failure: 'Undelivered Mail Returned to Sender',
    delay: 'Delayed Mail (still being retried)',
    success: 'Successful Mail Delivery Report',
  }[input.kind];
  const headers = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: <${input.to}>`,
    `Subject: ${subject}`,
    `Date: ${formatRfc5322Date(input.now)}`,
    `Message-ID: <${input.now.getTime()}.${randomBytes(6).toString('hex')}.${input.queueId}@${input.hostname}>`,
    'Auto-Submitted: auto-replied', // RFC 3834 §5
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;${eol}\tboundary="${boundary}"`,
    'Content-Transfer-Encoding: 8bit',
  ];

  const statusType = input.smtputf8 ? 'message/global-delivery-status' : 'message/delivery-status';
  const { type: originalType, body: originalBody } = returnedOriginal(input);

  const parts = [
    headers.join(eol) + eol,
    'This is a MIME-encapsulated message.' + eol,
    `--${boundary}`,
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    humanText(input),
    `--${boundary}`,
    'Content-Description: Delivery report',
    `Content-Type: ${statusType}`,
    ...(input.smtputf8 ? ['Content-Transfer-Encoding: 8bit'] : []),
    '',
    statusFields(input),
    `--${boundary}`,
    `Content-Description: ${originalType.endsWith('headers') ? 'Message headers' : 'Undelivered message'}`,
    `Content-Type: ${originalType}`,
    'Content-Transfer-Encoding: 8bit',
    '',
  ];
  const head = Buffer.from(parts.join(eol) + eol, 'utf8');
  const body =
    originalBody.length > 0 && !endsWithCrlf(originalBody)
      ? Buffer.concat([originalBody, Buffer.from(eol)])
      : originalBody;
  return Buffer.concat([head, body, Buffer.from(`--${boundary}--${eol}`)]);
}

function humanText(input: DsnInput): string {
  const eol = '\r\n';
  const lines = [`This is the mail system at host ${input.hostname}.`, ''];
  if (input.kind === 'failure') {
    lines.push(
      "I'm sorry to have to inform you that your message could not be delivered to one or more",
      'recipients. The details are below.',
    );
  } else if (input.kind === 'delay') {
    const until = input.recipients[0]?.willRetryUntil;
    lines.push(
      'Your message could not be delivered yet. The mail system will keep trying',
      until
        ? `until ${formatRfc5322Date(until)}; you do not need to send it again.`
        : 'for a while; you do not need to send it again.',
    );
  } else {
    lines.push('Your message was passed on to the following recipients as requested (NOTIFY=SUCCESS).');
  }
  lines.push('', `Queue id: ${input.queueId}`, '');
  for (const r of input.recipients) lines.push(`<${r.address}>: ${r.text}`);
  return lines.join(eol) + eol;
}

function addressType(address: string): string {
  return /[^\x00-\x7f]/.test(address) ? `utf-8; ${address}` : `rfc822; ${address}`;
}

/** RFC 3464 §2.2 per-message and §2.3 per-recipient fields. */
function statusFields(input: DsnInput): string {
  const eol = '\r\n';
  const message = [`Reporting-MTA: dns; ${input.hostname}`, `X-Posthorn-Queue-ID: ${input.queueId}`];
  if (input.envId) message.push(`Original-Envelope-Id: ${input.envId}`);
  message.push(`Arrival-Date: ${formatRfc5322Date(input.arrivalDate)}`);
  const blocks = [message.join(eol)];
  for (const r of input.recipients) {
    const f: string[] = [];
    if (r.orcpt) {
      const semi = r.orcpt.indexOf(';');
      f.push(
        `Original-Recipient: ${semi > 0 ? `${r.orcpt.slice(0, semi)}; ${r.orcpt.slice(semi + 1)}` : addressType(r.orcpt)}`,
      );
    }
    f.push(`Final-Recipient: ${addressType(r.address)}`, `Action: ${r.action}`, `Status: ${r.status}`);
    if (r.remoteMta) f.push(`Remote-MTA: dns; ${r.remoteMta}`);
    if (r.smtpReply) f.push(`Diagnostic-Code: smtp; ${r.smtpReply}`);
    else f.push(`Diagnostic-Code: X-Posthorn; ${r.text}`);
    f.push(`Last-Attempt-Date: ${formatRfc5322Date(r.lastAttempt)}`);
    if (r.willRetryUntil) f.push(`Will-Retry-Until: ${formatRfc5322Date(r.willRetryUntil)}`);
    blocks.push(f.join(eol));
  }
  return blocks.join(eol + eol) + eol;
}

/** RET=HDRS, delay and success reports, and big originals: headers only; else the whole message. */
function returnedOriginal(input: DsnInput): { type: string; body: Buffer } {
  const headersOnly =
    input.kind !== 'failure' || input.ret === 'HDRS' || input.original.length > MAX_RETURNED_BODY;
  if (!headersOnly)
    return { type: input.smtputf8 ? 'message/global' : 'message/rfc822', body: input.original };
  return {
    type: input.smtputf8 ? 'message/global-headers' : 'text/rfc822-headers',
    body: headerSection(input.original),
  };
}

/** The header section including its terminating empty line (or the whole message if it has no body). */
export function headerSection(message: Buffer): Buffer {
  const crlf = message.indexOf('\r\n\r\n');
  if (crlf >= 0) return message.subarray(0, crlf + 4);
  const lf = message.indexOf('\n\n');
  if (lf >= 0) return message.subarray(0, lf + 2);
  return message;
}

function endsWithCrlf(b: Buffer): boolean {
  return b.length >= 2 && b[b.length - 2] === 13 && b[b.length - 1] === 10;
}
