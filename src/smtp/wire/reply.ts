// An SMTP reply as data (RFC 5321 §4.2) with its enhanced status code (RFC 3463, RFC 2034), and its
// formatting onto the wire. Multi-line replies repeat the code (and the enhanced code) on every line.

export interface SmtpReply {
  code: number;
  /** "2.1.5"; null where RFC 2034 §3 leaves it out (greeting, EHLO/HELO, 3xx intermediates). */
  enhanced: string | null;
  /** One line, or several for a multi-line reply. */
  text: string | readonly string[];
}

/** Lines of the reply text, with CR and LF removed so a text can never inject a reply line. */
export function replyLines(reply: SmtpReply): string[] {
  const lines = typeof reply.text === 'string' ? [reply.text] : [...reply.text];
  return (lines.length === 0 ? [''] : lines).map((l) => l.replace(/[\r\n]+/g, ' '));
}

/** The reply as it goes on the wire, CRLF-terminated. */
export function formatReply(reply: SmtpReply): string {
  const lines = replyLines(reply);
  const prefix = reply.enhanced ? `${reply.enhanced} ` : '';
  return lines
    .map((line, i) => {
      const sep = i === lines.length - 1 ? ' ' : '-';
      const body = `${prefix}${line}`;
      return body === '' ? `${reply.code}\r\n` : `${reply.code}${sep}${body}\r\n`;
    })
    .join('');
}

/** The reply on one line for logs and queue error fields: "550 5.1.1 User unknown". */
export function replyToString(reply: SmtpReply): string {
  const prefix = reply.enhanced ? `${reply.enhanced} ` : '';
  return `${reply.code} ${prefix}${replyLines(reply).join(' / ')}`;
}

export function isPositive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 400;
}
