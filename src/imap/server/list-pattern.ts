// LIST patterns (RFC 9051 §6.3.9): "*" matches any characters, "%" any except the hierarchy delimiter.
// The reference is prefixed to the pattern; INBOX matches case-insensitively.

import { canonicalMailboxName, DELIMITER } from '../../mailbox/names.ts';

export function listPattern(reference: string, pattern: string): string {
  if (reference === '' || pattern.startsWith(DELIMITER)) return canonicalMailboxName(pattern);
  return canonicalMailboxName(reference + pattern);
}

export function patternMatcher(pattern: string): (name: string) => boolean {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '.*';
    else if (ch === '%') source += '[^/]*';
    else source += ch.replace(/[\\^$.|?+()[\]{}-]/g, '\\$&');
  }
  const exact = new RegExp(`^${source}$`, 'su');
  // "inb*" and the like also match INBOX (RFC 9051 §5.1: INBOX is case-insensitive).
  const caseless = new RegExp(`^${source}$`, 'isu');
  return (name) =>
    exact.test(name) || ((name === 'INBOX' || name.startsWith('INBOX/')) && caseless.test(name));
}
