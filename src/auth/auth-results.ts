// Authentication-Results fields (RFC 8601): reading the authserv-id of a field, removing fields that claim to
// come from us, and prepending ours.
//
// RFC 8601 §5: a border MTA MUST delete (or rename) Authentication-Results fields carrying its own
// authserv-id before adding its own, or a sender could forge "dkim=pass" in our name. Fields of other
// authserv-ids are kept (they are information about earlier hops, trusted by no one by default).

import { rawFieldValue, readHeaderBlock } from '../message/header-block.ts';
import { prependHeaders } from '../message/trace-headers.ts';

/** The authserv-id of an Authentication-Results value (RFC 8601 §2.2), lower-cased; null if none. */
export function authservIdOf(value: string): string | null {
  const text = stripComments(value).trimStart();
  if (text.startsWith('"')) {
    let out = '';
    for (let i = 1; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\' && i + 1 < text.length) out += text[++i];
      else if (c === '"') return out.toLowerCase();
      else out += c;
    }
    return null;
  }
  const m = /^[^\s;]+/.exec(text);
  return m ? m[0].toLowerCase() : null;
}

/**
 * The message without Authentication-Results fields whose authserv-id is `hostname` (compared without case
 * and trailing dot). Returns the same Buffer when there is nothing to remove.
 */
export function stripForgedAuthResults(message: Buffer, hostname: string): Buffer {
  const ours = hostname.toLowerCase().replace(/\.$/, '');
  const block = readHeaderBlock(message, 0);
  const forged = block.fields.filter(
    (f) =>
      f.key === 'authentication-results' &&
      authservIdOf(rawFieldValue(message, f))?.replace(/\.$/, '') === ours,
  );
  if (forged.length === 0) return message;
  const pieces: Buffer[] = [];
  let pos = 0;
  for (const field of forged) {
    pieces.push(message.subarray(pos, field.start));
    pos = field.end;
  }
  pieces.push(message.subarray(pos));
  return Buffer.concat(pieces);
}

/** Strips forged fields, then prepends our Authentication-Results field (RFC 8601 §5: at the top). */
export function applyAuthResults(message: Buffer, hostname: string, authResultsHeader: string): Buffer {
  return prependHeaders(stripForgedAuthResults(message, hostname), [authResultsHeader]);
}

/** Removes RFC 5322 comments "( … )", nested and with quoted-pairs, outside quoted strings. */
function stripComments(text: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && (depth > 0 || quoted)) {
      if (depth === 0) out += c + (text[i + 1] ?? '');
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
      if (depth === 0) out += ' ';
    } else if (depth === 0) {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}
