// IMAP message flags as the storage backends keep them: system flags in their canonical spelling, keywords
// as the client gave them, no duplicates (flags compare case-insensitively, RFC 9051 §2.3.2), stored as one
// space-separated string (flags are atoms and cannot contain a space).

import type { FlagOp } from './ports.ts';

const SYSTEM_FLAGS = new Map(
  ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((flag) => [flag.toLowerCase(), flag]),
);

/** Canonical spelling for system flags, duplicates removed (first spelling wins), order kept. */
export function normalizeFlags(flags: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of flags) {
    if (raw === '') continue;
    const key = raw.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(SYSTEM_FLAGS.get(key) ?? raw);
  }
  return result;
}

/** The flags after applying `op`; `current` must already be normalised. */
export function applyFlagOp(current: readonly string[], op: FlagOp, flags: readonly string[]): string[] {
  const given = normalizeFlags(flags);
  switch (op) {
    case 'set':
      return given;
    case 'add':
      return normalizeFlags([...current, ...given]);
    case 'remove': {
      const drop = new Set(given.map((flag) => flag.toLowerCase()));
      return current.filter((flag) => !drop.has(flag.toLowerCase()));
    }
  }
}

/** Same flags regardless of order and case. Both lists must be normalised. */
export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map((flag) => flag.toLowerCase()));
  return b.every((flag) => keys.has(flag.toLowerCase()));
}

export function encodeFlags(flags: readonly string[]): string {
  return flags.join(' ');
}

export function decodeFlags(encoded: string): string[] {
  return encoded === '' ? [] : encoded.split(' ');
}
