// CHECK, CLOSE, UNSELECT, EXPUNGE, UID EXPUNGE (RFC 9051 §6.4.1-3, §6.4.9; RFC 3691; RFC 4315 §2.1).

import type { SelectedMailbox } from '../../../mailbox/selected-mailbox.ts';
import type { ModSeq, Uid } from '../../../storage/ports.ts';
import { resolveUids } from '../../wire/sequence-set.ts';
import type { CommandOf } from '../command-table.ts';
import { no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';

export function selectedOf(s: ImapSession): SelectedMailbox {
  const selected = s.selected;
  if (!selected) throw no('No mailbox selected');
  return selected;
}

// RFC 9051 §6.4.1 (CHECK is gone from IMAP4rev2 but harmless): like NOOP.
export async function check(): Promise<Completion> {
  return ok('CHECK completed');
}

// RFC 9051 §6.4.1: expunge silently, then leave the selected state.
export async function close(s: ImapSession): Promise<Completion> {
  const selected = selectedOf(s);
  s.deselect();
  if (!selected.readOnly) await removeDeleted(s, selected, null);
  return ok('CLOSE completed');
}

// RFC 9051 §6.4.2 (RFC 3691)
export async function unselect(s: ImapSession): Promise<Completion> {
  selectedOf(s);
  s.deselect();
  return ok('UNSELECT completed');
}

// RFC 9051 §6.4.3: the untagged EXPUNGE (or VANISHED) responses are sent by the session before the tagged OK.
export async function expunge(s: ImapSession): Promise<Completion> {
  return expungeWithin(s, null);
}

// RFC 4315 §2.1 / RFC 9051 §6.4.9
export async function uidExpunge(s: ImapSession, c: CommandOf<'UID EXPUNGE'>): Promise<Completion> {
  const selected = selectedOf(s);
  const set = c.set.kind === 'saved' ? { kind: 'saved' as const } : c.set;
  const uids = set.kind === 'saved' ? s.savedSearch : resolveUids(set, selected.uids);
  return expungeWithin(s, new Set(uids));
}

async function expungeWithin(s: ImapSession, only: Set<number> | null): Promise<Completion> {
  const selected = selectedOf(s);
  if (selected.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
  const modSeq = await removeDeleted(s, selected, only);
  // RFC 7162 §3.2.10 (and §3.1.11 for CONDSTORE): the new HIGHESTMODSEQ in the tagged OK.
  return ok('EXPUNGE completed', s.condstore && modSeq !== null ? `HIGHESTMODSEQ ${modSeq}` : null);
}

/** Expunges the \Deleted messages of the snapshot (limited to `only`); returns the modseq, or null if none. */
async function removeDeleted(
  s: ImapSession,
  selected: SelectedMailbox,
  only: Set<number> | null,
): Promise<ModSeq | null> {
  const records = await selected.records(selected.uids);
  const uids: Uid[] = records
    .filter((r) => r.flags.includes('\\Deleted') && (only === null || only.has(r.uid)))
    .map((r) => r.uid);
  if (uids.length === 0) return null;
  const result = await s.ctx.mail.expunge(selected.mailbox.id, uids);
  selected.applyLocal({
    kind: 'expunged',
    mailboxId: selected.mailbox.id,
    uids: result.expunged,
    modSeq: result.modSeq,
  });
  return result.modSeq;
}
