// Client side command formatting: EHLO keywords (RFC 5321 §4.1.1.1), MAIL FROM / RCPT TO with their
// ESMTP parameters: SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), DSN's RET/ENVID/NOTIFY/ORCPT
// (RFC 3461) with xtext encoding (RFC 3461 §4), and AUTH= (RFC 4954 §5).

import type { SmtpReply } from './reply-parser.ts';

/** EHLO reply → extension keyword (upper-case) → its parameters. The first line is the greeting text. */
export function parseEhloExtensions(reply: SmtpReply): Map<string, string[]> {
  const extensions = new Map<string, string[]>();
  for (const line of reply.lines.slice(1)) {
    const [keyword, ...params] = line.trim().split(/\s+/);
    if (keyword && /^[A-Za-z0-9][A-Za-z0-9-]*$/.test(keyword)) extensions.set(keyword.toUpperCase(), params);
  }
  return extensions;
}

/** RFC 3461 §4: "+" and characters outside "!".."~", and "=", become "+XX". */
export function encodeXtext(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out +=
      byte < 0x21 || byte > 0x7e || byte === 0x2b || byte === 0x3d
        ? `+${byte.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(byte);
  }
  return out;
}

export interface MailFromParams {
  size?: number;
  body?: '7BIT' | '8BITMIME';
  smtputf8?: boolean;
  ret?: 'FULL' | 'HDRS' | null;
  envId?: string | null;
  /** RFC 4954 §5 AUTH= on submission; "<>" when the identity is not known. */
  auth?: string;
}

export function formatMailFrom(sender: string, params: MailFromParams = {}): string {
  const parts = [`MAIL FROM:<${sender}>`];
  if (params.size !== undefined) parts.push(`SIZE=${params.size}`);
  if (params.body) parts.push(`BODY=${params.body}`);
  if (params.smtputf8) parts.push('SMTPUTF8');
  if (params.ret) parts.push(`RET=${params.ret}`);
  if (params.envId) parts.push(`ENVID=${encodeXtext(params.envId)}`);
  if (params.auth !== undefined) parts.push(`AUTH=${params.auth === '<>' ? '<>' : encodeXtext(params.auth)}`);
  return parts.join(' ') + '\r\n';
}

export interface RcptToParams {
  notify?: readonly string[];
  /** "addr-type;address" as stored (decoded); encoded as xtext here. */
  orcpt?: string | null;
}

export function formatRcptTo(recipient: string, params: RcptToParams = {}): string {
  const parts = [`RCPT TO:<${recipient}>`];
  if (params.notify && params.notify.length > 0) parts.push(`NOTIFY=${params.notify.join(',')}`);
  if (params.orcpt) {
    const semi = params.orcpt.indexOf(';');
    const type = semi > 0 ? params.orcpt.slice(0, semi) : 'rfc822';
    const addr = semi > 0 ? params.orcpt.slice(semi + 1) : params.orcpt;
    parts.push(`ORCPT=${type};${encodeXtext(addr)}`);
  }
  return parts.join(' ') + '\r\n';
}
