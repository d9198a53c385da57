// The AccountService as the SMTP server's provisional AccountServiceLike sees it
// (src/smtp/server/account-directory.ts): AccountService.resolveRecipient's detailed Resolution folded
// into local targets / unknown user / not our domain. Goes away when the SMTP server takes AccountService.

import type { AccountService } from '../accounts/index.ts';
import type { AccountServiceLike, RecipientResolution } from '../smtp/server/account-directory.ts';

export function smtpAccounts(accounts: AccountService): AccountServiceLike {
  return {
    authenticate: (address, password) => accounts.authenticate(address, password),
    async resolveRecipient(address: string): Promise<RecipientResolution> {
      const r = await accounts.resolveRecipient(address);
      switch (r.kind) {
        case 'account':
        case 'alias': {
          const targets = r.targets.map((t) =>
            t.kind === 'local'
              ? { kind: 'local' as const, accountId: t.account.id, address: t.address }
              : { kind: 'remote' as const, address: t.address },
          );
          return targets.length > 0 ? { kind: 'local', targets } : { kind: 'unknown' };
        }
        case 'non-local':
          return { kind: 'remote' };
        case 'no-postmaster':
        case 'unknown-user':
        case 'invalid':
          return { kind: 'unknown' };
      }
    },
  };
}
