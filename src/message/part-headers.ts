// The Content-* fields of one MIME entity turned into BODYSTRUCTURE data (RFC 2045, RFC 2183, RFC 3282,
// RFC 2557, RFC 9051 §7.5.2). Defaults follow RFC 2045 §5.2 and RFC 2046 §5.1.5: no Content-Type means
// text/plain; charset=us-ascii, or message/rfc822 inside multipart/digest; an invalid one means text/plain.
// Like Dovecot, a text/* part without a charset parameter is given charset=us-ascii.
import { parseContentDisposition, parseContentType } from './params.ts';
import type { FieldLookup } from './envelope.ts';
import type { MimePart } from './types.ts';

export type PartDescription = Pick<
  MimePart,
  | 'type'
  | 'subtype'
  | 'params'
  | 'id'
  | 'description'
  | 'encoding'
  | 'md5'
  | 'disposition'
  | 'language'
  | 'location'
>;

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

export function describePart(field: FieldLookup, inDigest: boolean): PartDescription {
  const rawType = field('content-type');
  const contentType = parseContentType(rawType);
  let type = 'text';
  let subtype = 'plain';
  let params: Record<string, string> = {};
  if (contentType) {
    ({ type, subtype, params } = contentType);
  } else if (rawType === null && inDigest) {
    type = 'message';
    subtype = 'rfc822';
  }
  if (type === 'text' && !Object.hasOwn(params, 'charset')) params = { ...params, charset: 'us-ascii' };
  return {
    type,
    subtype,
    params,
    id: field('content-id'),
    description: field('content-description'),
    encoding: transferEncoding(field('content-transfer-encoding')),
    md5: field('content-md5'),
    disposition: parseContentDisposition(field('content-disposition')),
    language: languages(field('content-language')),
    location: location(field('content-location')),
  };
}

/** RFC 2045 §6.1 mechanism token, upper-cased; absent or unreadable -> "7BIT". */
function transferEncoding(raw: string | null): string {
  const token = (raw ?? '').replace(/\([^()]*\)/g, '').trim();
  return TOKEN.test(token) ? token.toUpperCase() : '7BIT';
}

/** RFC 3282 Content-Language: 1#Language-tag. */
function languages(raw: string | null): string[] | null {
  if (raw === null) return null;
  const tags = raw
    .replace(/\([^()]*\)/g, ' ')
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => TOKEN.test(tag));
  return tags.length === 0 ? null : tags;
}

/** RFC 2557 §4.2: folding whitespace inside a Content-Location URI is not part of it. */
function location(raw: string | null): string | null {
  if (raw === null) return null;
  const unquoted = /^"(.*)"$/s.exec(raw)?.[1] ?? raw;
  return unquoted.replace(/[ \t]+/g, '');
}
