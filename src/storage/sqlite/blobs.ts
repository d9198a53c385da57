// Message bodies, stored once per content (keyed by SHA-256) with the parsed index beside them.

import type { ParsedMessage } from '../../message/types.ts';
import { NotFound, type BlobId, type StoredBlob } from '../ports.ts';
import { prepareBlob, type PreparedBlob } from '../prepared-blob.ts';
import type { SqliteContext } from './context.ts';

/** Stores the body once per content inside the caller's write transaction and returns its id. */
export function storeBlob(ctx: SqliteContext, blob: PreparedBlob): BlobId {
  const { db } = ctx;
  const now = ctx.now().getTime();
  const existing = db.get<{ id: number }>('SELECT id FROM blobs WHERE sha256 = ?', blob.sha256);
  if (existing) {
    // Touching restarts the grace period, so a concurrent collection cannot take it before it is used.
    db.run('UPDATE blobs SET touched_at = ? WHERE id = ?', now, existing.id);
    return existing.id as BlobId;
  }
  const { lastInsertRowid } = db.run(
    'INSERT INTO blobs (sha256, size, parsed, touched_at) VALUES (?, ?, ?, ?)',
    blob.sha256,
    blob.bytes.length,
    blob.parsedJson,
    now,
  );
  db.run('INSERT INTO blob_bytes (blob_id, bytes) VALUES (?, ?)', lastInsertRowid, blob.bytes);
  return lastInsertRowid as BlobId;
}

export function putBlob(ctx: SqliteContext, bytes: Buffer, parsed: ParsedMessage): BlobId {
  const blob = prepareBlob(bytes, parsed);
  return ctx.db.write(() => storeBlob(ctx, blob));
}

export function getBlobBytes(ctx: SqliteContext, id: BlobId): Buffer {
  const row = ctx.db.read(() =>
    ctx.db.get<{ bytes: Uint8Array }>('SELECT bytes FROM blob_bytes WHERE blob_id = ?', id),
  );
  if (!row) throw new NotFound(`no blob ${id}`);
  return Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
}

interface BlobRow {
  id: number;
  size: number;
  parsed: string;
}

function toStoredBlob(row: BlobRow): StoredBlob {
  return { id: row.id as BlobId, size: row.size, parsed: JSON.parse(row.parsed) as ParsedMessage };
}

export function getBlob(ctx: SqliteContext, id: BlobId): StoredBlob {
  const row = ctx.db.read(() => ctx.db.get<BlobRow>('SELECT id, size, parsed FROM blobs WHERE id = ?', id));
  if (!row) throw new NotFound(`no blob ${id}`);
  return toStoredBlob(row);
}

/** The blobs that exist among `ids`; missing ids are simply absent from the map. */
export function getBlobs(ctx: SqliteContext, ids: BlobId[]): Map<BlobId, StoredBlob> {
  const result = new Map<BlobId, StoredBlob>();
  if (ids.length === 0) return result;
  const rows = ctx.db.read(() =>
    ctx.db.all<BlobRow>(
      'SELECT id, size, parsed FROM blobs WHERE id IN (SELECT value FROM json_each(?))',
      JSON.stringify([...new Set(ids)]),
    ),
  );
  for (const row of rows) result.set(row.id as BlobId, toStoredBlob(row));
  return result;
}

/** Size of a blob inside the caller's transaction; NotFound when it does not exist. */
export function requireBlobSize(ctx: SqliteContext, id: BlobId): number {
  const row = ctx.db.get<{ size: number }>('SELECT size FROM blobs WHERE id = ?', id);
  if (!row) throw new NotFound(`no blob ${id}`);
  return row.size;
}
