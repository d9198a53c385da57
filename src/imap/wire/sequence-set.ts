// Sequence sets (RFC 9051 §9 `sequence-set`, RFC 5182 `$`): parse, resolve against a mailbox, format.

import type { Uid } from '../../storage/ports.ts';
import { ImapParseError } from './errors.ts';

/** A number in a set; '*' is the largest number in use (last sequence number or highest UID). */
export type SeqNumber = number | '*';

/** One element of a set as written: `n` is {from: n, to: n}; `a:b` may be reversed (`5:1` means `1:5`). */
export interface SeqRange {
  readonly from: SeqNumber;
  readonly to: SeqNumber;
}

/** A parsed set; `saved` is `$`, the result saved by SEARCH RETURN (SAVE) (RFC 5182). */
export type SequenceSet =
  { readonly kind: 'ranges'; readonly ranges: readonly SeqRange[] } | { readonly kind: 'saved' };

/** Ascending, non-overlapping, non-adjacent inclusive ranges. */
export type NumberRanges = ReadonlyArray<readonly [number, number]>;

export const MAX_NUMBER = 0xffffffff; // `number` / `nz-number` are 32-bit (RFC 9051 §9)
export const DEFAULT_MAX_RANGES = 50_000;

export interface SequenceSetOptions {
  /** `*` allowed (false for QRESYNC known-uids, RFC 7162 §3.2.5). Default true. */
  allowStar?: boolean;
  /** `$` allowed. Default true. */
  allowSaved?: boolean;
  maxRanges?: number;
}

/** Parses `1:5,7,9:*` or `$`. Throws ImapParseError (0, leading zeros, > 2^32-1, empty elements, too many). */
export function parseSequenceSet(text: string, options: SequenceSetOptions = {}): SequenceSet {
  const allowStar = options.allowStar ?? true;
  const maxRanges = options.maxRanges ?? DEFAULT_MAX_RANGES;
  if (text === '$') {
    if (options.allowSaved === false) throw new ImapParseError('$ is not allowed here');
    return { kind: 'saved' };
  }
  if (text === '') throw new ImapParseError('empty sequence set');
  const ranges: SeqRange[] = [];
  let at = 0;
  while (at <= text.length) {
    if (ranges.length >= maxRanges)
      throw new ImapParseError(`sequence set has more than ${maxRanges} ranges`);
    const end = nextComma(text, at);
    const element = text.slice(at, end);
    const colon = element.indexOf(':');
    if (colon < 0) {
      const n = parseSeqNumber(element, allowStar);
      ranges.push({ from: n, to: n });
    } else {
      ranges.push({
        from: parseSeqNumber(element.slice(0, colon), allowStar),
        to: parseSeqNumber(element.slice(colon + 1), allowStar),
      });
    }
    at = end + 1;
  }
  return { kind: 'ranges', ranges };
}

function nextComma(text: string, from: number): number {
  const i = text.indexOf(',', from);
  return i < 0 ? text.length : i;
}

function parseSeqNumber(text: string, allowStar: boolean): SeqNumber {
  if (text === '*') {
    if (!allowStar) throw new ImapParseError('* is not allowed in this sequence set');
    return '*';
  }
  if (!/^[1-9][0-9]{0,9}$/.test(text)) {
    if (text === '') throw new ImapParseError('empty element in sequence set');
    if (/^0+$/.test(text)) throw new ImapParseError('0 is not a valid sequence number or UID');
    throw new ImapParseError(`invalid sequence set element "${text.slice(0, 20)}"`);
  }
  const n = Number(text);
  if (n > MAX_NUMBER) throw new ImapParseError('number in sequence set exceeds 4294967295');
  return n;
}

/** The set as it was written, normalised (`5:1` stays reversed; numbers without leading zeros). */
export function stringifySequenceSet(set: SequenceSet): string {
  if (set.kind === 'saved') return '$';
  return set.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}:${r.to}`)).join(',');
}

/**
 * Merged ascending ranges, `*` replaced by `largest` (RFC 9051 §9: `n:*` includes `largest` even if n > largest).
 * With largest = 0 (empty mailbox) `*` is 0, which no message has. A saved set (`$`) cannot be resolved here.
 */
export function toRanges(set: SequenceSet, largest: number): NumberRanges {
  if (set.kind === 'saved') throw new Error('toRanges: resolve $ from the saved search result instead');
  const value = (n: SeqNumber) => (n === '*' ? largest : n);
  const raw = set.ranges.map((r): [number, number] => {
    const a = value(r.from);
    const b = value(r.to);
    return a <= b ? [a, b] : [b, a];
  });
  return mergeRanges(raw);
}

function mergeRanges(raw: Array<[number, number]>): NumberRanges {
  raw.sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of raw) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

/** True when n lies in one of the ranges (binary search). */
export function rangesContain(ranges: NumberRanges, n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (n < r[0]) hi = mid - 1;
    else if (n > r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Message sequence numbers of the set, ascending and unique, for a mailbox of `count` messages.
 * RFC 9051 §9 (seq-number): a number above `count`, or `*` in an empty mailbox, is a client error: throws
 * ImapParseError (answer BAD) unless `clamp` is set (then out-of-range numbers are dropped, as SEARCH does).
 */
export function resolveSeqNumbers(
  set: SequenceSet,
  count: number,
  options: { clamp?: boolean } = {},
): number[] {
  const out: number[] = [];
  for (const [lo, hi] of resolveSeqRanges(set, count, options)) for (let n = lo; n <= hi; n++) out.push(n);
  return out;
}

/** resolveSeqNumbers as ascending, disjoint ranges within 1..count (no array of every number). */
export function resolveSeqRanges(
  set: SequenceSet,
  count: number,
  options: { clamp?: boolean } = {},
): NumberRanges {
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of toRanges(set, count)) {
    if (hi > count || lo < 1) {
      if (!options.clamp) {
        throw new ImapParseError(
          count === 0
            ? 'the mailbox is empty'
            : `message sequence number out of range (mailbox has ${count})`,
        );
      }
    }
    const from = Math.max(lo, 1);
    const to = Math.min(hi, count);
    if (from <= to) out.push([from, to]);
  }
  return out;
}

/**
 * The UIDs of `existing` (ascending) that the set names; `*` is the highest existing UID.
 * UIDs that do not exist are ignored (RFC 9051 §6.4.9).
 */
export function resolveUids(set: SequenceSet, existing: readonly Uid[]): Uid[] {
  const largest = existing.length > 0 ? existing[existing.length - 1]! : 0;
  const ranges = toRanges(set, largest);
  const out: Uid[] = [];
  for (const [lo, hi] of ranges) {
    for (let i = lowerBound(existing, lo); i < existing.length && existing[i]! <= hi; i++)
      out.push(existing[i]!);
  }
  return out;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Compact text for a list of numbers, e.g. [1,2,3,5,9,8] -> "1:3,5,8:9" (COPYUID, VANISHED, ESEARCH ALL).
 * Sorted and de-duplicated unless `keepOrder` (then only consecutive ascending runs are joined, so two
 * lists formatted with keepOrder still correspond element by element, as COPYUID requires).
 * Returns "" for an empty list, which is not a valid set: callers must not send it.
 */
export function formatSequenceSet(numbers: Iterable<number>, options: { keepOrder?: boolean } = {}): string {
  let list = [...numbers];
  if (!options.keepOrder) {
    list.sort((a, b) => a - b);
    list = list.filter((n, i) => i === 0 || n !== list[i - 1]);
  }
  const parts: string[] = [];
  let i = 0;
  while (i < list.length) {
    const start = list[i]!;
    let end = start;
    while (i + 1 < list.length && list[i + 1] === end + 1) end = list[++i]!;
    parts.push(start === end ? `${start}` : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}
