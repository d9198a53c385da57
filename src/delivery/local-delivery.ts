// Local delivery: one message into one account's INBOX (or Junk), in one store call and one transaction:
// mailbox lookup, body and message row commit together (atomic per recipient, one commit per recipient).
// The backend publishes the 'added' change after commit, so IDLE-ing IMAP sessions see it at once.

import type { ParsedMessage } from '../message/types.ts';
import type { AccountId, AppendResult, MailStore } from '../storage/ports.ts';

export type LocalMailStore = Pick<MailStore, 'deliver'>;

export async function deliverToMailbox(
  mail: LocalMailStore,
  accountId: AccountId,
  message: { bytes: Buffer; parsed: ParsedMessage },
  internalDate: Date,
  mailboxName: 'INBOX' | 'Junk' = 'INBOX',
): Promise<AppendResult> {
  // Every account is created with INBOX and Junk; the store re-creates one an operator has removed.
  return mail.deliver(
    { accountId, mailbox: mailboxName, specialUse: mailboxName === 'Junk' ? '\\Junk' : null },
    { bytes: message.bytes, parsed: message.parsed, flags: [], internalDate },
  );
}
