// SEARCH (RFC 9051 §6.4.4): the whole search-key grammar, CHARSET, ESEARCH RETURN options (RFC 4731),
// SAVE and `$` (RFC 5182), MODSEQ (RFC 7162 §3.1.5), OLDER/YOUNGER (RFC 5032).

import iconv from 'iconv-lite';
import type { Command, SearchKey, SearchReturn } from './command-types.ts';
import { ImapParseError } from './errors.ts';
import { flag, modSeq, parenList, searchDate, sequenceSet, type ParseContext } from './parse-common.ts';
import { decodeUtf8, type StringToken } from './tokenizer.ts';

/** CHARSET values always supported; others are accepted when iconv-lite knows them. */
export const BASIC_CHARSETS = ['UTF-8', 'US-ASCII'];

interface SearchContext extends ParseContext {
  charset: string | null;
}

// search = "SEARCH" [search-return-opts] SP search-program
export function parseSearch(ctx: ParseContext, uid: boolean): Command {
  const r = ctx.r;
  r.sp();
  let ret: SearchReturn | null = null;
  if (r.acceptWord('RETURN')) {
    r.sp();
    const options: SearchReturn = { min: false, max: false, all: false, count: false, save: false };
    parenList(ctx, 'search return options', () => {
      const opt = r.keyword('search return option');
      if (opt === 'MIN') options.min = true;
      else if (opt === 'MAX') options.max = true;
      else if (opt === 'ALL') options.all = true;
      else if (opt === 'COUNT') options.count = true;
      else if (opt === 'SAVE') options.save = true;
      else throw new ImapParseError(`unknown search return option ${opt}`);
    });
    // RFC 4731 §3.1: RETURN () is RETURN (ALL).
    if (!options.min && !options.max && !options.count && !options.save) options.all = true;
    ret = options;
    r.sp();
  }
  const sctx: SearchContext = { ...ctx, charset: null };
  if (r.acceptWord('CHARSET')) {
    r.sp();
    const charset = decodeUtf8(r.astring('charset').bytes, 'charset').toUpperCase();
    if (!BASIC_CHARSETS.includes(charset) && !iconv.encodingExists(charset)) {
      // RFC 9051 §6.4.4: an unsupported charset is a NO [BADCHARSET (...)], not a BAD.
      throw new ImapParseError(`unsupported charset ${charset}`, {
        status: 'NO',
        code: { name: 'BADCHARSET', args: [BASIC_CHARSETS] },
      });
    }
    sctx.charset = charset;
    r.sp();
  }
  const keys: SearchKey[] = [];
  do keys.push(searchKey(sctx, 0));
  while (r.acceptSp());
  r.end();
  const criteria: SearchKey = keys.length === 1 ? keys[0]! : { type: 'and', keys };
  return { name: 'SEARCH', uid, charset: sctx.charset, criteria, return: ret };
}

function searchString(ctx: SearchContext, what: string): string {
  const token: StringToken = ctx.r.astring(what);
  const charset = ctx.charset;
  if (charset === null || BASIC_CHARSETS.includes(charset)) return decodeUtf8(token.bytes, what);
  return iconv.decode(token.bytes, charset);
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  RECENT: ['\\Recent', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
  OLD: ['\\Recent', false],
};

const HEADER_KEYS: Record<string, string> = {
  BCC: 'bcc',
  CC: 'cc',
  FROM: 'from',
  SUBJECT: 'subject',
  TO: 'to',
};
const DATE_KEYS: Record<string, ['internalDate' | 'sentDate', 'before' | 'on' | 'since']> = {
  BEFORE: ['internalDate', 'before'],
  ON: ['internalDate', 'on'],
  SINCE: ['internalDate', 'since'],
  SENTBEFORE: ['sentDate', 'before'],
  SENTON: ['sentDate', 'on'],
  SENTSINCE: ['sentDate', 'since'],
};

const isKeyStart = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x2a || c === 0x24;

function searchKey(ctx: SearchContext, depth: number): SearchKey {
  const r = ctx.r;
  if (depth > ctx.maxSearchDepth) throw new ImapParseError('search criteria nested too deeply');
  const c = r.peek();
  if (c === 0x28) {
    r.accept(0x28);
    const keys: SearchKey[] = [];
    do keys.push(searchKey(ctx, depth + 1));
    while (r.acceptSp());
    r.expect(0x29, ') to close the search key list');
    return keys.length === 1 ? keys[0]! : { type: 'and', keys };
  }
  if (isKeyStart(c)) return { type: 'seq', set: sequenceSet(ctx) };
  const word = r.keyword('search key');
  const flagKey = FLAG_KEYS[word];
  if (flagKey) return { type: 'flag', flag: flagKey[0], set: flagKey[1] };
  const header = HEADER_KEYS[word];
  if (header) {
    r.sp();
    return { type: 'header', field: header, value: searchString(ctx, `${word} value`) };
  }
  const dateKey = DATE_KEYS[word];
  if (dateKey) {
    r.sp();
    return { type: dateKey[0], op: dateKey[1], date: searchDate(ctx) };
  }
  switch (word) {
    case 'ALL':
      return { type: 'all' };
    case 'NEW':
      return {
        type: 'and',
        keys: [
          { type: 'flag', flag: '\\Recent', set: true },
          { type: 'flag', flag: '\\Seen', set: false },
        ],
      };
    case 'KEYWORD':
    case 'UNKEYWORD': {
      r.sp();
      return { type: 'flag', flag: flag(ctx), set: word === 'KEYWORD' };
    }
    case 'BODY':
    case 'TEXT':
      r.sp();
      return { type: word === 'BODY' ? 'body' : 'text', value: searchString(ctx, `${word} value`) };
    case 'HEADER': {
      r.sp();
      const field = searchString(ctx, 'header field name');
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field))
        throw new ImapParseError(`invalid header field name "${field}"`);
      r.sp();
      return { type: 'header', field: field.toLowerCase(), value: searchString(ctx, 'HEADER value') };
    }
    case 'LARGER':
    case 'SMALLER':
      r.sp();
      return {
        type: 'size',
        op: word === 'LARGER' ? 'larger' : 'smaller',
        size: r.number64('size'),
      };
    case 'UID':
      r.sp();
      return { type: 'uid', set: sequenceSet(ctx) };
    case 'NOT':
      r.sp();
      return { type: 'not', key: searchKey(ctx, depth + 1) };
    case 'OR': {
      r.sp();
      const left = searchKey(ctx, depth + 1);
      r.sp();
      return { type: 'or', left, right: searchKey(ctx, depth + 1) };
    }
    case 'OLDER':
    case 'YOUNGER':
      r.sp();
      return { type: 'age', op: word === 'OLDER' ? 'older' : 'younger', seconds: r.nzNumber('interval') };
    case 'MODSEQ':
      return modSeqKey(ctx);
    default:
      throw new ImapParseError(`unknown search key ${word}`);
  }
}

// search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
// search-modseq-ext = SP entry-name SP entry-type-req (entry-name is a quoted "/flags/<flag>")
function modSeqKey(ctx: SearchContext): SearchKey {
  const r = ctx.r;
  r.sp();
  let entry: { name: string; kind: 'priv' | 'shared' | 'all' } | null = null;
  if (r.peek() === 0x22 || r.atLiteral()) {
    const name = decodeUtf8(r.string('entry name').bytes, 'entry name');
    r.sp();
    const kind = r.keyword('entry type').toLowerCase();
    if (kind !== 'priv' && kind !== 'shared' && kind !== 'all')
      throw new ImapParseError(`invalid entry type ${kind}`);
    entry = { name, kind };
    r.sp();
  }
  return { type: 'modSeq', modSeq: modSeq(ctx, true), entry };
}
