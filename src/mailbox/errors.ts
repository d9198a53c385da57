// Mailbox-level domain errors. Protocol code maps them to replies in one place
// (src/imap/server/error-responses.ts); the storage port's errors (NotFound, AlreadyExists, …) pass through.

export class MailboxError extends Error {
  override name = 'MailboxError';
}

/** The name is not acceptable (syntax, wildcard, not canonical, too long, could escape the account). */
export class InvalidMailboxName extends MailboxError {
  override name = 'InvalidMailboxName';
}

/** The operation is not allowed on this mailbox (DELETE INBOX, RENAME onto itself or into its own child). */
export class MailboxOperationRefused extends MailboxError {
  override name = 'MailboxOperationRefused';
}

/** DELETE of a name that exists only as the parent of other mailboxes (RFC 9051 §6.3.4). */
export class MailboxHasChildren extends MailboxError {
  override name = 'MailboxHasChildren';
}

/** SELECT/STATUS of a name that exists only as the parent of other mailboxes (\Noselect). */
export class MailboxNotSelectable extends MailboxError {
  override name = 'MailboxNotSelectable';
}
