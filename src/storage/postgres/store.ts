// The PostgreSQL Store: a connection pool, migrated at open, and a change feed over LISTEN/NOTIFY, so any
// number of Posthorn nodes can share one database (docs/architecture.md, "Storage with PostgreSQL").
//
// Invariants, also with several nodes: UIDs strictly increasing per mailbox and MODSEQs monotonic (every
// writer locks the mailbox row first), UIDVALIDITY unique per creation (a sequence), each queue entry
// leased to one worker at a time (SKIP LOCKED), every method returns only after COMMIT with
// synchronous_commit on.

import type { Logger } from '../../log/logger.ts';
import type { Store } from '../ports.ts';
import { PgAccountStore } from './accounts.ts';
import { PgChangeFeed } from './change-feed.ts';
import { collectBlobs, collectBlobsQuietly, type PgContext } from './context.ts';
import { PgDatabase } from './database.ts';
import { mapPgError } from './errors.ts';
import { PgMailStore } from './mail.ts';
import { changesAfterWatermarks } from './messages.ts';
import { migrate } from './migrations.ts';
import { PgQueueStore } from './queue.ts';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database; `?options=-c search_path=…` selects a schema. */
  url: string;
  log?: Logger;
  /** The clock (tests). */
  now?: () => Date;
  /** How long an unreferenced blob survives after it was last stored; default 15 minutes. */
  blobGraceMs?: number;
  /** Pool size per store (node); default 10. */
  poolSize?: number;
  connectionTimeoutMs?: number;
  /** Change feed tuning (tests). */
  feed?: {
    reconnectDelayMs?: (attempt: number) => number;
    beforeReconnect?: () => Promise<void>;
  };
}

const DEFAULT_BLOB_GRACE_MS = 15 * 60 * 1000;
const CHANNEL = 'posthorn_changes';
const MAX_IDENTIFIER_BYTES = 63;

/** One channel per schema, so installations sharing a database (each in its own schema) stay apart. */
export function channelFor(schema: string): string {
  if (schema === 'public') return CHANNEL;
  let channel = `${CHANNEL}_${schema}`;
  while (Buffer.byteLength(channel) > MAX_IDENTIFIER_BYTES) channel = channel.slice(0, -1);
  return channel;
}

/** The URL without its password, for logs. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparsable URL)';
  }
}

export class PostgresStore implements Store {
  readonly accounts: PgAccountStore;
  readonly mail: PgMailStore;
  readonly queue: PgQueueStore;
  readonly changes: PgChangeFeed;
  readonly description: string;
  readonly #ctx: PgContext;

  private constructor(ctx: PgContext, description: string) {
    this.#ctx = ctx;
    this.description = description;
    this.changes = ctx.feed;
    this.accounts = new PgAccountStore(ctx);
    this.mail = new PgMailStore(ctx);
    this.queue = new PgQueueStore(ctx);
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const log = options.log;
    const db = new PgDatabase({
      url: options.url,
      log,
      poolSize: options.poolSize,
      connectionTimeoutMs: options.connectionTimeoutMs,
    });
    let feed: PgChangeFeed | undefined;
    try {
      const version = await migrate(db);
      const schema = (await db.row<{ schema: string }>('SELECT current_schema() AS schema'))!.schema;
      // The feed's catch-up reads through the context the feed is part of.
      let ctx: PgContext | undefined;
      feed = new PgChangeFeed({
        db,
        channel: channelFor(schema),
        log,
        catchUp: (marks) => changesAfterWatermarks(ctx!, marks),
        reconnectDelayMs: options.feed?.reconnectDelayMs,
        beforeReconnect: options.feed?.beforeReconnect,
      });
      ctx = {
        db,
        now: options.now ?? (() => new Date()),
        feed,
        blobGraceMs: options.blobGraceMs ?? DEFAULT_BLOB_GRACE_MS,
        log,
      };
      await feed.start();
      await collectBlobsQuietly(ctx);
      const description = describeUrl(options.url);
      log?.debug({ url: describeUrl(options.url), schema, schemaVersion: version }, 'postgres store open');
      return new PostgresStore(ctx, description);
    } catch (error) {
      await feed?.close();
      await db.close();
      throw mapPgError(error);
    }
  }

  /** Deletes unreferenced blobs past their grace period; returns how many. Also done after every delete. */
  async collectGarbage(): Promise<number> {
    return collectBlobs(this.#ctx);
  }

  /** The pool (tests and maintenance commands). */
  get database(): PgDatabase {
    return this.#ctx.db;
  }

  async close(): Promise<void> {
    await this.#ctx.feed.close();
    await this.#ctx.db.close();
  }
}
