// Loads the records of many messages at once: the whole mailbox when most of it is asked for (FETCH 1:*),
// else just the UIDs asked for. Ascending UID order.

import type { MailboxId, MessageRecord, Uid } from '../../../storage/ports.ts';
import type { ImapSession } from '../session.ts';

export async function loadRecords(
  s: ImapSession,
  mailboxId: MailboxId,
  uids: readonly Uid[],
  exists: number,
): Promise<MessageRecord[]> {
  if (uids.length === 0) return [];
  if (uids.length > 500 && uids.length * 2 > exists) {
    const wanted = new Set<number>(uids);
    return (await s.ctx.mail.listMessages(mailboxId)).filter((r) => wanted.has(r.uid));
  }
  return s.ctx.mail.getMessages(mailboxId, [...uids]);
}
