// Grammar pieces shared by the command parsers: mailbox names, sequence sets, flags, mod-sequences, dates.

import type { ModSeq } from '../../storage/ports.ts';
import { parseDate, parseDateTime } from './date-time.ts';
import { ImapParseError } from './errors.ts';
import { decodeMutf7 } from './mutf7.ts';
import {
  DEFAULT_MAX_RANGES,
  parseSequenceSet,
  type SequenceSet,
  type SequenceSetOptions,
} from './sequence-set.ts';
import { CommandReader, decodeUtf8, isAtomChar, type StringToken } from './tokenizer.ts';
import type { ImapDate } from './command-types.ts';

export interface ParseOptions {
  /**
   * Mailbox names are UTF-8 (the client enabled IMAP4rev2 or UTF8=ACCEPT, RFC 9051 §5.1 / RFC 6855 §3);
   * otherwise they are modified UTF-7 (RFC 3501 §5.1.3), decoded strictly. Default false.
   */
  utf8Mailboxes?: boolean;
  /** Most ranges in one sequence set (default 50 000). */
  maxSequenceRanges?: number;
  /** Deepest nesting of SEARCH parentheses / NOT / OR (default 32). */
  maxSearchDepth?: number;
}

export interface ParseContext {
  r: CommandReader;
  utf8Mailboxes: boolean;
  maxSequenceRanges: number;
  maxSearchDepth: number;
}

export function makeContext(r: CommandReader, options: ParseOptions): ParseContext {
  return {
    r,
    utf8Mailboxes: options.utf8Mailboxes ?? false,
    maxSequenceRanges: options.maxSequenceRanges ?? DEFAULT_MAX_RANGES,
    maxSearchDepth: options.maxSearchDepth ?? 32,
  };
}

/**
 * Wire bytes of a mailbox name -> its UTF-8 name. INBOX is case-insensitive (RFC 9051 §5.1): "inbox" and the
 * "inbox/" prefix are returned as "INBOX" ("/" is Posthorn's hierarchy delimiter).
 */
export function decodeMailboxName(bytes: Buffer, utf8Mailboxes: boolean): string {
  const name = utf8Mailboxes ? decodeUtf8(bytes, 'mailbox name') : decodeMutf7(bytes.toString('latin1'));
  if (
    name.length >= 5 &&
    name.slice(0, 5).toUpperCase() === 'INBOX' &&
    (name.length === 5 || name[5] === '/')
  ) {
    return 'INBOX' + name.slice(5);
  }
  return name;
}

export function mailbox(ctx: ParseContext, what = 'mailbox name'): string {
  return decodeMailboxName(ctx.r.astring(what).bytes, ctx.utf8Mailboxes);
}

const isSeqSetChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || c === 0x3a || c === 0x2a || c === 0x2c || c === 0x24;

export function sequenceSet(
  ctx: ParseContext,
  what = 'sequence set',
  options: SequenceSetOptions = {},
): SequenceSet {
  const text = ctx.r.token(what, isSeqSetChar);
  const next = ctx.r.peek();
  if (next !== -1 && isAtomChar(next)) throw new ImapParseError(`invalid character in ${what}`);
  return parseSequenceSet(text, { maxRanges: ctx.maxSequenceRanges, ...options });
}

const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];
const SYSTEM_FLAG_BY_LOWER = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f]));

/**
 * flag (RFC 9051 §9): a system flag (returned in canonical case), a keyword atom, or `\` atom (flag-extension).
 * \Recent is refused: clients cannot set it (RFC 3501 §2.3.2); `\*` only appears in PERMANENTFLAGS.
 */
export function flag(ctx: ParseContext): string {
  const r = ctx.r;
  if (r.accept(0x5c)) {
    const name = '\\' + r.atom('flag');
    const lower = name.toLowerCase();
    if (lower === '\\recent') throw new ImapParseError('\\Recent cannot be set by clients');
    return SYSTEM_FLAG_BY_LOWER.get(lower) ?? name;
  }
  return r.atom('flag keyword');
}

/** flag-list = "(" [flag *(SP flag)] ")", duplicates removed. */
export function flagList(ctx: ParseContext): string[] {
  const r = ctx.r;
  r.expect(0x28, '( to open the flag list');
  const flags: string[] = [];
  if (!r.accept(0x29)) {
    do flags.push(flag(ctx));
    while (r.acceptSp());
    r.expect(0x29, ') to close the flag list');
  }
  return dedupeFlags(flags);
}

export function dedupeFlags(flags: string[]): string[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const key = f.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** mod-sequence-value (1..2^63-1, clamped to 2^53-1) or, with allowZero, mod-sequence-valzer. */
export function modSeq(ctx: ParseContext, allowZero: boolean, what = 'mod-sequence'): ModSeq {
  const value = ctx.r.number64(what);
  if (value === 0 && !allowZero) throw new ImapParseError(`${what} must not be 0`);
  return value as ModSeq;
}

const isDateChar = (c: number) => isAtomChar(c) && c !== 0x22;

/** date = date-text / DQUOTE date-text DQUOTE */
export function searchDate(ctx: ParseContext): ImapDate {
  const r = ctx.r;
  if (r.peek() === 0x22) return parseDate(decodeUtf8(r.string('date').bytes, 'date'));
  return parseDate(r.token('date', isDateChar));
}

/** date-time, always quoted (RFC 9051 §9). */
export function dateTime(ctx: ParseContext): Date {
  const token = ctx.r.string('date-time');
  if (token.form !== 'quoted') throw new ImapParseError('date-time must be a quoted string');
  return parseDateTime(token.bytes.toString('latin1'));
}

/** Text of a string token as UTF-8 (IDs, header names). */
export function text(token: StringToken, what: string): string {
  return decodeUtf8(token.bytes, what);
}

/** Parenthesised list of items separated by single SPs; `item` is called once per element. Empty allowed. */
export function parenList(ctx: ParseContext, what: string, item: () => void): void {
  const r = ctx.r;
  r.expect(0x28, `( to open ${what}`);
  if (r.accept(0x29)) return;
  do item();
  while (r.acceptSp());
  r.expect(0x29, `) to close ${what}`);
}
