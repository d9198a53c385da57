// Prepends trace fields (Received:, Return-Path:, RFC 5321 §4.4) to a stored message without touching its
// bytes. Long fields are folded at whitespace to at most 78 characters per line (RFC 5322 §2.1.1, §2.2.3);
// the line ending follows the message's own (CRLF unless its first line ends in a bare LF).
// Line breaks inside a given field are normalized, and a continuation line is always indented, so a value
// cannot inject a field of its own.

const FOLD_WIDTH = 78;

export function prependHeaders(message: Buffer, fields: readonly string[]): Buffer {
  if (fields.length === 0) return message;
  const eol = usesBareLf(message) ? '\n' : '\r\n';
  const text = fields.map((field) => foldField(field, eol)).join('');
  return Buffer.concat([Buffer.from(text, 'utf8'), message]);
}

/** One field folded for the wire, ending with `eol`. */
export function foldField(field: string, eol = '\r\n'): string {
  let normalized = field.replace(/\r\n|\r|\n/g, '\n');
  while (normalized.endsWith('\n')) normalized = normalized.slice(0, -1);
  const logicalLines = normalized.split('\n');
  // Continuation lines supplied by the caller stay continuation lines.
  const unfolded = logicalLines
    .map((line, i) => (i === 0 ? line : ` ${line.replace(/^[ \t]+/, '')}`))
    .join('');
  const lines: string[] = [];
  let current = '';
  let currentHasText = false; // a line of only whitespace must not be produced (RFC 5322 §3.2.2)
  const words = unfolded.split(/(?=[ \t])/);
  for (const [i, word] of words.entries()) {
    const wordHasText = /[^ \t]/.test(word);
    // Never fold right after "Name:", which would leave the first line without a value.
    const foldable = i > 1 && currentHasText;
    if (foldable && current.length + word.length > FOLD_WIDTH) {
      lines.push(current);
      current = /^[ \t]/.test(word) ? word : ` ${word}`;
      currentHasText = wordHasText;
    } else {
      current += word;
      currentHasText ||= wordHasText;
    }
  }
  lines.push(current);
  return lines.join(eol) + eol;
}

function usesBareLf(message: Buffer): boolean {
  const newline = message.indexOf(0x0a);
  return newline >= 0 && (newline === 0 || message[newline - 1] !== 0x0d);
}
