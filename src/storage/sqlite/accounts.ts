// Domains, accounts and aliases in SQLite. Addresses are looked up by their lower-cased form; the address
// as first given is kept for display. Address syntax is the accounts service's job, not the store's.

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
import { addressKey, collectBlobs, domainOf, publishAfterCommit, type SqliteContext } from './context.ts';
import { insertMailbox } from './mailboxes.ts';

interface AccountRow {
  id: number;
  address: string;
  domain: string;
  password_hash: string;
  created_at: number;
  disabled: number;
}

const ACCOUNT_COLUMNS = 'id, address, domain, password_hash, created_at, disabled';

function toAccount(row: AccountRow): Account {
  return {
    id: row.id as AccountId,
    address: row.address,
    domain: row.domain,
    passwordHash: row.password_hash,
    createdAt: new Date(row.created_at),
    disabled: row.disabled !== 0,
  };
}

function toDomain(row: { name: string; created_at: number }): Domain {
  return { name: row.name, createdAt: new Date(row.created_at) };
}

export class SqliteAccountStore implements AccountStore {
  readonly #ctx: SqliteContext;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
  }

  async addDomain(name: string): Promise<Domain> {
    const { db } = this.#ctx;
    const key = name.toLowerCase();
    return db.write(() => {
      if (db.get('SELECT 1 FROM domains WHERE name = ?', key))
        throw new AlreadyExists(`domain ${key} exists`);
      const createdAt = this.#ctx.now().getTime();
      db.run('INSERT INTO domains (name, created_at) VALUES (?, ?)', key, createdAt);
      return { name: key, createdAt: new Date(createdAt) };
    });
  }

  async listDomains(): Promise<Domain[]> {
    return this.#ctx.db
      .read(() =>
        this.#ctx.db.all<{ name: string; created_at: number }>(
          'SELECT name, created_at FROM domains ORDER BY name',
        ),
      )
      .map(toDomain);
  }

  async getDomain(name: string): Promise<Domain | null> {
    const row = this.#ctx.db.read(() =>
      this.#ctx.db.get<{ name: string; created_at: number }>(
        'SELECT name, created_at FROM domains WHERE name = ?',
        name.toLowerCase(),
      ),
    );
    return row ? toDomain(row) : null;
  }

  async removeDomain(name: string): Promise<void> {
    const { db } = this.#ctx;
    const key = name.toLowerCase();
    db.write(() => {
      if (!db.get('SELECT 1 FROM domains WHERE name = ?', key)) throw new NotFound(`no domain ${key}`);
      const accounts = db.get<{ n: number }>('SELECT count(*) AS n FROM accounts WHERE domain = ?', key)!.n;
      const aliases = db.get<{ n: number }>('SELECT count(*) AS n FROM aliases WHERE domain = ?', key)!.n;
      if (accounts > 0 || aliases > 0) {
        throw new NotEmpty(`domain ${key} still has ${accounts} account(s) and ${aliases} alias(es)`);
      }
      db.run('DELETE FROM domains WHERE name = ?', key);
    });
  }

  async addAccount(address: string, passwordHash: string): Promise<Account> {
    const { db } = this.#ctx;
    const key = addressKey(address);
    const domain = domainOf(address);
    return db.write(() => {
      if (!db.get('SELECT 1 FROM domains WHERE name = ?', domain)) throw new NotFound(`no domain ${domain}`);
      if (db.get('SELECT 1 FROM accounts WHERE address_key = ?', key)) {
        throw new AlreadyExists(`account ${address} exists`);
      }
      const createdAt = this.#ctx.now().getTime();
      const { lastInsertRowid } = db.run(
        'INSERT INTO accounts (address, address_key, domain, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
        address,
        key,
        domain,
        passwordHash,
        createdAt,
      );
      const id = lastInsertRowid as AccountId;
      for (const mailbox of DEFAULT_MAILBOXES) {
        insertMailbox(this.#ctx, id, mailbox.name, mailbox.specialUse);
        db.run('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)', id, mailbox.name);
      }
      publishAfterCommit(this.#ctx, { kind: 'mailboxes', accountId: id });
      return toAccount(db.get<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`, id)!);
    });
  }

  async getAccount(address: string): Promise<Account | null> {
    const row = this.#ctx.db.read(() =>
      this.#ctx.db.get<AccountRow>(
        `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE address_key = ?`,
        addressKey(address),
      ),
    );
    return row ? toAccount(row) : null;
  }

  async getAccountById(id: AccountId): Promise<Account | null> {
    const row = this.#ctx.db.read(() =>
      this.#ctx.db.get<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`, id),
    );
    return row ? toAccount(row) : null;
  }

  async listAccounts(domain?: string): Promise<Account[]> {
    const { db } = this.#ctx;
    const rows = db.read(() =>
      domain === undefined
        ? db.all<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY address_key`)
        : db.all<AccountRow>(
            `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE domain = ? ORDER BY address_key`,
            domain.toLowerCase(),
          ),
    );
    return rows.map(toAccount);
  }

  async setPasswordHash(address: string, passwordHash: string): Promise<void> {
    const { db } = this.#ctx;
    db.write(() => {
      const { changes } = db.run(
        'UPDATE accounts SET password_hash = ? WHERE address_key = ?',
        passwordHash,
        addressKey(address),
      );
      if (changes === 0) throw new NotFound(`no account ${address}`);
    });
  }

  async removeAccount(address: string): Promise<void> {
    const { db } = this.#ctx;
    db.write(() => {
      const row = db.get<{ id: number }>(
        'SELECT id FROM accounts WHERE address_key = ?',
        addressKey(address),
      );
      if (!row) throw new NotFound(`no account ${address}`);
      // Messages first (their triggers release blob references), then everything else by cascade.
      db.run(
        'DELETE FROM messages WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = ?)',
        row.id,
      );
      db.run('DELETE FROM accounts WHERE id = ?', row.id);
      collectBlobs(this.#ctx);
      publishAfterCommit(this.#ctx, { kind: 'mailboxes', accountId: row.id as AccountId });
    });
  }

  async addAlias(address: string, targets: string[]): Promise<Alias> {
    const { db } = this.#ctx;
    const key = addressKey(address);
    const domain = domainOf(address);
    return db.write(() => {
      if (!db.get('SELECT 1 FROM domains WHERE name = ?', domain)) throw new NotFound(`no domain ${domain}`);
      if (db.get('SELECT 1 FROM aliases WHERE address_key = ?', key)) {
        throw new AlreadyExists(`alias ${address} exists`);
      }
      const { lastInsertRowid } = db.run(
        'INSERT INTO aliases (address, address_key, domain, created_at) VALUES (?, ?, ?, ?)',
        address,
        key,
        domain,
        this.#ctx.now().getTime(),
      );
      targets.forEach((target, position) => {
        db.run(
          'INSERT INTO alias_targets (alias_id, position, target) VALUES (?, ?, ?)',
          lastInsertRowid,
          position,
          target,
        );
      });
      return { address, targets: [...targets] };
    });
  }

  async getAlias(address: string): Promise<Alias | null> {
    const { db } = this.#ctx;
    return db.read(() => {
      const row = db.get<{ id: number; address: string }>(
        'SELECT id, address FROM aliases WHERE address_key = ?',
        addressKey(address),
      );
      if (!row) return null;
      const targets = db
        .all<{ target: string }>(
          'SELECT target FROM alias_targets WHERE alias_id = ? ORDER BY position',
          row.id,
        )
        .map((t) => t.target);
      return { address: row.address, targets };
    });
  }

  async listAliases(domain?: string): Promise<Alias[]> {
    const { db } = this.#ctx;
    const select =
      'SELECT a.address_key AS key, a.address AS address, t.target AS target ' +
      'FROM aliases a LEFT JOIN alias_targets t ON t.alias_id = a.id';
    const order = ' ORDER BY a.address_key, t.position';
    const rows = db.read(() =>
      domain === undefined
        ? db.all<{ key: string; address: string; target: string | null }>(select + order)
        : db.all<{ key: string; address: string; target: string | null }>(
            `${select} WHERE a.domain = ?${order}`,
            domain.toLowerCase(),
          ),
    );
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
    const { db } = this.#ctx;
    db.write(() => {
      const { changes } = db.run('DELETE FROM aliases WHERE address_key = ?', addressKey(address));
      if (changes === 0) throw new NotFound(`no alias ${address}`);
    });
  }
}
