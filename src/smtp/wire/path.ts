// Reverse-path and forward-path (RFC 5321 §4.1.2), with RFC 6531 UTF-8 in local parts and domains.
// Pure: text in, typed mailbox out. Source routes ("<@a,@b:user@c>") are accepted and ignored (§C).

import { domainToASCII } from 'node:url';

export interface Mailbox {
  /** The local part as the client wrote it, canonical: quotes dropped when not needed (RFC 5321 §4.1.2). */
  localPart: string;
  /** The domain, lower-cased as given (may hold U-labels) or an address literal "[192.0.2.1]". */
  domain: string;
  /** The domain in ASCII (A-labels); equals `domain` for ASCII domains and literals. */
  asciiDomain: string;
  /** localPart@domain */
  address: string;
  /** The mailbox holds non-ASCII characters (needs SMTPUTF8, RFC 6531). */
  utf8: boolean;
  /** The domain is an address literal. */
  literal: boolean;
}

export type PathResult<T> = { ok: true; value: T; rest: string } | { ok: false; error: string };

/** RFC 5321 §4.5.3.1: local part ≤ 64 octets, domain ≤ 255, path ≤ 256. */
export const MAX_LOCAL_PART = 64;
export const MAX_DOMAIN = 255;
export const MAX_PATH = 256;

// atext (RFC 5322 §3.2.3) plus UTF8-non-ascii (RFC 6531 §3.3).
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+$/u;
const SUB_DOMAIN =
  /^[A-Za-z0-9\u0080-\u{10FFFF}](?:[A-Za-z0-9\-\u0080-\u{10FFFF}]*[A-Za-z0-9\u0080-\u{10FFFF}])?$/u;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses "<>" or "<path>" at the start of `text`; returns the mailbox (null for "<>") and the rest. */
export function parseReversePath(text: string): PathResult<Mailbox | null> {
  if (text.startsWith('<>')) return { ok: true, value: null, rest: text.slice(2) };
  return parsePath(text);
}

/**
 * Parses a forward-path at the start of `text`. "<Postmaster>" without a domain (RFC 5321 §4.1.1.3) comes
 * back as a mailbox with an empty domain; the caller maps it to its own postmaster.
 */
export function parseForwardPath(text: string): PathResult<Mailbox> {
  const m = /^<postmaster>/i.exec(text);
  if (m) {
    const value: Mailbox = {
      localPart: 'postmaster',
      domain: '',
      asciiDomain: '',
      address: 'postmaster',
      utf8: false,
      literal: false,
    };
    return { ok: true, value, rest: text.slice(m[0].length) };
  }
  return parsePath(text);
}

function parsePath(text: string): PathResult<Mailbox> {
  if (!text.startsWith('<')) return { ok: false, error: 'address must be enclosed in <>' };
  const end = findPathEnd(text);
  if (end < 0) return { ok: false, error: 'missing ">"' };
  let inner = text.slice(1, end);
  if (Buffer.byteLength(inner) + 2 > MAX_PATH) return { ok: false, error: 'path too long' };
  // A-d-l ":" — a source route, to be ignored (RFC 5321 Appendix C).
  if (inner.startsWith('@')) {
    const colon = inner.indexOf(':');
    if (colon < 0) return { ok: false, error: 'bad source route' };
    const route = inner.slice(0, colon).split(',');
    if (!route.every((hop) => hop.startsWith('@') && isDomain(hop.slice(1)))) {
      return { ok: false, error: 'bad source route' };
    }
    inner = inner.slice(colon + 1);
  }
  const mailbox = parseMailbox(inner);
  if (typeof mailbox === 'string') return { ok: false, error: mailbox };
  return { ok: true, value: mailbox, rest: text.slice(end + 1) };
}

/** Index of the ">" closing the path, skipping quoted strings. */
function findPathEnd(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '>') return i;
  }
  return -1;
}

/** Parses "local@domain"; returns an error text when malformed. */
export function parseMailbox(text: string): Mailbox | string {
  const at = text.lastIndexOf('@');
  if (at <= 0) return 'missing "@domain"';
  const rawLocal = text.slice(0, at);
  const rawDomain = text.slice(at + 1);
  const localPart = canonicalLocalPart(rawLocal);
  if (localPart === null) return 'bad local part';
  if (Buffer.byteLength(localPart) > MAX_LOCAL_PART) return 'local part too long';
  let domain: string;
  let asciiDomain: string;
  let literal = false;
  if (rawDomain.startsWith('[')) {
    if (!isAddressLiteral(rawDomain)) return 'bad address literal';
    domain = asciiDomain = rawDomain.toLowerCase();
    literal = true;
  } else {
    if (!isDomain(rawDomain)) return 'bad domain';
    domain = rawDomain.toLowerCase();
    asciiDomain = /^[\x00-\x7f]*$/.test(domain) ? domain : domainToASCII(domain);
    if (asciiDomain === '') return 'bad internationalized domain';
  }
  if (Buffer.byteLength(asciiDomain) > MAX_DOMAIN) return 'domain too long';
  const address = `${localPart}@${domain}`;
  return { localPart, domain, asciiDomain, address, utf8: /[^\x00-\x7f]/.test(address), literal };
}

/** Dot-string, or quoted string; a quoted string whose content is a valid dot-string loses its quotes. */
function canonicalLocalPart(raw: string): string | null {
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"')) return null;
    let content = '';
    for (let i = 1; i < raw.length - 1; i++) {
      const c = raw[i]!;
      const code = c.codePointAt(0)!;
      if (c === '\\') {
        const next = raw[++i];
        if (next === undefined || i >= raw.length - 1) return null;
        const n = next.codePointAt(0)!;
        if (n < 32 || n > 126) return null; // quoted-pairSMTP = "\" %d32-126
        content += next;
      } else if (c === '"' || code < 32 || code === 127) {
        return null;
      } else {
        content += c;
      }
    }
    if (isDotString(content)) return content;
    return `"${content.replace(/(["\\])/g, '\\$1')}"`;
  }
  return isDotString(raw) ? raw : null;
}

function isDotString(s: string): boolean {
  return s.length > 0 && s.split('.').every((atom) => ATEXT.test(atom));
}

export function isDomain(s: string): boolean {
  if (s.length === 0 || s.length > MAX_DOMAIN) return false;
  return s.split('.').every((label) => SUB_DOMAIN.test(label));
}

/** "[" ( IPv4 / "IPv6:" IPv6 / General-address-literal ) "]" (RFC 5321 §4.1.3). */
export function isAddressLiteral(s: string): boolean {
  if (!s.startsWith('[') || !s.endsWith(']')) return false;
  const inner = s.slice(1, -1);
  if (IPV4.test(inner)) return true;
  const tagged = /^([A-Za-z0-9-]*[A-Za-z0-9]):(.+)$/.exec(inner);
  if (!tagged) return false;
  if (tagged[1]!.toLowerCase() === 'ipv6') return isIpv6(tagged[2]!);
  return /^[\x21-\x5a\x5e-\x7e]+$/.test(tagged[2]!);
}

function isIpv6(s: string): boolean {
  // Delegate the fiddly grammar to the URL parser, which accepts exactly the IPv6 text forms.
  try {
    return new URL(`http://[${s}]/`).hostname !== '';
  } catch {
    return false;
  }
}

/** "<address>" for envelopes and headers; "<>" for the null sender. */
export function formatPath(address: string | null): string {
  return `<${address ?? ''}>`;
}
