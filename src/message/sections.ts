// IMAP section part numbers (RFC 9051 §6.4.5) -> MimePart.
// Children of a multipart are numbered from 1. A message whose body is not multipart has just part 1, its body.
// Below a message/rfc822 part the numbering continues in the encapsulated message: "2.1" is the first part of
// its multipart body, or its body itself when that is not multipart.
import type { MimePart } from './types.ts';

/**
 * The part at `path` (e.g. [1, 2] for "1.2") below `root`, the message's top-level entity; null if none.
 * An empty path returns the root. For BODY[2.HEADER] / [2.TEXT] use partAt(root, [2]).message.body.
 */
export function partAt(root: MimePart, path: readonly number[]): MimePart | null {
  let container = root;
  let isMessage = true; // container is a message's top-level entity (where the "part 1 is the body" rule holds)
  let current: MimePart = root;
  for (let i = 0; i < path.length; i++) {
    const n = path[i] ?? 0;
    if (!Number.isInteger(n) || n < 1) return null;
    if (container.type === 'multipart') {
      const child = container.children[n - 1];
      if (!child) return null;
      current = child;
    } else if (isMessage && n === 1) {
      current = container;
    } else {
      return null;
    }
    if (i === path.length - 1) break;
    if (current.message) {
      container = current.message.body;
      isMessage = true;
    } else if (current.type === 'multipart' && current !== container) {
      container = current;
      isMessage = false;
    } else {
      return null;
    }
  }
  return current;
}
