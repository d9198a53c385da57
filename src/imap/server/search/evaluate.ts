// SEARCH evaluation (RFC 9051 §6.4.4, RFC 7162 §3.1.5 MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 5182 `$`):
// a key compiles once into a pure predicate over one message. Header criteria use the stored parsed index
// (decoded header values); BODY and TEXT use the decoded text of the message's text parts.
// Strings match as case-insensitive substrings; dates compare by calendar day, ignoring time and zone.

import type { ParsedMessage } from '../../../message/types.ts';
import type { MessageRecord } from '../../../storage/ports.ts';
import { parseDateFields } from '../../../message/date.ts';
import type { DateOp, SearchKey } from '../../wire/command-types.ts';
import { dayNumber } from '../../wire/date-time.ts';
import { rangesContain, toRanges } from '../../wire/sequence-set.ts';

export interface SearchMessage {
  seq: number;
  record: MessageRecord;
  /** The parsed index; present when searchNeeds(key).parsed. */
  parsed: ParsedMessage | null;
  /** Decoded header and body text; present when searchNeeds(key).text. */
  text: { header: string; body: string } | null;
}

export interface SearchScope {
  /** Messages in the session's view (for `*` in sequence numbers). */
  exists: number;
  /** Highest UID in the view (for `*` in UID sets). */
  maxUid: number;
  /** The saved result (`$`), as UIDs. */
  saved: ReadonlySet<number>;
  now: Date;
}

export function searchNeeds(key: SearchKey): { parsed: boolean; text: boolean; modSeq: boolean } {
  const needs = { parsed: false, text: false, modSeq: false };
  const walk = (k: SearchKey): void => {
    switch (k.type) {
      case 'and':
        k.keys.forEach(walk);
        break;
      case 'or':
        walk(k.left);
        walk(k.right);
        break;
      case 'not':
        walk(k.key);
        break;
      case 'header':
      case 'sentDate':
        needs.parsed = true;
        break;
      case 'body':
      case 'text':
        needs.parsed = true;
        needs.text = true;
        break;
      case 'modSeq':
        needs.modSeq = true;
        break;
      default:
        break;
    }
  };
  walk(key);
  return needs;
}

export type SearchPredicate = (m: SearchMessage) => boolean;

export function compileSearch(key: SearchKey, scope: SearchScope): SearchPredicate {
  switch (key.type) {
    case 'all':
      return () => true;
    case 'and': {
      const parts = key.keys.map((k) => compileSearch(k, scope));
      return (m) => parts.every((p) => p(m));
    }
    case 'or': {
      const left = compileSearch(key.left, scope);
      const right = compileSearch(key.right, scope);
      return (m) => left(m) || right(m);
    }
    case 'not': {
      const inner = compileSearch(key.key, scope);
      return (m) => !inner(m);
    }
    case 'seq': {
      if (key.set.kind === 'saved') return (m) => scope.saved.has(m.record.uid);
      const ranges = toRanges(key.set, scope.exists);
      return (m) => rangesContain(ranges, m.seq);
    }
    case 'uid': {
      if (key.set.kind === 'saved') return (m) => scope.saved.has(m.record.uid);
      const ranges = toRanges(key.set, scope.maxUid);
      return (m) => rangesContain(ranges, m.record.uid);
    }
    case 'flag': {
      const wanted = key.flag.toLowerCase();
      // \Recent is not kept (IMAP4rev2 dropped it): no message has it.
      if (wanted === '\\recent') return () => !key.set;
      return (m) => m.record.flags.some((f) => f.toLowerCase() === wanted) === key.set;
    }
    case 'header': {
      const field = key.field.toLowerCase();
      const needle = fold(key.value);
      return (m) =>
        (m.parsed?.headers ?? []).some(
          ([name, value]) => name === field && (needle === '' || fold(value).includes(needle)),
        );
    }
    case 'body': {
      const needle = fold(key.value);
      return (m) => fold(m.text?.body ?? '').includes(needle);
    }
    case 'text': {
      const needle = fold(key.value);
      return (m) => fold(m.text?.header ?? '').includes(needle) || fold(m.text?.body ?? '').includes(needle);
    }
    case 'internalDate': {
      const day = dayNumber(key.date);
      return (m) => compareDay(utcDay(m.record.internalDate), key.op, day);
    }
    case 'sentDate': {
      const day = dayNumber(key.date);
      return (m) => {
        const sent = m.parsed ? sentDay(m.parsed) : null;
        return sent !== null && compareDay(sent, key.op, day);
      };
    }
    case 'size':
      return key.op === 'larger' ? (m) => m.record.size > key.size : (m) => m.record.size < key.size;
    case 'modSeq':
      return (m) => m.record.modSeq >= key.modSeq;
    case 'age': {
      const limit = scope.now.getTime() - key.seconds * 1000;
      return key.op === 'older'
        ? (m) => m.record.internalDate.getTime() <= limit
        : (m) => m.record.internalDate.getTime() > limit;
    }
  }
}

function fold(text: string): string {
  return text.toLowerCase();
}

function compareDay(day: number, op: DateOp, target: number): boolean {
  if (op === 'before') return day < target;
  if (op === 'on') return day === target;
  return day >= target;
}

function utcDay(date: Date): number {
  return Math.floor(date.getTime() / 86_400_000);
}

/** The date of the Date header as written, in the sender's zone (RFC 9051 §6.4.4). */
function sentDay(parsed: ParsedMessage): number | null {
  const fields = parseDateFields(parsed.envelope.date);
  if (fields) return dayNumber({ year: fields.year, month: fields.month, day: fields.day });
  return parsed.sentDate === null ? null : Math.floor(parsed.sentDate / 86_400_000);
}
