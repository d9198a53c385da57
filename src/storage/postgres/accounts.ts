// Domains, accounts and aliases in PostgreSQL. Addresses are looked up by their lower-cased form; the
// address as first given is kept for display. Address syntax is the accounts service's job, not the store's.
// Uniqueness races between nodes end on the unique constraints (AlreadyExists), not on the checks before.

import {
  AlreadyExists,
  DEFAULT_MAILBOXES,
  NotEmpty,
  NotFound,
  type Account,
  type AccountId,
  type AccountStore,
  type Alias,
  type Domain,
} from '../ports.ts';
import { addressKey, collectBlobsQuietly, domainOf, publish, type PgContext } from './context.ts';
import { insertMailbox } from './mailboxes.ts';

interface AccountRow {
  id: number;
  address: string;
  domain: string;
  password_hash: string;
  created_at: Date;
  disabled: boolean;
}

const ACCOUNT_COLUMNS = 'id, address, domain, password_hash, created_at, disabled';

function toAccount(row: AccountRow): Account {
  return {
    id: row.id as AccountId,
    address: row.address,
    domain: row.domain,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    disabled: row.disabled,
  };
}

function toDomain(row: { name: string; created_at: Date }): Domain {
  return { name: row.name, createdAt: row.created_at };
}

export class PgAccountStore implements AccountStore {
  readonly #ctx: PgContext;

  constructor(ctx: PgContext) {
    this.#ctx = ctx;
  }

  async addDomain(name: string): Promise<Domain> {
    const key = name.toLowerCase();
    const row = await this.#ctx.db.row<{ name: string; created_at: Date }>(
      'INSERT INTO domains (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING name, created_at',
      [key, this.#ctx.now()],
    );
    if (!row) throw new AlreadyExists(`domain ${key} exists`);
    return toDomain(row);
  }

  async listDomains(): Promise<Domain[]> {
    const rows = await this.#ctx.db.rows<{ name: string; created_at: Date }>(
      'SELECT name, created_at FROM domains ORDER BY name',
    );
    return rows.map(toDomain);
  }

  async getDomain(name: string): Promise<Domain | null> {
    const row = await this.#ctx.db.row<{ name: string; created_at: Date }>(
      'SELECT name, created_at FROM domains WHERE name = $1',
      [name.toLowerCase()],
    );
    return row ? toDomain(row) : null;
  }

  async removeDomain(name: string): Promise<void> {
    const key = name.toLowerCase();
    await this.#ctx.db.write(async (tx) => {
      // The row lock makes a concurrent addAccount in this domain wait (its foreign key check) until we end.
      if (!(await tx.row('SELECT 1 FROM domains WHERE name = $1 FOR UPDATE', [key]))) {
        throw new NotFound(`no domain ${key}`);
      }
      const counts = (await tx.row<{ accounts: number; aliases: number }>(
        `SELECT (SELECT count(*) FROM accounts WHERE domain = $1) AS accounts,
                (SELECT count(*) FROM aliases WHERE domain = $1) AS aliases`,
        [key],
      ))!;
      if (counts.accounts > 0 || counts.aliases > 0) {
        throw new NotEmpty(
          `domain ${key} still has ${counts.accounts} account(s) and ${counts.aliases} alias(es)`,
        );
      }
      await tx.run('DELETE FROM domains WHERE name = $1', [key]);
    });
  }

  async addAccount(address: string, passwordHash: string): Promise<Account> {
    const key = addressKey(address);
    const domain = domainOf(address);
    return this.#ctx.db.write(async (tx) => {
      if (!(await tx.row('SELECT 1 FROM domains WHERE name = $1 FOR KEY SHARE', [domain]))) {
        throw new NotFound(`no domain ${domain}`);
      }
      const row = await tx.row<AccountRow>(
        `INSERT INTO accounts (address, address_key, domain, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (address_key) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
        [address, key, domain, passwordHash, this.#ctx.now()],
      );
      if (!row) throw new AlreadyExists(`account ${address} exists`);
      const id = row.id as AccountId;
      for (const mailbox of DEFAULT_MAILBOXES) {
        await insertMailbox(this.#ctx, tx, id, mailbox.name, mailbox.specialUse);
      }
      await tx.run(
        `INSERT INTO subscriptions (account_id, name) SELECT $1, name FROM unnest($2::text[]) AS name
         ON CONFLICT DO NOTHING`,
        [id, DEFAULT_MAILBOXES.map((mailbox) => mailbox.name)],
      );
      await publish(this.#ctx, tx, { kind: 'mailboxes', accountId: id });
      return toAccount(row);
    });
  }

  async getAccount(address: string): Promise<Account | null> {
    const row = await this.#ctx.db.row<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE address_key = $1`,
      [addressKey(address)],
    );
    return row ? toAccount(row) : null;
  }

  async getAccountById(id: AccountId): Promise<Account | null> {
    const row = await this.#ctx.db.row<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [
      id,
    ]);
    return row ? toAccount(row) : null;
  }

  async listAccounts(domain?: string): Promise<Account[]> {
    const rows =
      domain === undefined
        ? await this.#ctx.db.rows<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY address_key`)
        : await this.#ctx.db.rows<AccountRow>(
            `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE domain = $1 ORDER BY address_key`,
            [domain.toLowerCase()],
          );
    return rows.map(toAccount);
  }

  async setPasswordHash(address: string, passwordHash: string): Promise<void> {
    const changes = await this.#ctx.db.run('UPDATE accounts SET password_hash = $1 WHERE address_key = $2', [
      passwordHash,
      addressKey(address),
    ]);
    if (changes === 0) throw new NotFound(`no account ${address}`);
  }

  async removeAccount(address: string): Promise<void> {
    await this.#ctx.db.write(async (tx) => {
      const row = await tx.row<{ id: number }>('DELETE FROM accounts WHERE address_key = $1 RETURNING id', [
        addressKey(address),
      ]);
      if (!row) throw new NotFound(`no account ${address}`);
      // Mailboxes, messages and subscriptions go by cascade.
      await publish(this.#ctx, tx, { kind: 'mailboxes', accountId: row.id as AccountId });
    });
    await collectBlobsQuietly(this.#ctx);
  }

  async addAlias(address: string, targets: string[]): Promise<Alias> {
    const key = addressKey(address);
    const domain = domainOf(address);
    return this.#ctx.db.write(async (tx) => {
      if (!(await tx.row('SELECT 1 FROM domains WHERE name = $1 FOR KEY SHARE', [domain]))) {
        throw new NotFound(`no domain ${domain}`);
      }
      const row = await tx.row<{ id: number }>(
        `INSERT INTO aliases (address, address_key, domain, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (address_key) DO NOTHING RETURNING id`,
        [address, key, domain, this.#ctx.now()],
      );
      if (!row) throw new AlreadyExists(`alias ${address} exists`);
      await tx.run(
        `INSERT INTO alias_targets (alias_id, position, target)
         SELECT $1, t.position - 1, t.target FROM unnest($2::text[]) WITH ORDINALITY AS t (target, position)`,
        [row.id, targets],
      );
      return { address, targets: [...targets] };
    });
  }

  async getAlias(address: string): Promise<Alias | null> {
    return this.#ctx.db.read(async (tx) => {
      const row = await tx.row<{ id: number; address: string }>(
        'SELECT id, address FROM aliases WHERE address_key = $1',
        [addressKey(address)],
      );
      if (!row) return null;
      const targets = await tx.rows<{ target: string }>(
        'SELECT target FROM alias_targets WHERE alias_id = $1 ORDER BY position',
        [row.id],
      );
      return { address: row.address, targets: targets.map((t) => t.target) };
    });
  }

  async listAliases(domain?: string): Promise<Alias[]> {
    const select =
      'SELECT a.address_key AS key, a.address AS address, t.target AS target ' +
      'FROM aliases a LEFT JOIN alias_targets t ON t.alias_id = a.id';
    const order = ' ORDER BY a.address_key, t.position';
    type AliasRow = { key: string; address: string; target: string | null };
    const rows =
      domain === undefined
        ? await this.#ctx.db.rows<AliasRow>(select + order)
        : await this.#ctx.db.rows<AliasRow>(`${select} WHERE a.domain = $1${order}`, [domain.toLowerCase()]);
    const aliases = new Map<string, Alias>();
    for (const row of rows) {
      let alias = aliases.get(row.key);
      if (!alias) {
        alias = { address: row.address, targets: [] };
        aliases.set(row.key, alias);
      }
      if (row.target !== null) alias.targets.push(row.target);
    }
    return [...aliases.values()];
  }

  async removeAlias(address: string): Promise<void> {
    const changes = await this.#ctx.db.run('DELETE FROM aliases WHERE address_key = $1', [
      addressKey(address),
    ]);
    if (changes === 0) throw new NotFound(`no alias ${address}`);
  }
}
