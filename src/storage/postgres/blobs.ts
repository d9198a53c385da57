// Message bodies in PostgreSQL: stored once per content (keyed by SHA-256) as bytea, with the parsed index
// beside them (docs/architecture.md, "Storage with PostgreSQL", says why in the database).

import type { ParsedMessage } from '../../message/types.ts';
import { NotFound, type BlobId, type StoredBlob } from '../ports.ts';
import { prepareBlob, type PreparedBlob } from '../prepared-blob.ts';
import type { PgContext } from './context.ts';
import type { Tx } from './database.ts';

// "Insert, or touch the existing row" in one statement: touching restarts the grace period, and the row lock
// it takes makes a concurrent collection of the same content wait and then skip it.
const UPSERT_BLOB = `INSERT INTO blobs (sha256, size, parsed, touched_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (sha256) DO UPDATE SET touched_at = GREATEST(blobs.touched_at, excluded.touched_at)
  RETURNING id, (xmax = 0) AS inserted`;

export async function putBlob(ctx: PgContext, bytes: Buffer, parsed: ParsedMessage): Promise<BlobId> {
  const blob = prepareBlob(bytes, parsed);
  return ctx.db.write(async (tx) => {
    const row = (await tx.row<{ id: number; inserted: boolean }>(UPSERT_BLOB, [
      blob.sha256,
      bytes.length,
      blob.parsedJson,
      ctx.now(),
    ]))!;
    if (row.inserted) {
      await tx.run('INSERT INTO blob_bytes (blob_id, bytes) VALUES ($1, $2)', [row.id, bytes]);
      // Collected if no message or queue entry ever refers to it.
      await tx.run('INSERT INTO blob_candidates (blob_id) VALUES ($1) ON CONFLICT DO NOTHING', [row.id]);
    }
    return row.id as BlobId;
  });
}

/**
 * Stores a body inside the caller's transaction, which also writes the row that refers to it: one round trip
 * (the bytes travel even when the content exists already), and no collection candidate, since the blob is
 * referenced when the transaction commits and is gone with it on rollback.
 */
export async function storeReferencedBlob(ctx: PgContext, tx: Tx, blob: PreparedBlob): Promise<BlobId> {
  const row = await tx.row<{ id: number }>(
    `WITH blob AS (${UPSERT_BLOB}),
          body AS (INSERT INTO blob_bytes (blob_id, bytes) SELECT id, $5::bytea FROM blob WHERE inserted)
     SELECT id FROM blob`,
    [blob.sha256, blob.bytes.length, blob.parsedJson, ctx.now(), blob.bytes],
  );
  return row!.id as BlobId;
}

export async function getBlobBytes(ctx: PgContext, id: BlobId): Promise<Buffer> {
  const row = await ctx.db.row<{ bytes: Buffer }>('SELECT bytes FROM blob_bytes WHERE blob_id = $1', [id]);
  if (!row) throw new NotFound(`no blob ${id}`);
  return row.bytes;
}

interface BlobRow {
  id: number;
  size: number;
  parsed: string;
}

function toStoredBlob(row: BlobRow): StoredBlob {
  return { id: row.id as BlobId, size: row.size, parsed: JSON.parse(row.parsed) as ParsedMessage };
}

export async function getBlob(ctx: PgContext, id: BlobId): Promise<StoredBlob> {
  const row = await ctx.db.row<BlobRow>('SELECT id, size, parsed FROM blobs WHERE id = $1', [id]);
  if (!row) throw new NotFound(`no blob ${id}`);
  return toStoredBlob(row);
}

/** The blobs that exist among `ids`; missing ids are simply absent from the map. */
export async function getBlobs(ctx: PgContext, ids: BlobId[]): Promise<Map<BlobId, StoredBlob>> {
  const result = new Map<BlobId, StoredBlob>();
  if (ids.length === 0) return result;
  const rows = await ctx.db.rows<BlobRow>('SELECT id, size, parsed FROM blobs WHERE id = ANY($1::bigint[])', [
    [...new Set(ids)],
  ]);
  for (const row of rows) result.set(row.id as BlobId, toStoredBlob(row));
  return result;
}

/**
 * Sizes of the given blobs inside the caller's transaction, locked FOR KEY SHARE so a collection cannot
 * delete them before the referencing rows are written. NotFound when one does not exist.
 */
export async function lockBlobSizes(tx: Tx, ids: readonly BlobId[]): Promise<Map<BlobId, number>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  const rows = await tx.rows<{ id: number; size: number }>(
    'SELECT id, size FROM blobs WHERE id = ANY($1::bigint[]) ORDER BY id FOR KEY SHARE',
    [unique],
  );
  const sizes = new Map(rows.map((row) => [row.id as BlobId, row.size]));
  for (const id of unique) if (!sizes.has(id)) throw new NotFound(`no blob ${id}`);
  return sizes;
}
