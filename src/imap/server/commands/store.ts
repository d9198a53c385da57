// STORE and UID STORE (RFC 9051 §6.4.6) with CONDSTORE UNCHANGEDSINCE and MODIFIED (RFC 7162 §3.1.3).

import { formatSequenceSet } from '../../wire/sequence-set.ts';
import type { CommandOf } from '../command-table.ts';
import { no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';
import { flagsFetchResponse } from './fetch-untagged.ts';
import { settableFlags } from './flags.ts';
import { selectedOf } from './selected.ts';
import { targetUids } from './targets.ts';

export async function store(s: ImapSession, c: CommandOf<'STORE'>): Promise<Completion> {
  const selected = selectedOf(s);
  if (selected.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
  if (c.unchangedSince !== null) s.enabled.add('CONDSTORE');
  const uids = targetUids(s, selected, c.set, c.uid);
  const flags = settableFlags(c.flags);
  if (uids.length === 0) return ok('STORE completed');
  const result = await s.ctx.mail.updateFlags(selected.mailbox.id, uids, {
    op: c.op,
    flags,
    ...(c.unchangedSince !== null ? { unchangedSince: c.unchangedSince } : {}),
  });
  selected.noteReported(result.updated);
  // RFC 9051 §7.3.5: a new keyword changes the FLAGS (and PERMANENTFLAGS) of the mailbox.
  if (selected.takeKeywordsChanged()) s.writeFlags(selected);
  // RFC 7162 §3.1.3: with UNCHANGEDSINCE the FETCH is sent even for .SILENT, so the client learns the MODSEQ.
  if (!c.silent || c.unchangedSince !== null) {
    for (const record of result.updated) {
      const seq = selected.seqOf(record.uid);
      if (seq !== null) s.write(...flagsFetchResponse(s, seq, record));
    }
  }
  if (result.modified.length > 0) {
    const numbers = c.uid
      ? result.modified
      : result.modified.map((uid) => selected.seqOf(uid) ?? 0).filter((n) => n > 0);
    return ok('Conditional STORE failed for some messages', `MODIFIED ${formatSequenceSet(numbers)}`);
  }
  const expunged = result.updated.length + result.modified.length < uids.length;
  return ok('STORE completed', expunged ? 'EXPUNGEISSUED' : null);
}
