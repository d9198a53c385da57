// A thin wrapper over node:sqlite's DatabaseSync: pragmas, cached prepared statements, transactions that
// run callbacks only after COMMIT, and error mapping. DatabaseSync is synchronous, so a transaction runs
// to its end inside one turn of the event loop; async store methods simply wrap these calls.

import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { mapSqliteError } from './errors.ts';

export type Row = Record<string, unknown>;

export interface SqliteDatabaseOptions {
  /** How long a writer waits for another connection's lock before failing (ms). */
  busyTimeoutMs?: number;
}

export class SqliteDatabase {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #arrayStatements = new Map<string, StatementSync>();
  #afterCommit: Array<() => void> | null = null;

  constructor(path: string, options: SqliteDatabaseOptions = {}) {
    this.path = path;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    try {
      this.#db = new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
      // WAL + synchronous=FULL: every COMMIT is on disk before a method returns (DESIGN.md §4.1).
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec('PRAGMA synchronous = FULL');
      this.#db.exec('PRAGMA foreign_keys = ON');
      this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    } catch (error) {
      throw mapSqliteError(error);
    }
  }

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  all<T = Row>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  get<T = Row>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined;
  }

  run(sql: string, ...params: SQLInputValue[]): { changes: number; lastInsertRowid: number } {
    const result = this.statement(sql).run(...params);
    return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
  }

  /** Rows as arrays in column order: much cheaper than objects for large result sets. */
  rows(sql: string, ...params: SQLInputValue[]): unknown[][] {
    let statement = this.#arrayStatements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      statement.setReturnArrays(true);
      this.#arrayStatements.set(sql, statement);
    }
    return statement.all(...params) as unknown as unknown[][];
  }

  /** Runs `fn` after the current transaction commits (at once when none is open); dropped on rollback. */
  afterCommit(fn: () => void): void {
    if (this.#afterCommit) this.#afterCommit.push(fn);
    else fn();
  }

  /** BEGIN IMMEDIATE ... COMMIT: takes the write lock up front so the transaction cannot fail half-way on BUSY. */
  write<T>(fn: () => T): T {
    return this.#transaction('BEGIN IMMEDIATE', fn);
  }

  /** A read snapshot (BEGIN DEFERRED) so several SELECTs see one state. */
  read<T>(fn: () => T): T {
    return this.#transaction('BEGIN', fn);
  }

  #transaction<T>(begin: string, fn: () => T): T {
    if (this.#afterCommit) {
      // Nested call inside a running transaction: part of the outer one.
      return fn();
    }
    const callbacks: Array<() => void> = [];
    let result: T;
    try {
      this.statement(begin).run();
      this.#afterCommit = callbacks;
      try {
        result = fn();
        this.statement('COMMIT').run();
      } catch (error) {
        if (this.#db.isOpen && this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw error;
      } finally {
        this.#afterCommit = null;
      }
    } catch (error) {
      throw mapSqliteError(error);
    }
    // Outside the try: the data is committed, so a failing callback must not turn into a storage error.
    for (const callback of callbacks) callback();
    return result;
  }

  close(): void {
    if (!this.#db.isOpen) return;
    this.#statements.clear();
    this.#arrayStatements.clear();
    this.#db.close();
  }
}
