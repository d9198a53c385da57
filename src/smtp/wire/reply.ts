// Server direction of RFC 5321 §4.2: writing replies. The reply type is the one the client direction
// parses (reply-parser.ts), so both directions share one shape. Multi-line replies repeat the code and
// the enhanced code (RFC 2034 §4) on every line.

import type { SmtpReply } from './reply-parser.ts';

export type { SmtpReply };

/** Builds a reply; `text` is one line or several. */
export function reply(code: number, enhanced: string | null, text: string | readonly string[]): SmtpReply {
  return { code, enhanced, lines: typeof text === 'string' ? [text] : [...text] };
}

/** The reply as it goes on the wire, CRLF-terminated. CR and LF in texts become spaces (no injection). */
export function serializeReply(r: SmtpReply): string {
  const lines = r.lines.length === 0 ? [''] : r.lines.map((l) => l.replace(/[\r\n]+/g, ' '));
  const prefix = r.enhanced ? `${r.enhanced} ` : '';
  return lines
    .map((line, i) => {
      const body = `${prefix}${line}`;
      return `${r.code}${i === lines.length - 1 ? ' ' : '-'}${body}\r\n`;
    })
    .join('');
}
