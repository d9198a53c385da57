// What the SMTP server asks about addresses and users. Implemented over the AccountService
// (account-directory.ts); tests hand in small in-memory versions.

import type { RecipientTarget } from '../../delivery/envelope.ts';
import type { AccountId } from '../../storage/ports.ts';
import type { Mailbox } from '../wire/path.ts';

/** The user a submission session authenticated as. */
export interface SessionUser {
  accountId: AccountId;
  /** The account's address (login name). */
  address: string;
}

export type RecipientRoute =
  /** In one of our domains and leads somewhere (account, alias, catch-all, +tag, postmaster). */
  | { kind: 'local'; targets: RecipientTarget[] }
  /** In one of our domains and leads nowhere. */
  | { kind: 'unknown' }
  /** Not one of our domains. */
  | { kind: 'remote' };

export interface MailDirectory {
  /**
   * Routes a RCPT address. A mailbox with an empty domain is the bare "<Postmaster>" of RFC 5321 §4.1.1.3,
   * which must lead to our postmaster.
   */
  route(recipient: Mailbox): Promise<RecipientRoute>;
  /** Whether the user may use `sender` as envelope sender: its own address (+tag) or an alias leading to it. */
  maySendAs(user: SessionUser, sender: Mailbox): Promise<boolean>;
  /** Checks a login; null for unknown user and wrong password alike (no oracle, DESIGN.md §4.8). */
  authenticate(login: string, password: string): Promise<SessionUser | null>;
}
