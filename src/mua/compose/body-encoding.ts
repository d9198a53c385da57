// Content-Transfer-Encoding for bodies we write (RFC 2045 §6): 7bit when the text is ASCII with short
// lines, quoted-printable for other text (stays readable), base64 for attachments. Output lines end in CRLF.

const MAX_7BIT_LINE = 998; // RFC 5322 §2.1.1
const QP_LINE = 76; // RFC 2045 §6.7 (5)
const BASE64_LINE = 76; // RFC 2045 §6.8

/** Text with every line ending as CRLF (lone CR or LF included). */
export function toCrlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

export function needsEncoding(text: string): boolean {
  if (/[^\x00-\x7f]/.test(text) || /[\x00\x7f]/.test(text)) return true;
  return text.split(/\r\n|\r|\n/).some((line) => line.length > MAX_7BIT_LINE);
}

/** Quoted-printable of UTF-8 text (RFC 2045 §6.7): line breaks kept as CRLF, soft breaks at 76 columns. */
export function encodeQuotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const bytes = Buffer.from(line, 'utf8');
    let current = '';
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      const last = i === bytes.length - 1;
      let token: string;
      if ((b === 0x20 || b === 0x09) && !last) token = String.fromCharCode(b);
      else if (b >= 33 && b <= 126 && b !== 0x3d) token = String.fromCharCode(b);
      else token = '=' + b.toString(16).toUpperCase().padStart(2, '0');
      // Leave room for the "=" of a soft break, unless this token ends the line.
      const limit = last ? QP_LINE : QP_LINE - 1;
      if (current.length + token.length > limit) {
        out.push(current + '=');
        current = '';
      }
      current += token;
    }
    out.push(current);
  }
  return out.join('\r\n');
}

export function encodeBase64Lines(data: Buffer): string {
  const text = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += BASE64_LINE) lines.push(text.slice(i, i + BASE64_LINE));
  return lines.join('\r\n');
}
