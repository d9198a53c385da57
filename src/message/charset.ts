// Bytes in a declared charset -> JS string, never throwing. Unknown, refused or wrong charsets fall back to
// "UTF-8 when the bytes are valid UTF-8, else Latin-1", the same rule used for raw 8-bit header bytes.
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { decode as libmimeDecode, normalizeCharset } from 'libmime/lib/charset.js';

const ASCII_NAMES = /^(?:(?:us-?)?ascii|ansi_x3\.4-1968|iso646-us|us)$/i;
// Labels that say "we don't know": decoded like unlabelled text.
const NO_CHARSET_NAMES = /^(?:7bit|8bit|binary|unknown(?:-8bit)?|x-unknown|default)$/i;
/^(?:(?:us-?)?ascii|ansi_x3\.4-1968|iso646-us|us|7bit|8bit|binary|unknown(?:-8bit)?|x-unknown|default)$/i;
const UTF8_NAMES = /^utf-?8$/i;
// libmime routes these through encoding-japanese (iconv-lite has no ISO-2022-JP).
const JAPANESE_NAMES = /^jis|^iso-?2022-?jp|^eucjp/i;
// Not character sets a message may be written in (UTF-7 smuggles markup past filters), see libmime.
// iconv-lite caches one codec object per encoding, so identity catches every alias.
const REFUSED_CODECS = new Set<unknown>(['utf7', 'utf7imap', 'base64', 'hex'].map((n) => iconv.getCodec(n)));

/** Raw 8-bit text of unknown charset: UTF-8 when valid, else Latin-1 (every byte maps to one code point). */
export function decodeUnlabelled(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buf)) return buf.toString('latin1');
  return isUtf8(buf) ? buf.toString('utf8') : buf.toString('latin1');
}

/** True when decodeCharset() would use the named charset itself rather than the fallback. */
export function isKnownCharset(charset: string): boolean {
  const name = charset.trim();
  if (name === '' || ASCII_NAMES.test(name) || UTF8_NAMES.test(name)) return true;
  const canonical = safeNormalize(name);
  if (JAPANESE_NAMES.test(canonical)) return true;
  try {
    if (!iconv.encodingExists(canonical)) return false;
    return !REFUSED_CODECS.has(iconv.getCodec(canonical));
  } catch {
    return false;
  }
}

/** Decodes bytes declared to be in `charset` (null: undeclared). Never throws. */
export function decodeCharset(bytes: Uint8Array, charset: string | null | undefined): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const name = (charset ?? '').trim();
  // A pure-ASCII payload reads the same in every charset we accept except the UTF-16/32 family.
  if (name === '' || ASCII_NAMES.test(name) || NO_CHARSET_NAMES.test(name)) return decodeUnlabelled(buf);
  if (UTF8_NAMES.test(name)) return buf.toString('utf8');
  if (!isKnownCharset(name)) return decodeUnlabelled(buf);
  try {
    const canonical = safeNormalize(name);
    if (JAPANESE_NAMES.test(canonical)) return libmimeDecode(buf, canonical);
    return iconv.decode(buf, canonical);
  } catch {
    return decodeUnlabelled(buf);
  }
}

function safeNormalize(name: string): string {
  try {
    return normalizeCharset(name);
  } catch {
    return name;
  }
}
