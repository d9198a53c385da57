// RFC 2047 encoded-word decoding: =?charset[*lang]?B|Q?text?=.
// Lenient the way mail readers are: words are decoded even when glued to other text, whitespace between
// adjacent encoded words is dropped (§6.2), and adjacent words in the same charset are joined as bytes before
// charset conversion so a multi-byte character split across two words survives. A word that cannot be decoded
// (bad base64, unknown encoding letter) is left as written.
import { decodeCharset } from './charset.ts';

const ENCODED_WORD = /=\?([^?\s]{1,75})\?([bBqQ])\?([^?]*)\?=/g;
const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;
const LINEAR_WHITESPACE = /^[ \t\r\n]*$/;

interface DecodedWord {
  start: number;
  end: number;
  charset: string;
  bytes: Buffer;
}

/** Decodes every RFC 2047 encoded word in `text`; everything else is kept as is. Never throws. */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text;
  const words: DecodedWord[] = [];
  for (const match of text.matchAll(ENCODED_WORD)) {
    const [whole, charsetAndLang = '', encoding = '', payload = ''] = match;
    const bytes = decodePayload(encoding, payload);
    if (bytes === null) continue;
    // RFC 2231 §5: the charset may carry a language tag after '*'.
    const charset = charsetAndLang.split('*')[0] ?? '';
    words.push({ start: match.index, end: match.index + whole.length, charset, bytes });
  }
  if (words.length === 0) return text;

  let out = '';
  let cursor = 0;
  let pending: { charset: string; chunks: Buffer[] } | null = null;
  const flush = (): void => {
    if (pending) out += decodeCharset(Buffer.concat(pending.chunks), pending.charset);
    pending = null;
  };
  for (const word of words) {
    const gap = text.slice(cursor, word.start);
    const adjacent = pending !== null && LINEAR_WHITESPACE.test(gap);
    if (!adjacent) {
      flush();
      out += gap;
    }
    const current = pending as { charset: string; chunks: Buffer[] } | null;
    if (current && current.charset.toLowerCase() === word.charset.toLowerCase()) {
      current.chunks.push(word.bytes);
    } else {
      flush();
      pending = { charset: word.charset, chunks: [word.bytes] };
    }
    cursor = word.end;
  }
  flush();
  return out + text.slice(cursor);
}

function decodePayload(encoding: string, payload: string): Buffer | null {
  if (encoding === 'B' || encoding === 'b') {
    const compact = payload.replace(/\s+/g, '');
    if (!BASE64_TEXT.test(compact)) return null;
    return Buffer.from(compact, 'base64');
  }
  return decodeQ(payload);
}

/** RFC 2047 §4.2 "Q": like quoted-printable, with '_' for space. Broken =XX escapes stay literal. */
function decodeQ(payload: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < payload.length; i++) {
    const ch = payload.charCodeAt(i);
    if (ch === 0x5f) {
      bytes.push(0x20);
    } else if (ch === 0x3d && /^[0-9A-Fa-f]{2}$/.test(payload.slice(i + 1, i + 3))) {
      bytes.push(parseInt(payload.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch < 0x80) {
      bytes.push(ch);
    } else {
      // A raw non-ASCII character inside the word (8-bit header already turned into text).
      const codePoint = payload.codePointAt(i) ?? 0xfffd;
      for (const b of Buffer.from(String.fromCodePoint(codePoint), 'utf8')) bytes.push(b);
      if (codePoint > 0xffff) i++;
    }
  }
  return Buffer.from(bytes);
}
