// MailDirectory over the AccountService (src/accounts): recipient routing, send-as rights, logins.

import type { AccountService, Resolution } from '../../accounts/index.ts';
import type { RecipientTarget } from '../../delivery/envelope.ts';
import type { Mailbox } from '../wire/path.ts';
import type { MailDirectory, RecipientRoute, SessionUser } from './directory.ts';

export type AccountDirectorySource = Pick<
  AccountService,
  'resolveRecipient' | 'authenticate' | 'isLocalDomain'
>;

export interface AccountDirectoryOptions {
  /** Our host name: a bare "<Postmaster>" goes to postmaster@ the first local domain among it and its parents. */
  hostname?: string;
}

export function accountDirectory(
  accounts: AccountDirectorySource,
  options: AccountDirectoryOptions = {},
): MailDirectory {
  /** RFC 5321 §4.1.1.3: "<Postmaster>" without a domain must be accepted. */
  const resolveBarePostmaster = async (): Promise<Resolution> => {
    const labels = (options.hostname ?? '').split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const domain = labels.slice(i).join('.');
      if (await accounts.isLocalDomain(domain)) return accounts.resolveRecipient(`postmaster@${domain}`);
    }
    return accounts.resolveRecipient('postmaster');
  };

  return {
    async route(recipient: Mailbox): Promise<RecipientRoute> {
      const resolution =
        recipient.domain === ''
          ? await resolveBarePostmaster()
          : await accounts.resolveRecipient(recipient.address);
      switch (resolution.kind) {
        case 'account':
        case 'alias': {
          const targets = targetsOf(resolution);
          return targets.length > 0 ? { kind: 'local', targets } : { kind: 'unknown' };
        }
        case 'non-local':
          return { kind: 'remote' };
        case 'unknown-user':
        case 'no-postmaster':
          return { kind: 'unknown' };
        case 'invalid':
          // Valid SMTP the account rules do not take (quoted local parts, address literals): never ours.
          return (await accounts.isLocalDomain(recipient.asciiDomain))
            ? { kind: 'unknown' }
            : { kind: 'remote' };
      }
    },

    async maySendAs(user: SessionUser, sender: Mailbox): Promise<boolean> {
      const resolution = await accounts.resolveRecipient(sender.address);
      // The catch-all receives for any address of its domain; that does not make them the user's own.
      if (resolution.kind === 'alias' && resolution.catchAll) return false;
      if (resolution.kind !== 'account' && resolution.kind !== 'alias') return false;
      return resolution.targets.some((t) => t.kind === 'local' && t.account.id === user.accountId);
    },

    async authenticate(login: string, password: string): Promise<SessionUser | null> {
      const account = await accounts.authenticate(login, password);
      return account ? { accountId: account.id, address: account.address } : null;
    },
  };
}

function targetsOf(resolution: Extract<Resolution, { kind: 'account' | 'alias' }>): RecipientTarget[] {
  return resolution.targets.map((t) =>
    t.kind === 'local'
      ? { kind: 'local', accountId: t.account.id, address: t.account.address }
      : { kind: 'remote', address: t.address },
  );
}
