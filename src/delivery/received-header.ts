// The Received trace field we prepend (RFC 5321 §4.4) and the with-protocol names of RFC 3848 / RFC 6531:
//   Received: from <helo> ([<ip>]) by <hostname> (Posthorn) with ESMTPSA (<tls>) id <queue id> for <rcpt>; <date>
// The "for" clause appears only with exactly one recipient, so that Bcc recipients are not disclosed.

import { domainToASCII } from 'node:url';
import { isAddressLiteral, isDomain } from '../smtp/wire/path.ts';
import type { SessionTrace } from './envelope.ts';

/** RFC 3848 §3 (ESMTPS/ESMTPA/ESMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP, UTF8SMTPS, UTF8SMTPA, UTF8SMTPSA). */
export function withProtocol(trace: SessionTrace, smtputf8: boolean): string {
  if (!trace.extended) return 'SMTP';
  const base = smtputf8 ? 'UTF8SMTP' : 'ESMTP';
  return `${base}${trace.tls ? 'S' : ''}${trace.authenticated ? 'A' : ''}`;
}

/** The TCP-info address literal for an IP (RFC 5321 §4.1.3); IPv4-mapped IPv6 shown as IPv4. */
export function addressLiteral(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return `[${v4[1]}]`;
  return ip.includes(':') ? `[IPv6:${ip}]` : `[${ip}]`;
}

/** RFC 5322 §3.3 date-time in UTC, e.g. "Tue, 01 Oct 2024 10:00:00 +0000". */
export function formatRfc5322Date(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${days[date.getUTCDay()]}, ${p(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`
  );
}

export interface ReceivedOptions {
  trace: SessionTrace;
  hostname: string;
  smtputf8: boolean;
  /** The queue id the client is told ("queued as"), for the "id" clause (RFC 5321 §4.4), or null. */
  id?: string | null;
  /** The single recipient for the "for" clause, or null. */
  forRecipient: string | null;
  date: Date;
}

/**
 * The whole field, one clause group per line (folded with CRLF + TAB, RFC 5322 §2.2.3), ending with `eol`.
 * ASCII unless SMTPUTF8: a U-label HELO name is written as A-labels, other non-ASCII as "?".
 */
export function receivedField(o: ReceivedOptions, eol = '\r\n'): string {
  const ip = addressLiteral(o.trace.remoteAddress);
  // The HELO name is the client's claim; a name that is no domain goes into the comment, escaped.
  const helo = o.trace.helo;
  const from = isDomain(helo)
    ? `from ${asciiDomain(helo)} (${ip})`
    : isAddressLiteral(helo)
      ? `from ${helo} (${ip})`
      : `from unknown (${ip} helo=${comment(helo)})`;
  let by = `by ${o.hostname} (Posthorn) with ${withProtocol(o.trace, o.smtputf8)}`;
  if (o.trace.tls) {
    const tls = [o.trace.tls.protocol, o.trace.tls.cipher].filter((x): x is string => !!x).join(' ');
    if (tls) by += ` (${comment(tls)})`;
  }
  if (o.id) by += ` id ${o.id}`;
  const date = formatRfc5322Date(o.date);
  // Under SMTPUTF8 the header may carry the UTF-8 address (RFC 6531 §3.7.3); otherwise it is ASCII anyway.
  const lines =
    o.forRecipient !== null
      ? [`Received: ${from}`, by, `for <${o.smtputf8 ? o.forRecipient : ascii(o.forRecipient)}>; ${date}`]
      : [`Received: ${from}`, `${by};`, date];
  return lines.join(`${eol}\t`) + eol;
}

function asciiDomain(domain: string): string {
  return /^[\x00-\x7f]*$/.test(domain) ? domain : domainToASCII(domain) || ascii(domain);
}

function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** Text safe inside a comment: backslash-quotes "(", ")" and "\" (RFC 5322 §3.2.2); ASCII only. */
function comment(text: string): string {
  return ascii(text).replace(/([()\\])/g, '\\$1');
}
