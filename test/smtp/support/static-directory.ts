// A MailDirectory over a fixed table, for session tests that must not depend on the account service:
//   domains example.org, example.net; accounts alice@, bob@, josé@, jones@, brown@ (example.org)
//   sales@example.org → bob; team@example.org → alice + carol@remote.test; @example.net (catch-all) → bob
//   postmaster (any local domain, and bare <Postmaster>) → alice; "+tag" subaddresses → the account.

import type { RecipientTarget } from '../../../src/delivery/envelope.ts';
import type { MailDirectory, RecipientRoute, SessionUser } from '../../../src/smtp/server/directory.ts';
import type { Mailbox } from '../../../src/smtp/wire/path.ts';
import type { AccountId } from '../../../src/storage/ports.ts';

export interface StaticAccount {
  id: AccountId;
  address: string;
  password: string;
}

export class StaticDirectory implements MailDirectory {
  readonly accounts = new Map<string, StaticAccount>();
  readonly aliases = new Map<string, string[]>();
  readonly domains = new Set<string>();
  /** Makes every call fail, to test infrastructure faults. */
  failing: Error | null = null;

  async route(recipient: Mailbox): Promise<RecipientRoute> {
    if (this.failing) throw this.failing;
    if (recipient.domain === '') return this.#routeLocal('postmaster@example.org');
    if (!this.domains.has(recipient.asciiDomain)) return { kind: 'remote' };
    return this.#routeLocal(recipient.address.toLowerCase());
  }

  async maySendAs(user: SessionUser, sender: Mailbox): Promise<boolean> {
    if (this.failing) throw this.failing;
    if (!this.domains.has(sender.asciiDomain)) return false;
    // A catch-all receives for any address but does not make every address the user's own.
    const route = this.#routeLocal(sender.address.toLowerCase(), false);
    return (
      route.kind === 'local' &&
      route.targets.some((t) => t.kind === 'local' && t.accountId === user.accountId)
    );
  }

  async authenticate(login: string, password: string): Promise<SessionUser | null> {
    if (this.failing) throw this.failing;
    const account = this.accounts.get(login.toLowerCase());
    if (!account || account.password !== password) return null;
    return { accountId: account.id, address: account.address };
  }

  #routeLocal(address: string, catchAll = true): RecipientRoute {
    const base = address.replace(/\+[^@]*@/, '@');
    if (base.startsWith('postmaster@')) return this.#routeLocal('alice@example.org');
    const account = this.accounts.get(base);
    if (account)
      return { kind: 'local', targets: [{ kind: 'local', accountId: account.id, address: account.address }] };
    const targets =
      this.aliases.get(base) ?? (catchAll ? this.aliases.get(base.slice(base.indexOf('@'))) : undefined);
    if (!targets) return { kind: 'unknown' };
    const out: RecipientTarget[] = [];
    for (const target of targets) {
      const acc = this.accounts.get(target);
      out.push(
        acc
          ? { kind: 'local', accountId: acc.id, address: acc.address }
          : { kind: 'remote', address: target },
      );
    }
    return { kind: 'local', targets: out };
  }
}
