// What the PostgreSQL store parts share: the pool, the clock, the change feed and blob collection.

import type { Logger } from '../../log/logger.ts';
import type { MailboxChange } from '../ports.ts';
import type { PgChangeFeed } from './change-feed.ts';
import type { PgDatabase, Tx } from './database.ts';

export interface PgContext {
  db: PgDatabase;
  now: () => Date;
  feed: PgChangeFeed;
  /** An unreferenced blob is kept this long after it was last stored. */
  blobGraceMs: number;
  log?: Logger;
}

/** NOTIFY inside the transaction (other nodes), and this node's subscribers once it has committed. */
export async function publish(ctx: PgContext, tx: Tx, change: MailboxChange): Promise<void> {
  await ctx.feed.notify(tx, change);
  tx.afterCommit(() => ctx.feed.publishLocal(change));
}

const COLLECT_BATCH = 5000;

/**
 * One batch of collection: deletes candidate blobs that nothing refers to and that were not stored within
 * the grace period, and forgets candidates that are still referenced. SKIP LOCKED lets several nodes
 * collect at once without waiting for each other.
 */
async function collectBatch(
  ctx: PgContext,
  after: number,
): Promise<{ examined: number; deleted: number; last: number }> {
  const cutoff = new Date(ctx.now().getTime() - ctx.blobGraceMs);
  return ctx.db.write(async (tx) => {
    const ids = (
      await tx.rows<{ blob_id: number }>(
        `SELECT blob_id FROM blob_candidates WHERE blob_id > $1
          ORDER BY blob_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [after, COLLECT_BATCH],
      )
    ).map((row) => row.blob_id);
    if (ids.length === 0) return { examined: 0, deleted: 0, last: after };
    await tx.run(
      `DELETE FROM blob_candidates c
        WHERE c.blob_id = ANY($1::bigint[])
          AND (EXISTS (SELECT 1 FROM messages m WHERE m.blob_id = c.blob_id)
               OR EXISTS (SELECT 1 FROM queue_entries q WHERE q.blob_id = c.blob_id))`,
      [ids],
    );
    const deleted = await tx.run(
      `DELETE FROM blobs b
        WHERE b.id = ANY($1::bigint[]) AND b.touched_at <= $2
          AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.blob_id = b.id)
          AND NOT EXISTS (SELECT 1 FROM queue_entries q WHERE q.blob_id = b.id)`,
      [ids, cutoff],
    );
    return { examined: ids.length, deleted, last: ids.at(-1)! };
  });
}

/** Collects until no full batch is left; returns how many blobs were deleted. */
export async function collectBlobs(ctx: PgContext): Promise<number> {
  let total = 0;
  for (let after = 0; ;) {
    const batch = await collectBatch(ctx, after);
    total += batch.deleted;
    if (batch.examined < COLLECT_BATCH) return total;
    after = batch.last;
  }
}

/**
 * Collection after a delete has committed: best effort, since the delete itself succeeded. A blob that a
 * concurrent transaction has just referenced makes the DELETE fail on the foreign key; the next run
 * takes it (or sees it referenced).
 */
export async function collectBlobsQuietly(ctx: PgContext): Promise<void> {
  try {
    await collectBlobs(ctx);
  } catch (error) {
    ctx.log?.debug({ err: error }, 'postgres: blob collection deferred');
  }
}

/** The lower-cased form used as the lookup key of addresses and domains. */
export function addressKey(address: string): string {
  return address.toLowerCase();
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
