// Text from mail is untrusted: a subject or body may carry escape sequences that move the cursor, change
// the window title or hide text on the reader's terminal. Everything printed goes through these functions.
// C0 controls (but newline and tab where a body keeps its lines), DEL, C1 controls (U+0080..U+009F: a
// terminal in UTF-8 mode may read U+009B as CSI) and the bidirectional overrides that reorder what is shown
// (Trojan Source, CVE-2021-42574) are replaced with a visible escape such as `\x1b` or `\u202e`.

const CONTROL_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_IN_TEXT =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** For one-line fields (subject, names, file names): every control character escaped, newlines too. */
export function safeLine(text: string): string {
  return text.replace(CONTROL_IN_LINE, visible);
}

/** For bodies: keeps newlines and tabs, drops CR of CRLF, escapes every other control character. */
export function safeText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CONTROL_IN_TEXT, visible);
}

/**
 * JSON for scripts, safe to cat on a terminal: JSON.stringify escapes C0 but leaves DEL, C1, the bidi
 * controls and U+2028/U+2029 raw; they are written as \u escapes here, which every JSON parser reads back
 * to the same string.
 */
export function safeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g,
    (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
