// Local delivery: one message into one account's INBOX, in one store call (atomic per recipient).
// The backend publishes the 'added' change after commit, so IDLE-ing IMAP sessions see it at once.

import type { AccountId, AppendResult, BlobId, MailStore } from '../storage/ports.ts';

export type LocalMailStore = Pick<MailStore, 'getMailbox' | 'createMailbox' | 'append'>;

export async function appendToInbox(
  mail: LocalMailStore,
  accountId: AccountId,
  blobId: BlobId,
  internalDate: Date,
): Promise<AppendResult> {
  // Every account is created with an INBOX; recreate it should an operator have removed it.
  const inbox = (await mail.getMailbox(accountId, 'INBOX')) ?? (await mail.createMailbox(accountId, 'INBOX'));
  const [result] = await mail.append(inbox.id, [{ blobId, flags: [], internalDate }]);
  return result!;
}
