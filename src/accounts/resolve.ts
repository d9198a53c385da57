// Recipient resolution: which mailboxes and remote addresses one RCPT address leads to.
// Order for an address in a local domain (first match wins):
//   1. an account with that address (local parts match case-insensitively)
//   2. an alias with that address, expanded recursively (loops and depth bounded)
//   3. subaddressing, user+tag@domain (RFC 5233): steps 1-2 for user@domain, tag kept for the caller
//   4. postmaster@domain (RFC 5321 §4.5.1, any case): the first account of the domain
//   5. the catch-all alias @domain
//   6. otherwise an unknown user

import type { Account, AccountStore } from '../storage/ports.ts';
import { normalizeDomain, parseAddress, splitSubaddress, type ParsedAddress } from './address.ts';
import { InvalidAddress } from './errors.ts';

export interface LocalTarget {
  kind: 'local';
  account: Account;
  /** The account's address (what matched), e.g. for Delivered-To. */
  address: string;
  /** Subaddress tag of the address that led here, if any. */
  tag: string | null;
}

export interface RemoteTarget {
  kind: 'remote';
  address: string;
}

export type Target = LocalTarget | RemoteTarget;

export type Resolution =
  | {
      kind: 'account';
      /** The recipient in normal form. */
      address: string;
      account: Account;
      tag: string | null;
      via: 'address' | 'subaddress' | 'postmaster';
      targets: [LocalTarget];
    }
  | {
      kind: 'alias';
      address: string;
      /** The alias that matched: its address, or "@domain" for the catch-all. */
      alias: string;
      catchAll: boolean;
      tag: string | null;
      /** Distinct accounts and remote addresses, in expansion order; empty if every target was unknown. */
      targets: Target[];
      /** Targets that led nowhere: unknown local users, invalid addresses, loops, too deep. */
      unresolved: string[];
    }
  /** postmaster@domain of a local domain that has no postmaster alias and no account to fall back to. */
  | { kind: 'no-postmaster'; address: string; domain: string }
  | { kind: 'unknown-user'; address: string; domain: string }
  | { kind: 'non-local'; address: string; domain: string }
  | { kind: 'invalid'; address: string; reason: string };

export interface ResolveOptions {
  /** Subaddress separator; null turns subaddressing off. */
  subaddressSeparator: string | null;
  /** Alias nesting followed before giving up on a branch. */
  maxAliasDepth: number;
  /** Targets collected at most from one address. */
  maxTargets: number;
  /** Domain for a bare "postmaster" (RFC 5321 §4.5.1); default: the first local domain. */
  postmasterDomain: string | null;
}

type Lookups = Pick<AccountStore, 'getAccount' | 'getAlias' | 'getDomain' | 'listAccounts' | 'listDomains'>;

export class RecipientResolver {
  readonly #store: Lookups;
  readonly #options: ResolveOptions;

  constructor(store: Lookups, options: ResolveOptions) {
    this.#store = store;
    this.#options = options;
  }

  async resolve(input: string): Promise<Resolution> {
    let parsed: ParsedAddress;
    try {
      parsed = await this.#parse(input);
    } catch (error) {
      if (error instanceof InvalidAddress) return { kind: 'invalid', address: input, reason: error.message };
      throw error;
    }
    const walk = new Walk(this.#store);
    if (!(await walk.isLocal(parsed.domain))) {
      return { kind: 'non-local', address: parsed.address, domain: parsed.domain };
    }
    return this.#resolveLocal(parsed, walk, 0);
  }

  async #parse(input: string): Promise<ParsedAddress> {
    if (input.toLowerCase() !== 'postmaster') return parseAddress(input);
    const domain = this.#options.postmasterDomain
      ? normalizeDomain(this.#options.postmasterDomain)
      : (await this.#store.listDomains())[0]?.name;
    if (!domain) throw new InvalidAddress('"postmaster" without a domain, and no local domain is configured');
    return { local: input, domain, address: `${input}@${domain}` };
  }

  async #resolveLocal(parsed: ParsedAddress, walk: Walk, depth: number): Promise<Resolution> {
    const { address, domain } = parsed;
    const direct = await this.#accountOrAlias(address, null, walk, depth);
    if (direct) return finish(direct, address, 'address');

    const separator = this.#options.subaddressSeparator;
    const split = separator ? splitSubaddress(parsed.local, separator) : null;
    if (split) {
      const base = await this.#accountOrAlias(`${split.base}@${domain}`, split.tag, walk, depth);
      if (base) return finish(base, address, 'subaddress');
    }

    if (parsed.local.toLowerCase() === 'postmaster') {
      const accounts = await this.#store.listAccounts(domain);
      const first = accounts.reduce<Account | null>((a, b) => (a === null || b.id < a.id ? b : a), null);
      if (!first) return { kind: 'no-postmaster', address, domain };
      return finish(accountMatch(first, null), address, 'postmaster');
    }

    const catchAll = await this.#alias(`@${domain}`, null, true, walk, depth);
    if (catchAll) return finish(catchAll, address, 'address');
    return { kind: 'unknown-user', address, domain };
  }

  /** Steps 1 and 2 for one address; null when neither an account nor an alias matches. */
  async #accountOrAlias(
    address: string,
    tag: string | null,
    walk: Walk,
    depth: number,
  ): Promise<Match | null> {
    const account = await this.#store.getAccount(address);
    if (account) return accountMatch(account, tag);
    return this.#alias(address, tag, false, walk, depth);
  }

  async #alias(
    address: string,
    tag: string | null,
    catchAll: boolean,
    walk: Walk,
    depth: number,
  ): Promise<Match | null> {
    const entered = await walk.enterAlias(address);
    if (entered.state === 'none') return null;
    const base = { kind: 'alias' as const, alias: entered.address, catchAll, tag };
    if (entered.state === 'loop') {
      // A catch-all reached again from its own targets: that target is simply an unknown user.
      return catchAll ? null : { ...base, targets: [], unresolved: [`${address} (alias loop)`] };
    }
    // Already expanded on another branch of this resolution: its targets are in the result.
    if (entered.state === 'done') return { ...base, targets: [], unresolved: [] };
    const expansion = await this.#expand(entered.targets, walk, depth + 1);
    walk.leaveAlias(address);
    return { ...base, ...expansion };
  }

  async #expand(
    targets: string[],
    walk: Walk,
    depth: number,
  ): Promise<{ targets: Target[]; unresolved: string[] }> {
    const result: { targets: Target[]; unresolved: string[] } = { targets: [], unresolved: [] };
    const seen = new Set<string>();
    const add = (target: Target) => {
      const key =
        target.kind === 'local' ? `local:${target.account.id}` : `remote:${target.address.toLowerCase()}`;
      if (seen.has(key)) return;
      if (seen.size >= this.#options.maxTargets) {
        result.unresolved.push(`${target.address} (more than ${this.#options.maxTargets} targets)`);
        return;
      }
      seen.add(key);
      result.targets.push(target);
    };
    for (const raw of targets) {
      let parsed: ParsedAddress;
      try {
        parsed = parseAddress(raw);
      } catch {
        result.unresolved.push(`${raw} (invalid address)`);
        continue;
      }
      if (!(await walk.isLocal(parsed.domain))) {
        add({ kind: 'remote', address: parsed.address });
        continue;
      }
      if (depth > this.#options.maxAliasDepth) {
        result.unresolved.push(
          `${parsed.address} (aliases nested deeper than ${this.#options.maxAliasDepth})`,
        );
        continue;
      }
      const inner = await this.#resolveLocal(parsed, walk, depth);
      if (inner.kind === 'account' || inner.kind === 'alias') {
        for (const target of inner.targets) add(target);
        if (inner.kind === 'alias') result.unresolved.push(...inner.unresolved);
      } else {
        result.unresolved.push(`${parsed.address} (${inner.kind})`);
      }
    }
    return result;
  }
}

type AccountMatch = Omit<Extract<Resolution, { kind: 'account' }>, 'address' | 'via'>;
type AliasMatch = Omit<Extract<Resolution, { kind: 'alias' }>, 'address'>;
type Match = AccountMatch | AliasMatch;

function accountMatch(account: Account, tag: string | null): AccountMatch {
  return {
    kind: 'account',
    account,
    tag,
    targets: [{ kind: 'local', account, address: account.address, tag }],
  };
}

function finish(match: Match, address: string, via: 'address' | 'subaddress' | 'postmaster'): Resolution {
  return match.kind === 'account' ? { ...match, address, via } : { ...match, address };
}

/** State of one resolution: aliases being expanded or done (loop protection), domains looked up. */
class Walk {
  readonly #store: Lookups;
  readonly #domains = new Map<string, boolean>();
  readonly #onPath = new Set<string>();
  readonly #done = new Set<string>();

  constructor(store: Lookups) {
    this.#store = store;
  }

  async isLocal(domain: string): Promise<boolean> {
    let local = this.#domains.get(domain);
    if (local === undefined) {
      local = (await this.#store.getDomain(domain)) !== null;
      this.#domains.set(domain, local);
    }
    return local;
  }

  /** Looks the alias up and, when it is new to this resolution, marks it as being expanded. */
  async enterAlias(
    address: string,
  ): Promise<
    | { state: 'none' }
    | { state: 'loop'; address: string }
    | { state: 'done'; address: string }
    | { state: 'new'; address: string; targets: string[] }
  > {
    const key = address.toLowerCase();
    if (this.#onPath.has(key)) return { state: 'loop', address };
    if (this.#done.has(key)) return { state: 'done', address };
    const alias = await this.#store.getAlias(address);
    if (!alias) return { state: 'none' };
    this.#onPath.add(key);
    return { state: 'new', address: alias.address, targets: alias.targets };
  }

  leaveAlias(address: string): void {
    const key = address.toLowerCase();
    this.#onPath.delete(key);
    this.#done.add(key);
  }
}
