// AccountService: domains, accounts and aliases with validated, normalised addresses; password hashing
// and login; recipient resolution. Everything persistent goes through AccountStore.

import { randomUUID } from 'node:crypto';
import {
  AlreadyExists,
  NotFound,
  type Account,
  type AccountStore,
  type Alias,
  type Domain,
} from '../storage/ports.ts';
import { normalizeDomain, parseAddress, parseAliasAddress } from './address.ts';
import { InvalidAddress } from './errors.ts';
import { DEFAULT_ARGON2, hashPassword, needsRehash, verifyPassword, type Argon2Params } from './password.ts';
import { RecipientResolver, type Resolution } from './resolve.ts';

export interface AccountServiceOptions {
  /** argon2id cost for new hashes (tests pass TEST_ARGON2). */
  argon2?: Argon2Params;
  /** Subaddress separator ("+" by default); null turns subaddressing off. */
  subaddressSeparator?: string | null;
  /** Alias nesting followed before giving up on a branch; default 8. */
  maxAliasDepth?: number;
  /** Most targets one address may expand to; default 1000. */
  maxAliasTargets?: number;
  /** Domain for a bare "postmaster" recipient; default: the first local domain. */
  postmasterDomain?: string | null;
  /** Called when an old hash could not be upgraded at login (the login still succeeds). */
  onRehashError?: (error: unknown, account: Account) => void;
}

export class AccountService {
  readonly #store: AccountStore;
  readonly #argon2: Argon2Params;
  readonly #resolver: RecipientResolver;
  readonly #onRehashError: (error: unknown, account: Account) => void;
  #dummyHash: Promise<string> | null = null;

  constructor(store: AccountStore, options: AccountServiceOptions = {}) {
    this.#store = store;
    this.#argon2 = options.argon2 ?? DEFAULT_ARGON2;
    this.#onRehashError = options.onRehashError ?? (() => {});
    this.#resolver = new RecipientResolver(store, {
      subaddressSeparator: options.subaddressSeparator === undefined ? '+' : options.subaddressSeparator,
      maxAliasDepth: options.maxAliasDepth ?? 8,
      maxTargets: options.maxAliasTargets ?? 1000,
      postmasterDomain: options.postmasterDomain ?? null,
    });
  }

  // ------------------------------------------------------------ domains

  async addDomain(name: string): Promise<Domain> {
    return this.#store.addDomain(normalizeDomain(name));
  }

  async removeDomain(name: string): Promise<void> {
    return this.#store.removeDomain(normalizeDomain(name));
  }

  async listDomains(): Promise<Domain[]> {
    return this.#store.listDomains();
  }

  /** True when mail for `domain` is ours; false for unknown or malformed names. */
  async isLocalDomain(domain: string): Promise<boolean> {
    let normal: string;
    try {
      normal = normalizeDomain(domain);
    } catch (error) {
      if (error instanceof InvalidAddress) return false;
      throw error;
    }
    return (await this.#store.getDomain(normal)) !== null;
  }

  // ------------------------------------------------------------ accounts

  /** Creates the account (with its default mailboxes). An alias of the same address is a conflict. */
  async createAccount(address: string, password: string): Promise<Account> {
    const parsed = parseAddress(address);
    if (await this.#store.getAlias(parsed.address)) {
      throw new AlreadyExists(`${parsed.address} is already an alias`);
    }
    const passwordHash = await this.hashPassword(password);
    return this.#store.addAccount(parsed.address, passwordHash);
  }

  async getAccount(address: string): Promise<Account | null> {
    let parsed;
    try {
      parsed = parseAddress(address);
    } catch (error) {
      if (error instanceof InvalidAddress) return null;
      throw error;
    }
    return this.#store.getAccount(parsed.address);
  }

  async listAccounts(domain?: string): Promise<Account[]> {
    return this.#store.listAccounts(domain === undefined ? undefined : normalizeDomain(domain));
  }

  async setPassword(address: string, password: string): Promise<void> {
    const parsed = parseAddress(address);
    if (!(await this.#store.getAccount(parsed.address))) throw new NotFound(`no account ${parsed.address}`);
    await this.#store.setPasswordHash(parsed.address, await this.hashPassword(password));
  }

  async removeAccount(address: string): Promise<void> {
    return this.#store.removeAccount(parseAddress(address).address);
  }

  async hashPassword(password: string): Promise<string> {
    return hashPassword(password, this.#argon2);
  }

  /**
   * The account when `password` is right, else null. Unknown users, disabled accounts and bad addresses
   * cost one hash computation like a wrong password does, so timing does not tell them apart (DESIGN.md §4.8).
   */
  async authenticate(address: string, password: string): Promise<Account | null> {
    let account: Account | null = null;
    try {
      account = await this.#store.getAccount(parseAddress(address).address);
    } catch (error) {
      if (!(error instanceof InvalidAddress)) throw error;
    }
    const ok = await verifyPassword(password, account?.passwordHash ?? (await this.#dummy()));
    if (!account || !ok || account.disabled) return null;
    if (needsRehash(account.passwordHash, this.#argon2)) await this.#rehash(account, password);
    return account;
  }

  /** A hash of a random password with the current parameters, made once, for unknown users. */
  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword(randomUUID(), this.#argon2);
    return this.#dummyHash;
  }

  async #rehash(account: Account, password: string): Promise<void> {
    try {
      await this.#store.setPasswordHash(account.address, await this.hashPassword(password));
    } catch (error) {
      this.#onRehashError(error, account);
    }
  }

  // ------------------------------------------------------------ aliases

  /** `address` may be "@domain" (catch-all). Targets are full addresses, local or remote. */
  async addAlias(address: string, targets: string[]): Promise<Alias> {
    const parsed = parseAliasAddress(address);
    if (targets.length === 0) throw new InvalidAddress(`alias ${parsed.address} needs at least one target`);
    const normalTargets = [...new Set(targets.map((target) => parseAddress(target).address))];
    if (parsed.local !== '' && (await this.#store.getAccount(parsed.address))) {
      throw new AlreadyExists(`${parsed.address} is already an account`);
    }
    return this.#store.addAlias(parsed.address, normalTargets);
  }

  async getAlias(address: string): Promise<Alias | null> {
    return this.#store.getAlias(parseAliasAddress(address).address);
  }

  async listAliases(domain?: string): Promise<Alias[]> {
    return this.#store.listAliases(domain === undefined ? undefined : normalizeDomain(domain));
  }

  async removeAlias(address: string): Promise<void> {
    return this.#store.removeAlias(parseAliasAddress(address).address);
  }

  // ------------------------------------------------------------ recipients

  /** Where mail for `address` goes; see resolve.ts for the order of rules. Never throws for bad input. */
  async resolveRecipient(address: string): Promise<Resolution> {
    return this.#resolver.resolve(address);
  }
}
