// MailDirectory over the AccountService (src/accounts): recipient routing, send-as rights, logins.
// PROVISIONAL: written against the AccountService interface described in the accounts issue until that
// code lands; AccountServiceLike lists exactly what is used.

import type { RecipientTarget } from '../../delivery/envelope.ts';
import type { AccountId } from '../../storage/ports.ts';
import type { Mailbox } from '../wire/path.ts';
import type { MailDirectory, RecipientRoute, SessionUser } from './directory.ts';

export type RecipientResolution =
  | {
      kind: 'local';
      targets: Array<
        { kind: 'local'; accountId: AccountId; address: string } | { kind: 'remote'; address: string }
      >;
    }
  | { kind: 'unknown' }
  | { kind: 'remote' };

export interface AccountServiceLike {
  authenticate(address: string, password: string): Promise<{ id: AccountId; address: string } | null>;
  resolveRecipient(address: string): Promise<RecipientResolution>;
}

export function accountDirectory(accounts: AccountServiceLike): MailDirectory {
  return {
    async route(recipient: Mailbox): Promise<RecipientRoute> {
      const r = await accounts.resolveRecipient(recipient.domain === '' ? 'postmaster' : recipient.address);
      if (r.kind !== 'local') return r;
      return { kind: 'local', targets: r.targets as RecipientTarget[] };
    },
    async maySendAs(user: SessionUser, sender: Mailbox): Promise<boolean> {
      const r = await accounts.resolveRecipient(sender.address);
      return (
        r.kind === 'local' && r.targets.some((t) => t.kind === 'local' && t.accountId === user.accountId)
      );
    },
    async authenticate(login: string, password: string): Promise<SessionUser | null> {
      const account = await accounts.authenticate(login, password);
      return account ? { accountId: account.id, address: account.address } : null;
    },
  };
}
