// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3), used with clients that have not enabled
// IMAP4rev2 or UTF8=ACCEPT. Decoding is strict: only the canonical encoding is accepted, so every
// mailbox has exactly one wire name and names cannot alias each other.

import { ImapParseError } from './errors.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

const isDirect = (code: number) => code >= 0x20 && code <= 0x7e;

/** UTF-8 (JS string) -> modified UTF-7. */
export function encodeMutf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const code = name.charCodeAt(i);
    if (code === 0x26) {
      out += '&-';
      i++;
    } else if (isDirect(code)) {
      out += name[i];
      i++;
    } else {
      let j = i;
      while (j < name.length && !isDirect(name.charCodeAt(j))) j++;
      out += '&' + base64Utf16(name.slice(i, j)) + '-';
      i = j;
    }
  }
  return out;
}

function base64Utf16(text: string): string {
  const bytes = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) bytes.writeUInt16BE(text.charCodeAt(i), i * 2);
  return bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',');
}

/**
 * Modified UTF-7 -> UTF-8 (JS string). Throws ImapParseError for anything but the canonical form:
 * octets outside printable ASCII, an unterminated or empty shift, base64 encoding printable ASCII or `&`,
 * two adjacent shifts, non-zero or excess padding bits, unpaired surrogates.
 */
export function decodeMutf7(text: string): string {
  let out = '';
  let i = 0;
  let lastShiftEnd = -1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (!isDirect(code))
      throw new ImapParseError('mailbox name: octet outside printable ASCII (use modified UTF-7)');
    if (code !== 0x26) {
      out += text[i];
      i++;
      continue;
    }
    const end = text.indexOf('-', i + 1);
    if (end < 0) throw new ImapParseError('mailbox name: unterminated modified UTF-7 shift');
    if (end === i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    if (lastShiftEnd === i) throw new ImapParseError('mailbox name: adjacent modified UTF-7 shifts');
    out += decodeShift(text.slice(i + 1, end));
    i = end + 1;
    lastShiftEnd = i;
  }
  return out;
}

function decodeShift(b64: string): string {
  let bits = 0;
  let nbits = 0;
  const units: number[] = [];
  for (let k = 0; k < b64.length; k++) {
    const c = b64.charCodeAt(k);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) throw new ImapParseError('mailbox name: invalid character in modified base64');
    bits = (bits << 6) | v;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push((bits >> nbits) & 0xffff);
      bits &= (1 << nbits) - 1;
    }
  }
  if (nbits >= 6 || bits !== 0) throw new ImapParseError('mailbox name: bad padding in modified base64');
  let out = '';
  for (let k = 0; k < units.length; k++) {
    const u = units[k]!;
    if (isDirect(u)) throw new ImapParseError('mailbox name: printable ASCII must not be base64-encoded');
    if (u >= 0xd800 && u <= 0xdbff) {
      const low = units[k + 1];
      if (low === undefined || low < 0xdc00 || low > 0xdfff) {
        throw new ImapParseError('mailbox name: unpaired UTF-16 surrogate');
      }
      out += String.fromCharCode(u, low);
      k++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      throw new ImapParseError('mailbox name: unpaired UTF-16 surrogate');
    } else out += String.fromCharCode(u);
  }
  return out;
}
