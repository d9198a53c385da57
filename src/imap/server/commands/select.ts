// SELECT and EXAMINE (RFC 9051 §6.3.2-3), with CONDSTORE and QRESYNC parameters (RFC 7162 §3.1.8, §3.2.5).

import { SelectedMailbox } from '../../../mailbox/selected-mailbox.ts';
import type { Mailbox } from '../../../storage/ports.ts';
import { formatSequenceSet, resolveUids } from '../../wire/sequence-set.ts';
import type { QresyncParams } from '../../wire/command-types.ts';
import type { CommandOf } from '../command-table.ts';
import { bad, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';
import { flagsFetchResponse } from './fetch-untagged.ts';

export async function select(s: ImapSession, c: CommandOf<'SELECT'>): Promise<Completion> {
  if (s.state.kind !== 'authenticated' && s.state.kind !== 'selected') throw bad('Authenticate first');
  const account = s.state.account;
  if (c.qresync && !s.qresync) throw bad('ENABLE QRESYNC first');
  // A SELECT (even a failing one) leaves the previous mailbox; CLOSED marks the point (RFC 9051 §7.1).
  if (s.state.kind === 'selected') {
    s.deselect();
    if (s.rev2 || s.qresync) s.untagged('OK [CLOSED] Previous mailbox is now closed');
  }
  if (c.condstore) s.enabled.add('CONDSTORE');

  const found = await s.ctx.mailboxes.get(account.id, c.mailbox);
  const readOnly = c.name === 'EXAMINE';
  const { selected, records } = await SelectedMailbox.open(
    s.ctx.mail,
    s.ctx.mailboxes.changes,
    found,
    readOnly,
  );
  let mailbox: Mailbox = found;
  try {
    // Read again after the snapshot: UIDNEXT and HIGHESTMODSEQ must not be behind it.
    mailbox = (await s.ctx.mail.getMailboxById(found.id)) ?? found;
  } catch (error) {
    selected.close();
    throw error;
  }
  s.state = { kind: 'selected', account, selected };

  s.writeFlags(selected);
  s.untagged(`${selected.exists} EXISTS`);
  if (!s.rev2) {
    s.untagged('0 RECENT');
    const firstUnseen = records.findIndex((r) => !r.flags.includes('\\Seen'));
    if (firstUnseen >= 0) s.untagged(`OK [UNSEEN ${firstUnseen + 1}] First unseen`);
  }
  s.untagged(`OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid`);
  const uidNext = Math.max(mailbox.uidNext, (selected.maxUid ?? 0) + 1);
  s.untagged(`OK [UIDNEXT ${uidNext}] Predicted next UID`);
  if (s.condstore) s.untagged(`OK [HIGHESTMODSEQ ${mailbox.highestModSeq}] Highest`);
  if (s.rev2) s.untagged(`LIST () "/" ${s.encodeMailbox(mailbox.name)}`);
  if (c.qresync && c.qresync.uidValidity === mailbox.uidValidity) await resync(s, selected, c.qresync);
  return ok(`${c.name} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE');
}

// RFC 7162 §3.2.5.2: what changed since the client's modseq: VANISHED (EARLIER) then FETCH of changed messages.
async function resync(s: ImapSession, selected: SelectedMailbox, q: QresyncParams): Promise<void> {
  const changes = await s.ctx.mail.changesSince(selected.mailbox.id, q.modSeq);
  let vanished = changes.vanished;
  if (q.knownUids) {
    const known = new Set(
      resolveUids(
        q.knownUids,
        [...vanished].sort((a, b) => a - b),
      ),
    );
    vanished = vanished.filter((uid) => known.has(uid));
  }
  if (vanished.length > 0) s.untagged(`VANISHED (EARLIER) ${formatSequenceSet(vanished)}`);
  const shown = [];
  for (const record of changes.changed) {
    const seq = selected.seqOf(record.uid);
    if (seq === null) continue;
    s.write(...flagsFetchResponse(s, seq, record));
    shown.push(record);
    await s.flow();
  }
  selected.noteReported(shown);
}
