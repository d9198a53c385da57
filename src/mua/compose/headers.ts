// Header fields we write (RFC 5322 §3.6) with non-ASCII text as RFC 2047 encoded words, folded at 78
// columns. Addresses: display names encoded or quoted as needed, domains in their ASCII (IDNA) form. A
// non-ASCII local part cannot be encoded: such a message is sent as SMTPUTF8 (RFC 6531/6532) with UTF-8
// headers, and `smtputf8` tells the caller.

import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import libmime from 'libmime';
import { UserError } from '../../cli/errors.ts';
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from '../../message/address-list.ts';

export interface MailAddress {
  name: string;
  address: string;
}

const ATEXT_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;

/** Parses addresses as typed on the command line or in an editor ("Bob <bob@x>, carol@y"). */
export function parseRecipients(values: readonly string[]): MailAddress[] {
  const out: MailAddress[] = [];
  for (const value of values) {
    for (const a of parseAddressList(value)) {
      if (a.host === null) continue; // group markers
      if (a.mailbox === null || a.mailbox === MISSING_MAILBOX || a.host === MISSING_DOMAIN || a.host === '') {
        throw new UserError(`not an e-mail address: ${JSON.stringify(value)}`);
      }
      out.push({ name: a.name ?? '', address: `${a.mailbox}@${a.host}` });
    }
  }
  return out;
}

/** `local@DOMAIN` with the domain in ASCII (punycode); the local part as written. */
export function asciiDomainAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = address.slice(at + 1);
  const ascii = /^[\x21-\x7e]+$/.test(domain) ? domain : domainToASCII(domain);
  if (ascii === '') throw new UserError(`not a valid domain: ${domain}`);
  return `${address.slice(0, at)}@${ascii}`;
}

export function needsSmtpUtf8(address: string): boolean {
  const at = address.lastIndexOf('@');
  return /[^\x00-\x7f]/.test(at < 0 ? address : address.slice(0, at));
}

function formatLocalPart(local: string): string {
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/.test(
    local,
  )
    ? local
    : `"${local.replace(/(["\\])/g, '\\$1')}"`;
}

function formatPhrase(name: string, utf8: boolean): string {
  if (/[^\x00-\x7f]/.test(name) && !utf8) return libmime.encodeWords(name, 'Q', 52);
  // RFC 6532 §3.2: in a UTF-8 header, non-ASCII characters are atext.
  if (ATEXT_PHRASE.test(utf8 ? name.replace(/[^\x00-\x7f]/g, 'a') : name)) return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

export function formatMailAddress(a: MailAddress, utf8: boolean): string {
  const ascii = asciiDomainAddress(a.address);
  const at = ascii.lastIndexOf('@');
  const spec = `${formatLocalPart(ascii.slice(0, at))}@${ascii.slice(at + 1)}`;
  return a.name.trim() === '' ? spec : `${formatPhrase(a.name.trim(), utf8)} <${spec}>`;
}

/** `Name: value` folded; `value` is unstructured text (Subject), encoded when not ASCII. */
export function unstructuredField(name: string, value: string, utf8 = false): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  const encoded = /[^\x00-\x7f]/.test(clean) && !utf8 ? libmime.encodeWords(clean, 'Q', 52) : clean;
  return libmime.foldLines(`${name}: ${encoded}`, 76).replace(/\r?\n/g, '\r\n');
}

/** `To: a, b` with one address per folded line when they do not fit. */
export function addressField(name: string, addresses: readonly MailAddress[], utf8 = false): string {
  const items = addresses.map((a) => formatMailAddress(a, utf8));
  let line = `${name}: `;
  const lines: string[] = [];
  items.forEach((item, i) => {
    const piece = item + (i < items.length - 1 ? ',' : '');
    if (line.trim().length > name.length + 1 && line.length + piece.length > 78) {
      lines.push(line.trimEnd());
      line = ' ';
    }
    line += piece + ' ';
  });
  lines.push(line.trimEnd());
  return lines.join('\r\n');
}

/** A Message-ID for a message from `fromAddress` (RFC 5322 §3.6.4: unique, right side names the sender's domain). */
export function newMessageId(fromAddress: string): string {
  const domain = asciiDomainAddress(fromAddress).split('@').pop() || 'localhost';
  return `<${Date.now().toString(36)}.${randomBytes(12).toString('base64url')}@${domain}>`;
}

/** RFC 5322 §3.3 date-time in the local time zone: "Tue, 3 Mar 2026 14:05:09 +0100". */
export function formatDateHeader(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${days[date.getDay()]}, ${date.getDate()} ${months[date.getMonth()]} ${date.getFullYear()} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ` +
    `${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`
  );
}

/** Message-IDs in a References / In-Reply-To value ("<a@b> <c@d>"), in order. */
export function messageIds(value: string | null | undefined): string[] {
  return value ? (value.match(/<[^<>\s]+>/g) ?? []) : [];
}
