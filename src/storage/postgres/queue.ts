// The outgoing queue in PostgreSQL: entries in arrival order, per-recipient state, leases for workers on
// any node. claimDue takes due rows with FOR UPDATE SKIP LOCKED and leases them in the same statement, so
// each entry goes to exactly one claimer at a time; a node that dies gives its entries back when the lease
// runs out.

import { newQueueId } from '../queue-id.ts';
import {
  NotFound,
  type BlobId,
  type DsnNotify,
  type NewQueueEntry,
  type QueueEntry,
  type QueueRecipient,
  type QueueStore,
  type RecipientResult,
  type RecipientState,
} from '../ports.ts';
import { lockBlobSizes } from './blobs.ts';
import { collectBlobsQuietly, type PgContext } from './context.ts';
import type { Tx } from './database.ts';

interface EntryRow {
  seq: number;
  id: string;
  blob_id: number;
  sender: string;
  size: number;
  env_id: string | null;
  ret: 'FULL' | 'HDRS' | null;
  smtputf8: boolean;
  eight_bit: boolean;
  created_at: Date;
  next_attempt_at: Date;
  attempts: number;
  held: boolean;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: Date | null;
  delay_warned: boolean;
}

interface RecipientRow {
  entry_seq: number;
  address: string;
  orcpt: string | null;
  notify: string;
  state: RecipientState;
  attempts: number;
  last_error: string | null;
  final_reply: string | null;
  updated_at: Date;
}

const ENTRY_COLUMNS =
  'seq, id, blob_id, sender, size, env_id, ret, smtputf8, eight_bit, created_at, next_attempt_at, attempts, ' +
  'held, last_error, lease_owner, lease_until, delay_warned';
const RECIPIENT_COLUMNS =
  'entry_seq, address, orcpt, notify, state, attempts, last_error, final_reply, updated_at';
const MAX_ID_TRIES = 20;

/** claimDue's skipDomains ($5): an entry with a pending recipient and none at another domain (after the last '@'). */
const SKIP_DOMAINS_CLAUSE = `AND NOT (
             EXISTS (SELECT 1 FROM queue_recipients r WHERE r.entry_seq = e.seq AND r.state = 'pending')
             AND NOT EXISTS (SELECT 1 FROM queue_recipients r WHERE r.entry_seq = e.seq AND r.state = 'pending'
                               AND lower(substring(r.address from '[^@]*$')) <> ALL($5::text[])))`;

function toRecipient(row: RecipientRow): QueueRecipient {
  return {
    address: row.address,
    orcpt: row.orcpt,
    notify: row.notify === '' ? [] : (row.notify.split(',') as DsnNotify[]),
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    finalReply: row.final_reply,
    updatedAt: row.updated_at,
  };
}

function toEntry(row: EntryRow, recipients: QueueRecipient[]): QueueEntry {
  return {
    id: row.id,
    blobId: row.blob_id as BlobId,
    sender: row.sender,
    recipients,
    size: row.size,
    envId: row.env_id,
    ret: row.ret,
    smtputf8: row.smtputf8,
    eightBit: row.eight_bit,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    attempts: row.attempts,
    held: row.held,
    lastError: row.last_error,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    delayWarned: row.delay_warned,
  };
}

/** Entries with their recipients, in the order of `rows`; inside the caller's transaction. */
async function withRecipients(tx: Tx, rows: EntryRow[]): Promise<QueueEntry[]> {
  if (rows.length === 0) return [];
  const recipients = new Map<number, QueueRecipient[]>(rows.map((row) => [row.seq, []]));
  const recipientRows = await tx.rows<RecipientRow>(
    `SELECT ${RECIPIENT_COLUMNS} FROM queue_recipients
      WHERE entry_seq = ANY($1::bigint[]) ORDER BY entry_seq, position`,
    [rows.map((row) => row.seq)],
  );
  for (const row of recipientRows) recipients.get(row.entry_seq)!.push(toRecipient(row));
  return rows.map((row) => toEntry(row, recipients.get(row.seq)!));
}

async function load(tx: Tx, id: string): Promise<QueueEntry | null> {
  const row = await tx.row<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM queue_entries WHERE id = $1`, [id]);
  return row ? (await withRecipients(tx, [row]))[0]! : null;
}

export class PgQueueStore implements QueueStore {
  readonly #ctx: PgContext;

  constructor(ctx: PgContext) {
    this.#ctx = ctx;
  }

  async enqueue(entry: NewQueueEntry): Promise<QueueEntry> {
    return this.#ctx.db.write(async (tx) => {
      await lockBlobSizes(tx, [entry.blobId]);
      const now = this.#ctx.now();
      let row: EntryRow | undefined;
      for (let tries = 1; !row; tries++) {
        if (tries > MAX_ID_TRIES) throw new Error('could not find a free queue id');
        row = await tx.row<EntryRow>(
          `INSERT INTO queue_entries (id, blob_id, sender, size, env_id, ret, smtputf8, eight_bit, created_at,
                                      next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (id) DO NOTHING RETURNING ${ENTRY_COLUMNS}`,
          [
            tries === 1 && entry.id ? entry.id : newQueueId(now),
            entry.blobId,
            entry.sender,
            entry.size,
            entry.envId,
            entry.ret,
            entry.smtputf8,
            entry.eightBit,
            now,
            entry.nextAttemptAt,
          ],
        );
      }
      // The same recipient twice in one transaction is delivered once.
      const recipients = entry.recipients.filter(
        (recipient, index) => entry.recipients.findIndex((r) => r.address === recipient.address) === index,
      );
      await tx.run(
        `INSERT INTO queue_recipients (entry_seq, position, address, orcpt, notify, state, updated_at)
         SELECT $1, r.position - 1, r.address, r.orcpt, r.notify, 'pending', $2
           FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS r (address, orcpt, notify, position)`,
        [
          row.seq,
          now,
          recipients.map((r) => r.address),
          recipients.map((r) => r.orcpt),
          recipients.map((r) => r.notify.join(',')),
        ],
      );
      return (await withRecipients(tx, [row]))[0]!;
    });
  }

  async get(id: string): Promise<QueueEntry | null> {
    return this.#ctx.db.read((tx) => load(tx, id));
  }

  async list(): Promise<QueueEntry[]> {
    return this.#ctx.db.read(async (tx) =>
      withRecipients(
        tx,
        await tx.rows<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM queue_entries ORDER BY created_at, seq`),
      ),
    );
  }

  async claimDue(
    now: Date,
    limit: number,
    owner: string,
    leaseUntil: Date,
    options: { skipDomains?: readonly string[] } = {},
  ): Promise<QueueEntry[]> {
    if (limit <= 0) return [];
    const skip = options.skipDomains ?? [];
    return this.#ctx.db.write(async (tx) => {
      // Rows another claimer holds are skipped, not waited for; the lease written here keeps them from the
      // next claimer once this transaction commits.
      const rows = await tx.rows<EntryRow>(
        `WITH due AS (
           SELECT seq FROM queue_entries e
            WHERE NOT held AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
            ${skip.length > 0 ? SKIP_DOMAINS_CLAUSE : ''}
            ORDER BY created_at, seq LIMIT $2
            FOR UPDATE SKIP LOCKED)
         UPDATE queue_entries q
            SET lease_owner = $3, lease_until = $4, attempts = q.attempts + 1
           FROM due WHERE q.seq = due.seq
         RETURNING ${ENTRY_COLUMNS.split(', ')
           .map((column) => `q.${column}`)
           .join(', ')}`,
        skip.length > 0 ? [now, limit, owner, leaseUntil, skip] : [now, limit, owner, leaseUntil],
      );
      rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.seq - b.seq);
      return withRecipients(tx, rows);
    });
  }

  async recordAttempt(
    id: string,
    results: RecipientResult[],
    next: { nextAttemptAt: Date; lastError: string | null },
    options: { removeIfDone?: boolean } = {},
  ): Promise<QueueEntry> {
    const done = (entry: QueueEntry) =>
      options.removeIfDone === true && entry.recipients.every((r) => r.state !== 'pending');
    const recorded = await this.#ctx.db.write(async (tx) => {
      const entry = await tx.row<{ seq: number }>('SELECT seq FROM queue_entries WHERE id = $1 FOR UPDATE', [
        id,
      ]);
      if (!entry) throw new NotFound(`no queue entry ${id}`);
      const now = this.#ctx.now();
      for (const result of results) {
        const changes = await tx.run(
          `UPDATE queue_recipients
              SET state = $1, attempts = attempts + 1, last_error = $2, final_reply = $3, updated_at = $4
            WHERE entry_seq = $5 AND address = $6`,
          [result.state, result.error ?? null, result.finalReply ?? null, now, entry.seq, result.address],
        );
        if (changes === 0) throw new NotFound(`queue entry ${id} has no recipient ${result.address}`);
      }
      await tx.run(
        `UPDATE queue_entries SET lease_owner = NULL, lease_until = NULL, next_attempt_at = $1, last_error = $2
          WHERE seq = $3`,
        [next.nextAttemptAt, next.lastError, entry.seq],
      );
      const after = (await load(tx, id))!;
      if (done(after)) await tx.run('DELETE FROM queue_entries WHERE seq = $1', [entry.seq]);
      return after;
    });
    // As remove() does: collection once the delete has committed.
    if (done(recorded)) await collectBlobsQuietly(this.#ctx);
    return recorded;
  }

  async #update(id: string, sql: string, params: unknown[]): Promise<void> {
    const changes = await this.#ctx.db.run(sql, [...params, id]);
    if (changes === 0) throw new NotFound(`no queue entry ${id}`);
  }

  async releaseLeases(ownerPrefix: string, except: string): Promise<number> {
    return this.#ctx.db.run(
      'UPDATE queue_entries SET lease_owner = NULL, lease_until = NULL ' +
        'WHERE left(lease_owner, length($1)) = $1 AND lease_owner <> $2',
      [ownerPrefix, except],
    );
  }

  async renewLeases(owner: string, ids: string[], leaseUntil: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#ctx.db.rows<{ id: string }>(
      'UPDATE queue_entries SET lease_until = $1 WHERE lease_owner = $2 AND id = ANY($3::text[]) RETURNING id',
      [leaseUntil, owner, ids],
    );
    return rows.map((row) => row.id);
  }

  async setHeld(id: string, held: boolean): Promise<void> {
    await this.#update(id, 'UPDATE queue_entries SET held = $1 WHERE id = $2', [held]);
  }

  async reschedule(id: string, at: Date): Promise<void> {
    await this.#update(id, 'UPDATE queue_entries SET next_attempt_at = $1 WHERE id = $2', [at]);
  }

  async setDelayWarned(id: string): Promise<void> {
    await this.#update(id, 'UPDATE queue_entries SET delay_warned = true WHERE id = $1', []);
  }

  async remove(id: string): Promise<void> {
    await this.#update(id, 'DELETE FROM queue_entries WHERE id = $1', []);
    await collectBlobsQuietly(this.#ctx);
  }
}
