// A part's body with its Content-Transfer-Encoding undone (RFC 2045 §6), and as text in its charset.
// For the MUA (display, saving attachments) and for SEARCH BODY/TEXT. Lenient: broken escapes stay literal,
// unknown encodings are returned as stored.
import { decodeCharset } from './charset.ts';
import type { MimePart } from './types.ts';

const LF = 0x0a;
const CR = 0x0d;
const EQUALS = 0x3d;

export function decodeTransferEncoding(bytes: Buffer, encoding: string): Buffer {
  switch (encoding.toUpperCase()) {
    case 'BASE64':
      return Buffer.from(bytes.toString('latin1'), 'base64');
    case 'QUOTED-PRINTABLE':
      return decodeQuotedPrintable(bytes);
    default:
      return bytes;
  }
}

/** The decoded body bytes of `part` inside the stored `message`. */
export function partBody(message: Buffer, part: MimePart): Buffer {
  return decodeTransferEncoding(message.subarray(part.bodyStart, part.bodyEnd), part.encoding);
}

/** The body of a text part as a string, decoded from its charset (unknown charsets fall back gracefully). */
export function partText(message: Buffer, part: MimePart): string {
  return decodeCharset(partBody(message, part), part.params['charset'] ?? null);
}

// RFC 2045 §6.7: "=XX" octets, "=" at the end of a line is a soft line break.
export function decodeQuotedPrintable(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b !== EQUALS) {
      out[length++] = b;
      continue;
    }
    if (bytes[i + 1] === LF) {
      i += 1;
      continue;
    }
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) {
      i += 2;
      continue;
    }
    const hex = bytes.toString('latin1', i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[length++] = b;
    }
  }
  return out.subarray(0, length);
}
