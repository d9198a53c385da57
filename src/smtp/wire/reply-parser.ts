// Client side of RFC 5321 §4.2: reading replies, single- and multi-line ("250-…" … "250 …"),
// with the RFC 3463 enhanced status code (RFC 2034) split off when the server sends one.
// Pure: lines in, typed replies out. The SMTP client feeds it lines read from the transport.

export interface SmtpReply {
  code: number;
  /** "x.y.z" with x matching the reply's class, or null when the server sent none. */
  enhanced: string | null;
  /** The text of each line, without the code, separator and enhanced code. */
  lines: string[];
}

export class ReplySyntaxError extends Error {
  override name = 'ReplySyntaxError';
}

const LINE = /^([2-5][0-9][0-9])([ -]|$)(.*)$/s;
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

/** Collects reply lines; `push` returns the reply once its last line has arrived. */
export class ReplyParser {
  #code: number | null = null;
  #enhanced: string | null = null;
  #lines: string[] = [];

  push(line: string): SmtpReply | null {
    const m = LINE.exec(line);
    if (!m) throw new ReplySyntaxError(`malformed reply line: ${JSON.stringify(line.slice(0, 80))}`);
    const code = Number(m[1]);
    if (this.#code !== null && code !== this.#code) {
      throw new ReplySyntaxError(`reply code changed within a multi-line reply (${this.#code} then ${code})`);
    }
    let text = m[3]!;
    const enhanced = ENHANCED.exec(text);
    // The enhanced code must be of the reply's class (RFC 2034 §4); otherwise it is ordinary text.
    if (enhanced && enhanced[1] === m[1]![0]) {
      if (this.#lines.length === 0) this.#enhanced = `${enhanced[1]}.${enhanced[2]}.${enhanced[3]}`;
      text = text.slice(enhanced[0].length);
    }
    this.#code = code;
    this.#lines.push(text);
    if (m[2] === '-') return null;
    const reply: SmtpReply = { code, enhanced: this.#enhanced, lines: this.#lines };
    this.#code = null;
    this.#enhanced = null;
    this.#lines = [];
    return reply;
  }

  /** True while a multi-line reply is incomplete. */
  get pending(): boolean {
    return this.#code !== null;
  }
}

/** Parses a complete reply given as lines (tests, fixtures). */
export function parseReply(lines: readonly string[]): SmtpReply {
  const parser = new ReplyParser();
  let reply: SmtpReply | null = null;
  for (const line of lines) {
    if (reply) throw new ReplySyntaxError('text after the last line of a reply');
    reply = parser.push(line);
  }
  if (!reply) throw new ReplySyntaxError('incomplete reply');
  return reply;
}

export const isPositive = (r: SmtpReply): boolean => r.code >= 200 && r.code < 400;
export const isTransient = (r: SmtpReply): boolean => r.code >= 400 && r.code < 500;
export const isPermanent = (r: SmtpReply): boolean => r.code >= 500;

/** One line for logs, DSN Diagnostic-Code and queue errors: "550 5.1.1 no such user / second line". */
export function formatReply(r: SmtpReply): string {
  const text = r.lines.filter((l) => l !== '').join(' / ');
  return [String(r.code), r.enhanced, text].filter((p) => p !== null && p !== '').join(' ');
}
