// COPY, MOVE and their UID forms (RFC 9051 §6.4.7-8, RFC 6851 MOVE, RFC 4315 COPYUID).

import { NotFound } from '../../../storage/ports.ts';
import { formatSequenceSet } from '../../wire/sequence-set.ts';
import type { CommandOf } from '../command-table.ts';
import { no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';
import { selectedOf } from './selected.ts';
import { targetUids } from './targets.ts';

export async function copyOrMove(s: ImapSession, c: CommandOf<'COPY'>): Promise<Completion> {
  const selected = selectedOf(s);
  if (s.state.kind !== 'selected') throw no('No mailbox selected');
  const move = c.name === 'MOVE';
  if (move && selected.readOnly) throw no('Mailbox is read-only', 'READ-ONLY');
  const uids = targetUids(s, selected, c.set, c.uid);
  let target;
  try {
    target = await s.ctx.mailboxes.get(s.state.account.id, c.mailbox);
  } catch (error) {
    if (error instanceof NotFound) throw no('No such mailbox', 'TRYCREATE');
    throw error;
  }
  if (uids.length === 0) return ok(`${c.name} completed, no messages`);
  const moved = move ? await s.ctx.mail.move(selected.mailbox.id, uids, target.id) : null;
  const result = moved ?? (await s.ctx.mail.copy(selected.mailbox.id, uids, target.id));
  const mapping = result.mapping;
  const copyUid =
    mapping.length > 0
      ? `COPYUID ${result.uidValidity} ${formatSequenceSet(
          mapping.map((m) => m.from),
          { keepOrder: true },
        )} ${formatSequenceSet(
          mapping.map((m) => m.to),
          { keepOrder: true },
        )}`
      : null;
  if (target.id === selected.mailbox.id && mapping.length > 0) {
    const modSeq = moved ? moved.modSeq : target.highestModSeq;
    selected.applyLocal({ kind: 'added', mailboxId: target.id, uids: mapping.map((m) => m.to), modSeq });
  }
  if (!moved) return ok('COPY completed', copyUid);
  // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs, which the session then sends.
  if (copyUid) s.untagged(`OK [${copyUid}] Moved`);
  selected.applyLocal({
    kind: 'expunged',
    mailboxId: selected.mailbox.id,
    uids: mapping.map((m) => m.from),
    modSeq: moved.modSeq,
  });
  return ok('MOVE completed', s.condstore ? `HIGHESTMODSEQ ${moved.modSeq}` : null);
}
