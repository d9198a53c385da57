// The search language of `posthorn mail search`, compiled to an IMAP SEARCH (RFC 9051 §6.4.4) that the
// server executes. Terms are ANDed; `or` joins the terms on either side; `not` before a term (or a leading
// `-`, after `--` on the command line) negates it.
//
//   from:alice  to:bob  cc:x  bcc:x  subject:"quarterly report"  body:word  text:word  (a bare word = text)
//   since:2026-01-01  before:2026-02-01  on:2026-01-15  date:2026-01-01..2026-01-31   (Date header)
//   received-since:DATE  received-before:DATE                                         (arrival time)
//   DATE is YYYY-MM-DD, today, yesterday, or Nd / Nw (days / weeks ago)
//   is:unread|read|flagged|unflagged|answered|unanswered|draft|deleted|forwarded
//   larger:100k  smaller:2M  uid:1:100  header:List-Id:dev

import type { SearchObject } from 'imapflow';
import { UserError } from '../cli/errors.ts';

const DAY = 86_400_000;

export function parseSearchDate(value: string, now: Date): Date {
  const utcDay = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d));
  const today = utcDay(now.getFullYear(), now.getMonth(), now.getDate());
  const lower = value.toLowerCase();
  if (lower === 'today') return today;
  if (lower === 'yesterday') return new Date(today.getTime() - DAY);
  const relative = /^(\d+)([dw])$/.exec(lower);
  if (relative) return new Date(today.getTime() - Number(relative[1]) * (relative[2] === 'w' ? 7 : 1) * DAY);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (iso) {
    const date = utcDay(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));
    if (date.getUTCDate() === Number(iso[3])) return date;
  }
  throw new UserError(`not a date: "${value}" (use YYYY-MM-DD, today, yesterday, 7d or 2w)`);
}

function parseSize(value: string): number {
  const m = /^(\d+)([kKmMgG]?)[bB]?$/.exec(value);
  if (!m) throw new UserError(`not a size: "${value}" (use e.g. 500, 100k, 2M)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

const FLAG_TERMS: Record<string, SearchObject> = {
  unread: { seen: false },
  unseen: { seen: false },
  new: { seen: false },
  read: { seen: true },
  seen: { seen: true },
  flagged: { flagged: true },
  starred: { flagged: true },
  unflagged: { flagged: false },
  answered: { answered: true },
  replied: { answered: true },
  unanswered: { answered: false },
  draft: { draft: true },
  deleted: { deleted: true },
  forwarded: { keyword: '$Forwarded' },
};

function term(key: string, rawValue: string, now: Date): SearchObject {
  const value = unquote(rawValue);
  if (value === '') throw new UserError(`"${key}:" needs a value`);
  switch (key) {
    case 'from':
    case 'to':
    case 'cc':
    case 'bcc':
    case 'subject':
    case 'body':
    case 'text':
      return { [key]: value };
    case 'since':
    case 'after':
      return { sentSince: parseSearchDate(value, now) };
    case 'before':
      return { sentBefore: parseSearchDate(value, now) };
    case 'on':
      return { sentOn: parseSearchDate(value, now) };
    case 'date': {
      const [from, to] = value.split('..');
      const out: SearchObject = {};
      if (from) out.sentSince = parseSearchDate(from, now);
      // An inclusive end: before the day after it.
      if (to) out.sentBefore = new Date(parseSearchDate(to, now).getTime() + DAY);
      if (!from && !to) throw new UserError('date: needs FROM..TO');
      return out;
    }
    case 'received-since':
      return { since: parseSearchDate(value, now) };
    case 'received-before':
      return { before: parseSearchDate(value, now) };
    case 'is':
    case 'flag': {
      const flag = FLAG_TERMS[value.toLowerCase()];
      if (flag) return flag;
      if (key === 'flag') return { keyword: value };
      throw new UserError(`unknown "is:${value}"; use one of ${Object.keys(FLAG_TERMS).join(', ')}`);
    }
    case 'larger':
      return { larger: parseSize(value) };
    case 'smaller':
      return { smaller: parseSize(value) };
    case 'uid':
      if (!/^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(value))
        throw new UserError(`not a UID set: ${value}`);
      return { uid: value };
    case 'header': {
      const colon = value.indexOf(':');
      if (colon <= 0) throw new UserError('header: needs NAME:VALUE, e.g. header:List-Id:dev');
      return { header: { [value.slice(0, colon)]: value.slice(colon + 1) || true } };
    }
    default:
      throw new UserError(`unknown search term "${key}:" (see posthorn mail search --help)`);
  }
}

/** Words of the query (as the shell split them) → one SearchObject; an empty query finds everything. */
export function compileSearch(words: readonly string[], now: Date): SearchObject {
  const terms: SearchObject[] = [];
  let pendingOr = false;
  let pendingNot = false;
  for (const word of words) {
    if (word.trim() === '') continue;
    if (word.toLowerCase() === 'not') {
      pendingNot = !pendingNot;
      continue;
    }
    if (word.toLowerCase() === 'or') {
      if (terms.length === 0 || pendingOr) throw new UserError('"or" needs a term on each side');
      pendingOr = true;
      continue;
    }
    const negate = (word.startsWith('-') && word.length > 1) !== pendingNot;
    pendingNot = false;
    const body = word.startsWith('-') && word.length > 1 ? word.slice(1) : word;
    const m = /^([a-z][a-z-]*):(.*)$/is.exec(body);
    let t = m ? term(m[1]!.toLowerCase(), m[2]!, now) : { text: unquote(body) };
    if (negate) t = { not: t };
    if (pendingOr) {
      const left = terms.pop()!;
      t = { or: [left, t] };
      pendingOr = false;
    }
    terms.push(t);
  }
  if (pendingOr) throw new UserError('"or" needs a term on each side');
  if (pendingNot) throw new UserError('"not" needs a term after it');
  if (terms.length === 0) return { all: true };
  // Merge ANDed terms into one object where their keys do not collide; imapflow ANDs the keys.
  const merged: SearchObject = {};
  const rest: SearchObject[] = [];
  for (const t of terms) {
    if (Object.keys(t).some((k) => k in merged)) rest.push(t);
    else Object.assign(merged, t);
  }
  if (rest.length === 0) return merged;
  // imapflow has one slot per key, so terms whose keys collide (from:a from:b) go into the `not` slot by
  // De Morgan: x AND a AND b = x AND NOT(NOT a OR NOT b); an existing `not` joins the same OR.
  let out = merged;
  for (const t of rest) out = { ...out, not: out.not ? { or: [out.not, { not: t }] } : { not: t } };
  return out;
}
