// Checks made before an account or alias is created, so the user learns about a missing domain before
// typing a password, with the command that fixes it.

import type { AccountService } from '../accounts/index.ts';
import { UserError } from './errors.ts';

export async function requireLocalDomain(accounts: AccountService, domain: string): Promise<void> {
  if (!(await accounts.isLocalDomain(domain))) {
    throw new UserError(
      `${domain} is not a local domain; add it first with \`posthorn domain add ${domain}\``,
    );
  }
}
