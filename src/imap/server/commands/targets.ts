// The messages a sequence set names in the selected mailbox's snapshot: by sequence number or UID, or `$`
// (the saved SEARCH result, RFC 5182), always returned as UIDs in ascending order.

import type { SelectedMailbox } from '../../../mailbox/selected-mailbox.ts';
import type { Uid } from '../../../storage/ports.ts';
import { resolveSeqRanges, resolveUids, type SequenceSet } from '../../wire/sequence-set.ts';
import type { ImapSession } from '../session.ts';

export function targetUids(
  s: ImapSession,
  selected: SelectedMailbox,
  set: SequenceSet,
  byUid: boolean,
): Uid[] {
  if (set.kind === 'saved') {
    return s.savedSearch.filter((uid) => selected.seqOf(uid) !== null).sort((a, b) => a - b) as Uid[];
  }
  if (byUid) return resolveUids(set, selected.uids);
  // RFC 9051 §9: a sequence number above the message count is a client error (BAD).
  const view = selected.uids;
  const out: Uid[] = [];
  for (const [lo, hi] of resolveSeqRanges(set, selected.exists)) {
    for (let seq = lo; seq <= hi; seq++) out.push(view[seq - 1]!);
  }
  return out;
}
