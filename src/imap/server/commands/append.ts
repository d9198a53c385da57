// APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), UIDPLUS APPENDUID (RFC 4315), BINARY literal8
// (RFC 3516), UTF8 (RFC 6855 §4) and APPENDLIMIT (RFC 7889, enforced by the framing before `+` is sent).

import type { NewMessage } from '../../../storage/ports.ts';
import { NotFound } from '../../../storage/ports.ts';
import { formatSequenceSet } from '../../wire/sequence-set.ts';
import type { CommandOf } from '../command-table.ts';
import { bad, no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';
import { settableFlags } from './flags.ts';

export async function append(s: ImapSession, c: CommandOf<'APPEND'>): Promise<Completion> {
  if (s.state.kind !== 'authenticated' && s.state.kind !== 'selected') throw bad('Authenticate first');
  const account = s.state.account;
  let mailbox;
  try {
    mailbox = await s.ctx.mailboxes.get(account.id, c.mailbox);
  } catch (error) {
    // RFC 9051 §6.3.12: TRYCREATE when the mailbox does not exist but could be created.
    if (error instanceof NotFound) throw no('No such mailbox', 'TRYCREATE');
    throw error;
  }
  const messages: NewMessage[] = [];
  for (const message of c.messages) {
    if (message.utf8 && !s.utf8) throw bad('APPEND UTF8 needs ENABLE UTF8=ACCEPT');
    if (message.data.length === 0) throw no('Empty message', 'CANNOT');
    messages.push({
      bytes: message.data,
      parsed: s.ctx.parseMessage(message.data),
      flags: settableFlags(message.flags),
      internalDate: message.internalDate ?? s.ctx.clock.now(),
    });
  }
  // Bodies and rows in one transaction: one commit for the whole (MULTI)APPEND.
  const results = await s.ctx.mail.append(mailbox.id, messages);
  const selected = s.selected;
  if (selected && selected.mailbox.id === mailbox.id) {
    selected.applyLocal({
      kind: 'added',
      mailboxId: mailbox.id,
      uids: results.map((r) => r.uid),
      modSeq: results.at(-1)!.modSeq,
    });
  }
  const uids = formatSequenceSet(results.map((r) => r.uid));
  return ok('APPEND completed', `APPENDUID ${results[0]!.uidValidity} ${uids}`);
}
