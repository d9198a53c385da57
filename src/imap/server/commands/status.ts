// STATUS (RFC 9051 §6.3.11; RFC 7162 HIGHESTMODSEQ; RFC 8438 SIZE; RFC 7889 APPENDLIMIT), also used by
// LIST RETURN (STATUS ...) (RFC 5819).

import type { Mailbox } from '../../../storage/ports.ts';
import type { StatusItem } from '../../wire/command-types.ts';
import type { CommandOf } from '../command-table.ts';
import { no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';

export async function status(s: ImapSession, c: CommandOf<'STATUS'>): Promise<Completion> {
  if (s.state.kind !== 'authenticated' && s.state.kind !== 'selected') throw no('Authenticate first');
  const mailbox = await s.ctx.mailboxes.get(s.state.account.id, c.mailbox);
  await writeStatus(s, mailbox, c.items);
  return ok('STATUS completed');
}

export async function writeStatus(
  s: ImapSession,
  mailbox: Mailbox,
  items: readonly StatusItem[],
): Promise<void> {
  // RFC 7162 §3.1: STATUS with HIGHESTMODSEQ is a CONDSTORE-enabling command.
  if (items.includes('HIGHESTMODSEQ')) s.enabled.add('CONDSTORE');
  const needsCounts = items.some(
    (i) => i === 'MESSAGES' || i === 'UNSEEN' || i === 'DELETED' || i === 'SIZE',
  );
  const counts = needsCounts ? await s.ctx.mail.counts(mailbox.id) : null;
  const values: string[] = [];
  for (const item of items) {
    switch (item) {
      case 'MESSAGES':
        values.push(`MESSAGES ${counts!.messages}`);
        break;
      case 'UIDNEXT':
        values.push(`UIDNEXT ${mailbox.uidNext}`);
        break;
      case 'UIDVALIDITY':
        values.push(`UIDVALIDITY ${mailbox.uidValidity}`);
        break;
      case 'UNSEEN':
        values.push(`UNSEEN ${counts!.unseen}`);
        break;
      case 'DELETED':
        values.push(`DELETED ${counts!.deleted}`);
        break;
      case 'SIZE':
        values.push(`SIZE ${counts!.size}`);
        break;
      case 'RECENT': // \Recent is not kept (RFC 9051 removed it); rev1 clients see 0.
        values.push('RECENT 0');
        break;
      case 'HIGHESTMODSEQ':
        values.push(`HIGHESTMODSEQ ${mailbox.highestModSeq}`);
        break;
      case 'APPENDLIMIT':
        values.push(`APPENDLIMIT ${s.ctx.config.imap.max_literal_size}`);
        break;
    }
  }
  s.untagged(`STATUS ${s.encodeMailbox(mailbox.name)} (${values.join(' ')})`);
}
