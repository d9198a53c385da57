// RFC 5322 §3.4 address lists (with the §4.4 obsolete forms) -> IMAP ENVELOPE address structures.
// Best-effort on broken input, like Dovecot: a part that cannot be read gets MISSING_MAILBOX / MISSING_DOMAIN
// rather than vanishing (a NIL host would turn it into a group marker, RFC 9051 §7.5.2). Display names are
// RFC 2047 decoded; local parts are unquoted (formatAddress() quotes them again when needed); obsolete source
// routes are dropped (the ENVELOPE adl is always NIL).
import { decodeEncodedWords } from './encoded-words.ts';
import type { EnvelopeAddress } from './types.ts';

export const MISSING_MAILBOX = 'MISSING_MAILBOX';
export const MISSING_DOMAIN = 'MISSING_DOMAIN';

type TokenKind = 'atom' | 'quoted' | 'comment' | 'literal' | 'special';
interface Token {
  kind: TokenKind;
  text: string;
  /** Whitespace or a comment precedes the token. */
  space: boolean;
}

const SPECIALS = '()<>[]:;@\\,."';
const WHITESPACE = ' \t\r\n';
const GROUP_END: EnvelopeAddress = { name: null, adl: null, mailbox: null, host: null };
const DOT_ATOM =
  /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;
const PHRASE_NEEDS_QUOTES = /[()<>[\]:;@\\,."]|^\s|\s$/;

/** Parses an address-list header value (raw, unfolded). Never throws; returns [] when nothing is there. */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const tokens = tokenize(value);
  const nextClose = closingAngles(tokens);
  const out: EnvelopeAddress[] = [];
  let inGroup = false;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    if (isSpecial(token, ',')) {
      i++;
      continue;
    }
    if (isSpecial(token, ';')) {
      if (inGroup) out.push({ ...GROUP_END });
      inGroup = false;
      i++;
      continue;
    }
    const end = addressEnd(tokens, i, inGroup, nextClose);
    if (end.groupColon >= 0) {
      // RFC 5322 §3.4 group: display-name ":" [group-list] ";"
      out.push({ name: null, adl: null, mailbox: phraseText(tokens.slice(i, end.groupColon)), host: null });
      inGroup = true;
      i = end.groupColon + 1;
      continue;
    }
    const mailbox = parseMailbox(tokens.slice(i, end.index));
    if (mailbox) out.push(mailbox);
    i = end.index;
  }
  if (inGroup) out.push({ ...GROUP_END });
  return out;
}

/** One address for display: `Name <local@host>` or `local@host`, quoting where RFC 5322 needs it. */
export function formatAddress(address: EnvelopeAddress): string {
  const spec = addressSpec(address);
  if (address.name === null || address.name === '') return spec ?? '';
  const name = PHRASE_NEEDS_QUOTES.test(address.name) ? quote(address.name) : address.name;
  return spec === null ? name : `${name} <${spec}>`;
}

/** A whole list for display, groups written as `Name: a, b;`. */
export function formatAddressList(addresses: readonly EnvelopeAddress[]): string {
  const items: string[] = [];
  let group: { name: string; members: string[] } | null = null;
  for (const address of addresses) {
    if (address.host === null && address.mailbox !== null) {
      if (group) items.push(`${group.name}: ${group.members.join(', ')};`);
      group = { name: formatPhrase(address.mailbox), members: [] };
    } else if (address.host === null) {
      if (group) items.push(`${group.name}:${group.members.length ? ' ' : ''}${group.members.join(', ')};`);
      group = null;
    } else {
      (group ? group.members : items).push(formatAddress(address));
    }
  }
  if (group) items.push(`${group.name}:${group.members.length ? ' ' : ''}${group.members.join(', ')};`);
  return items.join(', ');
}

/** Bare `local@host` of every real address (group markers and addresses without a mailbox skipped). */
export function plainAddresses(addresses: readonly EnvelopeAddress[]): string[] {
  const out: string[] = [];
  for (const address of addresses) {
    const spec = addressSpec(address);
    if (spec !== null) out.push(spec);
  }
  return out;
}

export function isGroupStart(address: EnvelopeAddress): boolean {
  return address.host === null && address.mailbox !== null;
}

export function isGroupEnd(address: EnvelopeAddress): boolean {
  return address.host === null && address.mailbox === null;
}

function addressSpec(address: EnvelopeAddress): string | null {
  if (address.host === null || address.mailbox === null || address.mailbox === MISSING_MAILBOX) return null;
  const local = DOT_ATOM.test(address.mailbox) ? address.mailbox : quote(address.mailbox);
  return address.host === MISSING_DOMAIN || address.host === '' ? local : `${local}@${address.host}`;
}

function formatPhrase(text: string): string {
  return PHRASE_NEEDS_QUOTES.test(text) ? quote(text) : text;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function isSpecial(token: Token | undefined, ch: string): boolean {
  return token !== undefined && token.kind === 'special' && token.text === ch;
}

/** Where the address starting at `start` ends, and whether it is a group (a ':' before any '<' or '@'). */
function addressEnd(
  tokens: Token[],
  start: number,
  inGroup: boolean,
  nextClose: Int32Array,
): { index: number; groupColon: number } {
  let sawAt = false;
  let j = start;
  while (j < tokens.length) {
    const token = tokens[j] as Token;
    if (isSpecial(token, '<')) {
      const close = nextClose[j + 1] ?? -1;
      if (close >= 0) {
        j = close + 1;
        continue;
      }
      // Unclosed '<': let the address run to the next comma.
      sawAt = true;
    } else if (isSpecial(token, ',') || isSpecial(token, ';')) {
      break;
    } else if (isSpecial(token, ':') && !inGroup && !sawAt) {
      return { index: j, groupColon: j };
    } else if (isSpecial(token, '@')) {
      sawAt = true;
    }
    j++;
  }
  return { index: j, groupColon: -1 };
}

/** nextClose[i] = index of the first '>' token at or after i, or -1 (keeps the scan linear). */
function closingAngles(tokens: Token[]): Int32Array {
  const next = new Int32Array(tokens.length + 1).fill(-1);
  for (let i = tokens.length - 1; i >= 0; i--) next[i] = isSpecial(tokens[i], '>') ? i : (next[i + 1] ?? -1);
  return next;
}

function parseMailbox(tokens: Token[]): EnvelopeAddress | null {
  const words = tokens.filter((t) => t.kind !== 'comment');
  if (words.length === 0) return null;
  const open = words.findIndex((t) => isSpecial(t, '<'));
  if (open >= 0) {
    // name-addr: [display-name] "<" [obs-route] addr-spec ">"
    let close = words.findIndex((t, k) => k > open && isSpecial(t, '>'));
    if (close < 0) close = words.length;
    let inner = words.slice(open + 1, close);
    if (isSpecial(inner[0], '@')) {
      const routeEnd = inner.findIndex((t) => isSpecial(t, ':'));
      if (routeEnd >= 0) inner = inner.slice(routeEnd + 1);
    }
    const name = phraseText(words.slice(0, open)) || null;
    if (inner.length === 0 && name === null) return null;
    const { local, domain } = splitAddrSpec(inner);
    return makeAddress(name, local, domain);
  }

  const at = findLastIndex(words, (t) => isSpecial(t, '@'));
  if (at < 0) {
    // No address at all: a lone word is a local name ("root"), several words only a name.
    if (words.length === 1 && (words[0]?.kind === 'atom' || words[0]?.kind === 'quoted')) {
      return makeAddress(commentName(tokens), words[0].text, '');
    }
    const name = phraseText(words);
    return name === '' ? null : makeAddress(name, '', '');
  }
  // addr-spec, possibly behind stray words ("John Doe john@example.com"): the local part is the run of
  // unspaced words before '@', the domain the unspaced run after it.
  let localStart = at;
  while (localStart > 0) {
    const previous = words[localStart - 1] as Token;
    if (previous.kind === 'special' && previous.text !== '.') break;
    localStart--;
    if (previous.space) break;
  }
  let domainEnd = at + 1;
  while (domainEnd < words.length) {
    const next = words[domainEnd] as Token;
    // obs-domain allows CFWS around the dots ("example . com").
    const dotted = isSpecial(next, '.') || isSpecial(words[domainEnd - 1], '.');
    if (domainEnd > at + 1 && next.space && !dotted) break;
    if (next.kind === 'special' && next.text !== '.') break;
    domainEnd++;
  }
  const { local, domain } = splitAddrSpec(words.slice(localStart, domainEnd));
  const strayName = phraseText(words.slice(0, localStart));
  return makeAddress(strayName || commentName(tokens), local, domain);
}

function splitAddrSpec(tokens: Token[]): { local: string; domain: string } {
  const at = findLastIndex(tokens, (t) => isSpecial(t, '@'));
  const localTokens = at < 0 ? tokens : tokens.slice(0, at);
  const domainTokens = at < 0 ? [] : tokens.slice(at + 1);
  return { local: joinTight(localTokens), domain: joinTight(domainTokens) };
}

function makeAddress(name: string | null, local: string, domain: string): EnvelopeAddress {
  return {
    name: name === '' ? null : name,
    adl: null,
    mailbox: local === '' ? MISSING_MAILBOX : local,
    host: domain === '' ? MISSING_DOMAIN : domain,
  };
}

/** The last comment of an addr-spec, the old `user@host (Full Name)` convention. */
function commentName(tokens: Token[]): string | null {
  const comment = findLast(tokens, (t) => t.kind === 'comment' && t.text.trim() !== '');
  return comment ? decodeEncodedWords(comment.text.trim()) : null;
}

/** A display name: words joined by single spaces, quoted strings unquoted, encoded words decoded. */
function phraseText(tokens: Token[]): string {
  let out = '';
  for (const token of tokens) {
    if (token.kind === 'comment') continue;
    if (out !== '' && token.space) out += ' ';
    out += token.text;
  }
  return decodeEncodedWords(out).trim();
}

function joinTight(tokens: Token[]): string {
  return tokens
    .filter((t) => t.kind !== 'comment')
    .map((t) => t.text)
    .join('');
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let space = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (WHITESPACE.includes(ch)) {
      space = true;
      i++;
    } else if (ch === '(') {
      const { value, next } = readDelimited(text, i, '(', ')');
      tokens.push({ kind: 'comment', text: value, space });
      space = true;
      i = next;
    } else if (ch === '"') {
      const { value, next } = readDelimited(text, i, '"', '"');
      tokens.push({ kind: 'quoted', text: value, space });
      space = false;
      i = next;
    } else if (ch === '[') {
      const close = text.indexOf(']', i);
      const end = close < 0 ? text.length : close + 1;
      tokens.push({ kind: 'literal', text: text.slice(i, end).replace(/[\r\n]/g, ''), space });
      space = false;
      i = end;
    } else if (SPECIALS.includes(ch)) {
      tokens.push({ kind: 'special', text: ch === '\\' ? '' : ch, space });
      space = false;
      i++;
    } else {
      let end = i + 1;
      while (
        end < text.length &&
        !SPECIALS.includes(text[end] as string) &&
        !WHITESPACE.includes(text[end] as string)
      )
        end++;
      tokens.push({ kind: 'atom', text: text.slice(i, end), space });
      space = false;
      i = end;
    }
  }
  return tokens;
}

/** A quoted string or a (nested) comment starting at `start`; backslash escapes removed. Unterminated: to the end. */
function readDelimited(
  text: string,
  start: number,
  open: string,
  close: string,
): { value: string; next: number } {
  let depth = 0;
  let value = '';
  let i = start;
  while (i < text.length) {
    const ch = text[i] as string;
    i++;
    if (ch === '\\' && i < text.length) {
      value += text[i];
      i++;
      continue;
    }
    if (ch === close && depth === 1) return { value, next: i };
    if (ch === open && (open !== close || depth === 0)) {
      depth++;
      if (depth === 1) continue;
    } else if (ch === close && open !== close) {
      depth--;
    }
    if (ch !== '\r' && ch !== '\n') value += ch;
  }
  return { value, next: i };
}

function findLastIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i] as T)) return i;
  return -1;
}

function findLast<T>(items: T[], predicate: (item: T) => boolean): T | undefined {
  const index = findLastIndex(items, predicate);
  return index < 0 ? undefined : items[index];
}
