// What the SQLite store parts share: the connection, the clock, the change feed and blob collection.

import type { MailboxChange } from '../ports.ts';
import type { InProcessChangeFeed } from '../memory-change-feed.ts';
import type { SqliteDatabase } from './database.ts';

export interface SqliteContext {
  db: SqliteDatabase;
  now: () => Date;
  feed: InProcessChangeFeed;
  /** An unreferenced blob is kept this long after it was last stored (see the blobs table). */
  blobGraceMs: number;
}

/** Publishes the change once the surrounding transaction has committed. */
export function publishAfterCommit(ctx: SqliteContext, change: MailboxChange): void {
  ctx.db.afterCommit(() => ctx.feed.publish(change));
}

/** Deletes blobs that nothing refers to and that were not stored within the grace period. */
export function collectBlobs(ctx: SqliteContext): number {
  const cutoff = ctx.now().getTime() - ctx.blobGraceMs;
  return ctx.db.run('DELETE FROM blobs WHERE refs = 0 AND touched_at <= ?', cutoff).changes;
}

/** The lower-cased form used as the lookup key of addresses and domains. */
export function addressKey(address: string): string {
  return address.toLowerCase();
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
