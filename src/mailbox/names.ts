// Mailbox names: one canonical UTF-8 form per mailbox, "/" as the hierarchy delimiter (RFC 9051 §5.1).
//
// Rules kept here (the IMAP layer decodes modified UTF-7 for rev1 clients before calling in):
// - "INBOX" is case-insensitive, also as the first level of a hierarchical name ("inbox/x" is "INBOX/x").
// - Created names: no empty levels, no leading "/", no "*" or "%" (LIST wildcards), no control characters,
//   no "." or ".." levels, well-formed Unicode in NFC, at most MAX_NAME_OCTETS octets and MAX_NAME_DEPTH levels.
//   A single trailing "/" on CREATE is the client's declaration that it will create children (RFC 9051 §6.3.3)
//   and is removed by the caller (createName) before validation.

import { InvalidMailboxName } from './errors.ts';

export const DELIMITER = '/';
export const INBOX = 'INBOX';
export const MAX_NAME_OCTETS = 1000;
export const MAX_NAME_DEPTH = 32;

// C0, DEL and C1 controls: never in a name (they break LIST output and terminals).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** INBOX spelled canonically when it is the name or its first level; other names unchanged. */
export function canonicalMailboxName(name: string): string {
  if (name.length < 5) return name;
  const head = name.slice(0, 5);
  if (head.toUpperCase() !== INBOX || head === INBOX) return name;
  if (name.length === 5 || name[5] === DELIMITER) return INBOX + name.slice(5);
  return name;
}

export function isInbox(name: string): boolean {
  return name.toUpperCase() === INBOX;
}

/**
 * A name that refers to a mailbox (SELECT, STATUS, DELETE, APPEND, COPY target…): canonical INBOX, no control
 * characters, bounded length. A malformed name here simply does not exist, so only hostile input is refused.
 */
export function referenceName(name: string): string {
  if (name === '') throw new InvalidMailboxName('empty mailbox name');
  if (Buffer.byteLength(name) > MAX_NAME_OCTETS) throw new InvalidMailboxName('mailbox name too long');
  if (CONTROL.test(name) || !name.isWellFormed()) {
    throw new InvalidMailboxName('mailbox name contains control characters');
  }
  return canonicalMailboxName(name);
}

/** Validates a name a mailbox is created or renamed to and returns its canonical form. */
export function validateNewName(name: string): string {
  const canonical = referenceName(name);
  if (canonical.startsWith(DELIMITER) || canonical.endsWith(DELIMITER)) {
    throw new InvalidMailboxName('mailbox name must not begin or end with "/"');
  }
  if (canonical.includes('*') || canonical.includes('%')) {
    throw new InvalidMailboxName('mailbox name must not contain "*" or "%"');
  }
  if (canonical.normalize('NFC') !== canonical) {
    throw new InvalidMailboxName('mailbox name is not in Unicode normalization form C');
  }
  const levels = canonical.split(DELIMITER);
  if (levels.length > MAX_NAME_DEPTH) throw new InvalidMailboxName('mailbox hierarchy too deep');
  for (const level of levels) {
    if (level === '') throw new InvalidMailboxName('mailbox name has an empty level');
    if (level === '.' || level === '..') throw new InvalidMailboxName('mailbox name has a "." or ".." level');
    if (level.trim() !== level)
      throw new InvalidMailboxName('mailbox name level begins or ends with a space');
  }
  return canonical;
}

/** CREATE's name: the trailing "/" declaration removed (RFC 9051 §6.3.3), then validated. */
export function createName(name: string): string {
  const trimmed = name.endsWith(DELIMITER) && name.length > 1 ? name.slice(0, -1) : name;
  return validateNewName(trimmed);
}

/** Superior names from the top: "a/b/c" → ["a", "a/b"]. */
export function parentNames(name: string): string[] {
  const parts = name.split(DELIMITER);
  const result: string[] = [];
  for (let i = 1; i < parts.length; i++) result.push(parts.slice(0, i).join(DELIMITER));
  return result;
}

/** True when `name` is strictly below `parent` in the hierarchy. */
export function isInferior(name: string, parent: string): boolean {
  return name.length > parent.length + 1 && name.startsWith(parent) && name[parent.length] === DELIMITER;
}
