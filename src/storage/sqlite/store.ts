// The SQLite Store: one DatabaseSync connection per store, migrated at open, an in-process change feed.
// Several stores (or processes) may open the same file; writes serialise on SQLite's write lock.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../log/logger.ts';
import { InProcessChangeFeed } from '../memory-change-feed.ts';
import { StorageUnavailable, type Store } from '../ports.ts';
import { SqliteAccountStore } from './accounts.ts';
import { collectBlobs, type SqliteContext } from './context.ts';
import { SqliteDatabase } from './database.ts';
import { SqliteMailStore } from './mail.ts';
import { migrate } from './migrations.ts';
import { SqliteQueueStore } from './queue.ts';

export interface SqliteStoreOptions {
  /** Database file, or ":memory:". Its directory is created when missing. */
  path: string;
  log?: Logger;
  busyTimeoutMs?: number;
  /** The clock (tests). */
  now?: () => Date;
  /** How long an unreferenced blob survives after it was last stored; default 15 minutes. */
  blobGraceMs?: number;
}

const DEFAULT_BLOB_GRACE_MS = 15 * 60 * 1000;

export function createDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new StorageUnavailable(`cannot create directory ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export class SqliteStore implements Store {
  readonly accounts: SqliteAccountStore;
  readonly mail: SqliteMailStore;
  readonly queue: SqliteQueueStore;
  readonly changes: InProcessChangeFeed;
  readonly description: string;
  readonly #ctx: SqliteContext;

  private constructor(ctx: SqliteContext, description: string) {
    this.#ctx = ctx;
    this.description = description;
    this.changes = ctx.feed;
    this.accounts = new SqliteAccountStore(ctx);
    this.mail = new SqliteMailStore(ctx);
    this.queue = new SqliteQueueStore(ctx);
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    if (options.path !== ':memory:') createDirectory(dirname(options.path));
    const db = new SqliteDatabase(options.path, { busyTimeoutMs: options.busyTimeoutMs });
    try {
      const version = migrate(db);
      const log = options.log;
      const feed = new InProcessChangeFeed((error, change) => {
        log?.error({ err: error, change }, 'change feed listener failed');
      });
      const ctx: SqliteContext = {
        db,
        now: options.now ?? (() => new Date()),
        feed,
        blobGraceMs: options.blobGraceMs ?? DEFAULT_BLOB_GRACE_MS,
      };
      db.write(() => collectBlobs(ctx));
      log?.debug({ path: options.path, schemaVersion: version }, 'sqlite store open');
      return new SqliteStore(ctx, `sqlite:${options.path}`);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Deletes unreferenced blobs past their grace period; returns how many. Also done after every delete. */
  async collectGarbage(): Promise<number> {
    return this.#ctx.db.write(() => collectBlobs(this.#ctx));
  }

  /** The connection (tests and maintenance commands). */
  get database(): SqliteDatabase {
    return this.#ctx.db;
  }

  async close(): Promise<void> {
    this.#ctx.db.close();
  }
}
