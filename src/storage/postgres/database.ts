// A thin layer over a pg Pool: every statement is a named prepared statement with parameters, every
// multi-statement operation runs in one transaction, callbacks run only after COMMIT, and every failure is
// mapped to the storage port's errors. Broken connections are dropped from the pool (never reused), so the
// pool recovers by itself once the server is back.

import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../log/logger.ts';
import { StorageUnavailable } from '../ports.ts';
import { isConnectionError, isRetryable, mapPgError } from './errors.ts';

export type Row = Record<string, unknown>;

/** What a transaction body gets: statements on one connection, and commit hooks. */
export interface Tx {
  rows<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Rows as arrays in column order: much cheaper than objects for large result sets. */
  arrays(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  row<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement and returns the number of rows it touched. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `fn` once the transaction has committed; dropped on rollback (and on a retried attempt). */
  afterCommit(fn: () => void): void;
}

export interface PgDatabaseOptions {
  url: string;
  log?: Logger;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long to wait for a connection before StorageUnavailable (default 5 s). */
  connectionTimeoutMs?: number;
  /** application_name shown in pg_stat_activity. */
  applicationName?: string;
}

const INT8_OID = 20;
const MAX_ATTEMPTS = 5;
const IDLE_IN_TRANSACTION_TIMEOUT = '60s';

/** int8 (ids, UIDs, MODSEQs, counts) as JS numbers: all our values stay below 2^53. */
function parseInt8(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`int8 value ${value} exceeds 2^53`);
  return number;
}

const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** Statement names from the SQL text, so each distinct statement is parsed once per connection. */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = 'ph_' + createHash('sha256').update(sql).digest('base64url').slice(0, 24);
    statementNames.set(sql, name);
  }
  return name;
}

async function execute(
  client: pg.ClientBase | pg.Pool,
  sql: string,
  params: readonly unknown[],
): Promise<pg.QueryResult> {
  return client.query({ name: statementName(sql), text: sql, values: params as unknown[] });
}

async function executeArrays(
  client: pg.ClientBase | pg.Pool,
  sql: string,
  params: readonly unknown[],
): Promise<unknown[][]> {
  const result = await client.query<unknown[]>({
    name: statementName(sql),
    text: sql,
    values: params as unknown[],
    rowMode: 'array',
  });
  return result.rows;
}

export class PgDatabase {
  readonly pool: pg.Pool;
  readonly url: string;
  readonly #log: Logger | undefined;
  #closed = false;

  constructor(options: PgDatabaseOptions) {
    this.url = options.url;
    this.#log = options.log;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      application_name: options.applicationName ?? 'posthorn',
      types: typeParsers,
      onConnect: async (client) => {
        // Commit before ack (DESIGN.md §4.1): whatever the server's default, our COMMITs wait for the WAL
        // flush. A node that hangs inside a transaction must not hold its mailbox locks for ever.
        await client.query(
          `SET synchronous_commit TO on; SET idle_in_transaction_session_timeout TO '${IDLE_IN_TRANSACTION_TIMEOUT}'`,
        );
      },
    });
    // An idle connection that the server closes emits here; the pool drops it and opens a new one on demand.
    this.pool.on('error', (error) => this.#log?.warn({ err: error }, 'postgres: idle connection lost'));
    // The pool listens for errors only on idle clients. A checked-out client whose connection the server
    // ends between statements emits 'error' too, which without a listener is an uncaught exception that
    // stops the process; the next statement on it fails anyway (StorageUnavailable) and it is destroyed.
    this.pool.on('connect', (client) =>
      client.on('error', (error) => this.#log?.warn({ err: error }, 'postgres: connection lost')),
    );
  }

  /** Connection settings for a dedicated client (the change feed's LISTEN connection). */
  clientConfig(applicationName: string): pg.ClientConfig {
    return {
      connectionString: this.url,
      application_name: applicationName,
      connectionTimeoutMillis: 5000,
      types: typeParsers,
    };
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  /** One statement in its own (implicit) transaction. */
  async rows<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    this.#assertOpen();
    try {
      return (await execute(this.pool, sql, params)).rows as T[];
    } catch (error) {
      throw mapPgError(error);
    }
  }

  async row<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.rows<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    this.#assertOpen();
    try {
      return (await execute(this.pool, sql, params)).rowCount ?? 0;
    } catch (error) {
      throw mapPgError(error);
    }
  }

  /** A read-write transaction (READ COMMITTED; writers serialise on the row locks they take). */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#transaction('BEGIN', fn);
  }

  /** A read-only snapshot so several SELECTs see one state. */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  /** A client of its own for work that needs a session (migrations, advisory locks). */
  async connect(): Promise<pg.PoolClient> {
    this.#assertOpen();
    try {
      return await this.pool.connect();
    } catch (error) {
      throw mapPgError(error);
    }
  }

  async #transaction<T>(begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(begin, fn);
      } catch (error) {
        // Deadlocks and serialization failures are rolled back by the server: running again is safe.
        if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw mapPgError(error);
        this.#log?.debug({ err: error, attempt }, 'postgres: transaction retried');
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  async #attempt<T>(begin: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.connect();
    const callbacks: Array<() => void> = [];
    const tx: Tx = {
      rows: async <R>(sql: string, params: readonly unknown[] = []) =>
        (await execute(client, sql, params)).rows as R[],
      arrays: (sql, params = []) => executeArrays(client, sql, params),
      row: async <R>(sql: string, params: readonly unknown[] = []) =>
        (await execute(client, sql, params)).rows[0] as R | undefined,
      run: async (sql, params = []) => (await execute(client, sql, params)).rowCount ?? 0,
      afterCommit: (callback) => {
        callbacks.push(callback);
      },
    };
    let result: T;
    let committing = false;
    try {
      await client.query(begin);
      result = await fn(tx);
      committing = true;
      await client.query('COMMIT');
    } catch (error) {
      await this.#abandon(client, error);
      if (committing && isConnectionError(error)) {
        throw new StorageUnavailable(`postgres: connection lost during COMMIT, outcome unknown`, {
          cause: error,
        });
      }
      throw error;
    }
    client.release();
    // Outside the try: the data is committed, so a failing callback must not turn into a storage error.
    for (const callback of callbacks) callback();
    return result;
  }

  /** Rolls back and returns the client to the pool, or destroys it when the connection is broken. */
  async #abandon(client: pg.PoolClient, error: unknown): Promise<void> {
    if (isConnectionError(error)) {
      client.release(error as Error);
      return;
    }
    try {
      await client.query('ROLLBACK');
      client.release();
    } catch (rollbackError) {
      client.release(rollbackError as Error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StorageUnavailable('postgres: the store is closed');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}
