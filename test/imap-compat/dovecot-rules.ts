// Named comparison rules for Posthorn vs Dovecot 2.3 ENVELOPE / BODYSTRUCTURE / BODY answers.
// Each rule removes one specific, understood difference (deliberate on our side, or a debatable Dovecot choice)
// and names the fixtures where it must change something: a rule that starts firing elsewhere, or stops firing
// where declared, fails the suite, so no rule can quietly hide a new difference.
// docs/imap-dovecot-differences.md explains every rule with its RFC reference.

import iconv from 'iconv-lite';
import libmime from 'libmime';
import type { Address, Body, Envelope, FetchItems, Params } from './fetch-response-reader.ts';

export type Side = 'dovecot' | 'ours';

export interface Rule {
  name: string;
  /** deliberate: we chose differently; dovecot-debatable: Dovecot's answer is questionable. */
  verdict: 'deliberate' | 'dovecot-debatable';
  /** Which side the rule rewrites. */
  sides: readonly Side[];
  /** Fixtures (without .eml) where the rule must change something; '*' = every fixture. */
  appliesTo: readonly string[] | '*';
  apply(items: FetchItems): void;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Header octets as text: UTF-8 when valid, else ISO-8859-1 (the message parser's fallback, RFC 6532 §3). */
export function headerText(bytes: Buffer): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

// --- walkers -------------------------------------------------------------------------------------------------

function eachEnvelope(items: FetchItems, fn: (e: Envelope) => void): void {
  fn(items.envelope);
  for (const body of [items.bodyStructure, items.body])
    eachBody(body, (b) => b.kind === 'leaf' && b.message && fn(b.message.envelope));
}

function eachBody(body: Body, fn: (b: Body) => void): void {
  fn(body);
  if (body.kind === 'multipart') for (const child of body.children) eachBody(child, fn);
  else if (body.message) eachBody(body.message.body, fn);
}

function eachBodyOf(items: FetchItems, fn: (b: Body) => void): void {
  eachBody(items.bodyStructure, fn);
  eachBody(items.body, fn);
}

const ADDRESS_FIELDS = ['from', 'sender', 'replyTo', 'to', 'cc', 'bcc'] as const;

function eachAddressList(e: Envelope, fn: (list: Address[]) => Address[] | null): void {
  for (const field of ADDRESS_FIELDS) {
    const list = e[field];
    if (list) e[field] = fn(list);
  }
}

function eachParams(b: Body, fn: (p: Params) => Params): void {
  if (b.kind === 'leaf') {
    b.params = fn(b.params);
    if (b.ext?.disposition) b.ext.disposition.params = fn(b.ext.disposition.params);
  } else if (b.ext) {
    b.ext.params = fn(b.ext.params);
    if (b.ext.disposition) b.ext.disposition.params = fn(b.ext.disposition.params);
  }
}

const lower = (b: Buffer) => Buffer.from(b.toString('latin1').toLowerCase(), 'latin1');

// --- rules ---------------------------------------------------------------------------------------------------

/**
 * Media type, subtype, parameter names, transfer encoding and disposition type are case-insensitive
 * (RFC 2045 §5.1, §6.1; RFC 2183 §2). We send them upper-case like the RFC 9051 §7.5.2 examples; Dovecot sends
 * them as written in the message (and its defaults lower-case).
 */
const MEDIA_TOKEN_CASE: Rule = {
  name: 'MEDIA_TOKEN_CASE',
  verdict: 'deliberate',
  sides: ['dovecot', 'ours'],
  appliesTo: '*',
  apply(items) {
    eachBodyOf(items, (b) => {
      b.subtype = lower(b.subtype);
      if (b.kind === 'leaf') {
        b.type = lower(b.type);
        b.encoding = lower(b.encoding);
      }
      eachParams(b, (p) => p && p.map(([k, v]) => [lower(k), v]));
      const disposition = b.ext?.disposition;
      if (disposition) disposition.type = lower(disposition.type);
    });
  },
};

/**
 * addr-name is the display-name phrase (RFC 9051 §7.5.2); clients decode RFC 2047 encoded words in it. The index
 * stores names decoded, and we send non-ASCII names to non-UTF-8 clients as one `=?utf-8?B?…?=` word; Dovecot
 * sends the phrase as written (encoded words as they were, raw 8-bit octets in a literal). Compared as the text
 * both denote: RFC 2047 decoded, raw octets read as UTF-8, else ISO-8859-1.
 */
const DISPLAY_NAME_ENCODING: Rule = {
  name: 'DISPLAY_NAME_ENCODING',
  verdict: 'deliberate',
  sides: ['dovecot', 'ours'],
  appliesTo: ['01-simple-plain', '11-8bit-headers-utf8', '12-8bit-headers-latin1', '14-encoded-words'],
  apply(items) {
    eachEnvelope(items, (e) =>
      eachAddressList(e, (list) =>
        list.map((a) => ({
          ...a,
          name: a.name && Buffer.from(libmime.decodeWords(headerText(a.name)), 'utf8'),
        })),
      ),
    );
  },
};

/**
 * Raw 8-bit header octets that are not UTF-8 (a Latin-1 Subject): Dovecot passes the octets through; the
 * parser reads them as ISO-8859-1 and we send them as UTF-8 (RFC 6532 §3 makes UTF-8 the only 8-bit charset of
 * header fields). Dovecot's non-UTF-8 octets are read as ISO-8859-1 before comparing.
 */
const RAW_LATIN1_HEADER_OCTETS: Rule = {
  name: 'RAW_LATIN1_HEADER_OCTETS',
  verdict: 'deliberate',
  sides: ['dovecot'],
  appliesTo: ['12-8bit-headers-latin1'],
  apply(items) {
    const fix = (b: Buffer | null) => b && Buffer.from(headerText(b), 'utf8');
    eachEnvelope(items, (e) => {
      e.date = fix(e.date);
      e.subject = fix(e.subject);
      e.inReplyTo = fix(e.inReplyTo);
      e.messageId = fix(e.messageId);
    });
  },
};

/**
 * `<@node.test:mary@example.net>`: obsolete source route. RFC 5322 §4.4: "When interpreting addresses, the
 * route portion SHOULD be ignored"; our index has no addr-adl (always NIL). Dovecot reports it.
 */
const SOURCE_ROUTE_IGNORED: Rule = {
  name: 'SOURCE_ROUTE_IGNORED',
  verdict: 'dovecot-debatable',
  sides: ['dovecot'],
  appliesTo: ['23-addresses'],
  apply(items) {
    eachEnvelope(items, (e) => eachAddressList(e, (list) => list.map((a) => ({ ...a, adl: null }))));
  },
};

/**
 * `To: a, , b`: RFC 5322 §4.4 obs-addr-list allows null members, which denote nothing. We drop them; Dovecot
 * reports a placeholder address (NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN").
 */
const NULL_LIST_MEMBER_DROPPED: Rule = {
  name: 'NULL_LIST_MEMBER_DROPPED',
  verdict: 'dovecot-debatable',
  sides: ['dovecot'],
  appliesTo: ['23-addresses'],
  apply(items) {
    const placeholder = (a: Address) =>
      a.name === null &&
      a.mailbox?.toString() === 'MISSING_MAILBOX' &&
      a.host?.toString() === 'MISSING_DOMAIN';
    eachEnvelope(items, (e) => eachAddressList(e, (list) => list.filter((a) => !placeholder(a))));
  },
};

/** charset'language'%XX… (RFC 2231 §4) to UTF-8 octets. */
function decodeExtendedValue(value: Buffer): Buffer {
  const m = /^([^']*)'[^']*'(.*)$/s.exec(value.toString('latin1'));
  if (!m) return value;
  const octets = Buffer.from(
    m[2]!.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );
  return Buffer.from(iconv.decode(octets, m[1] || 'us-ascii'), 'utf8');
}

/**
 * RFC 2231 parameters (`name*=utf-8''%E2%82%AC…`, continuations `filename*0*`, `filename*1*`…): the index
 * stores them joined and decoded, so we send `NAME "€ rates.txt"`; Dovecot joins continuations but sends the
 * still-encoded value under the starred name, and keeps a plain `filename` beside `filename*`, where the
 * parser lets the extended value win (RFC 2231 §4 gives no precedence; RFC 6266 §4.3 prefers the extended one).
 * Dovecot's starred values are decoded and replace the plain ones before comparing.
 */
const RFC2231_PARAMS_DECODED: Rule = {
  name: 'RFC2231_PARAMS_DECODED',
  verdict: 'deliberate',
  sides: ['dovecot'],
  appliesTo: ['15-rfc2231-filename'],
  apply(items) {
    eachBodyOf(items, (b) =>
      eachParams(b, (params) => {
        if (!params) return params;
        const starred = new Set(
          params.map(([k]) => k.toString('latin1').toLowerCase()).filter((k) => k.endsWith('*')),
        );
        return params
          .filter(([k]) => !starred.has(`${k.toString('latin1').toLowerCase()}*`))
          .map(([k, v]) => {
            const name = k.toString('latin1');
            if (!name.endsWith('*')) return [k, v];
            return [Buffer.from(name.slice(0, -1), 'latin1'), decodeExtendedValue(v)];
          });
      }),
    );
  },
};

export const RULES: readonly Rule[] = [
  MEDIA_TOKEN_CASE,
  DISPLAY_NAME_ENCODING,
  RAW_LATIN1_HEADER_OCTETS,
  SOURCE_ROUTE_IGNORED,
  NULL_LIST_MEMBER_DROPPED,
  RFC2231_PARAMS_DECODED,
];

// --- comparable form -----------------------------------------------------------------------------------------

/** A JSON-able copy with octets shown as text (UTF-8) or, when not UTF-8, as `latin1:` text. */
export function comparable(value: unknown): unknown {
  if (Buffer.isBuffer(value)) {
    try {
      return utf8Decoder.decode(value);
    } catch {
      return `latin1:${value.toString('latin1')}`;
    }
  }
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'seq' && k !== 'grammarErrors')
        .map(([k, v]) => [k, comparable(v)]),
    );
  return value;
}

/** Applies the rules for one side; returns the names of the rules that changed something. */
export function applyRules(items: FetchItems, side: Side): string[] {
  const fired: string[] = [];
  for (const rule of RULES) {
    if (!rule.sides.includes(side)) continue;
    const before = JSON.stringify(comparable(items));
    rule.apply(items);
    if (JSON.stringify(comparable(items)) !== before) fired.push(rule.name);
  }
  return fired;
}
