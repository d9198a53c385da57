// Local delivery: one message into one account's INBOX, in one store call (atomic per recipient).
// The backend publishes the 'added' change after commit, so IDLE-ing IMAP sessions see it at once.

import type { AccountId, AppendResult, BlobId, MailStore } from '../storage/ports.ts';

export type LocalMailStore = Pick<MailStore, 'getMailbox' | 'createMailbox' | 'append'>;

export async function appendToInbox(
  mail: LocalMailStore,
  accountId: AccountId,
  blobId: BlobId,
  internalDate: Date,
  mailboxName: 'INBOX' | 'Junk' = 'INBOX',
): Promise<AppendResult> {
  // Every account is created with INBOX and Junk; recreate them should an operator have removed one.
  const mailbox =
    (await mail.getMailbox(accountId, mailboxName)) ??
    (await mail.createMailbox(accountId, mailboxName, mailboxName === 'Junk' ? '\\Junk' : null));
  const [result] = await mail.append(mailbox.id, [{ blobId, flags: [], internalDate }]);
  return result!;
}
