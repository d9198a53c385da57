// The outgoing queue in SQLite: entries in arrival order, per-recipient state, leases for workers.
// claimDue runs under BEGIN IMMEDIATE, so one connection at a time picks entries: each goes to one claimer.

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
import { collectBlobs, type SqliteContext } from './context.ts';
import { requireBlobSize } from './blobs.ts';

interface EntryRow {
  seq: number;
  id: string;
  blob_id: number;
  sender: string;
  size: number;
  env_id: string | null;
  ret: 'FULL' | 'HDRS' | null;
  smtputf8: number;
  eight_bit: number;
  created_at: number;
  next_attempt_at: number;
  attempts: number;
  held: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  delay_warned: number;
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
  updated_at: number;
}

const ENTRY_COLUMNS =
  'seq, id, blob_id, sender, size, env_id, ret, smtputf8, eight_bit, created_at, next_attempt_at, attempts, ' +
  'held, last_error, lease_owner, lease_until, delay_warned';
const RECIPIENT_COLUMNS =
  'entry_seq, address, orcpt, notify, state, attempts, last_error, final_reply, updated_at';
const MAX_ID_TRIES = 20;

/** The domain of queue_recipients.address: what follows the last '@' (rtrim strips the trailing non-'@'). */
const RECIPIENT_DOMAIN = "lower(replace(r.address, rtrim(r.address, replace(r.address, '@', '')), ''))";
/** claimDue's skipDomains: an entry with a pending recipient and none outside the JSON array given. */
const SKIP_DOMAINS_CLAUSE = `AND NOT (
            EXISTS (SELECT 1 FROM queue_recipients r WHERE r.entry_seq = e.seq AND r.state = 'pending')
            AND NOT EXISTS (SELECT 1 FROM queue_recipients r WHERE r.entry_seq = e.seq AND r.state = 'pending'
                              AND ${RECIPIENT_DOMAIN} NOT IN (SELECT value FROM json_each(?))))`;

function toRecipient(row: RecipientRow): QueueRecipient {
  return {
    address: row.address,
    orcpt: row.orcpt,
    notify: row.notify === '' ? [] : (row.notify.split(',') as DsnNotify[]),
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    finalReply: row.final_reply,
    updatedAt: new Date(row.updated_at),
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
    smtputf8: row.smtputf8 !== 0,
    eightBit: row.eight_bit !== 0,
    createdAt: new Date(row.created_at),
    nextAttemptAt: new Date(row.next_attempt_at),
    attempts: row.attempts,
    held: row.held !== 0,
    lastError: row.last_error,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until === null ? null : new Date(row.lease_until),
    delayWarned: row.delay_warned !== 0,
  };
}

export class SqliteQueueStore implements QueueStore {
  readonly #ctx: SqliteContext;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
  }

  /** Entries with their recipients, in the order of `rows`; inside the caller's transaction. */
  #withRecipients(rows: EntryRow[]): QueueEntry[] {
    if (rows.length === 0) return [];
    const recipients = new Map<number, QueueRecipient[]>(rows.map((row) => [row.seq, []]));
    const recipientRows = this.#ctx.db.all<RecipientRow>(
      `SELECT ${RECIPIENT_COLUMNS} FROM queue_recipients
        WHERE entry_seq IN (SELECT value FROM json_each(?)) ORDER BY entry_seq, position`,
      JSON.stringify(rows.map((row) => row.seq)),
    );
    for (const row of recipientRows) recipients.get(row.entry_seq)!.push(toRecipient(row));
    return rows.map((row) => toEntry(row, recipients.get(row.seq)!));
  }

  #load(id: string): QueueEntry | null {
    const row = this.#ctx.db.get<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM queue_entries WHERE id = ?`, id);
    return row ? this.#withRecipients([row])[0]! : null;
  }

  #require(id: string): QueueEntry {
    const entry = this.#load(id);
    if (!entry) throw new NotFound(`no queue entry ${id}`);
    return entry;
  }

  async enqueue(entry: NewQueueEntry): Promise<QueueEntry> {
    const { db } = this.#ctx;
    return db.write(() => {
      requireBlobSize(this.#ctx, entry.blobId);
      const now = this.#ctx.now();
      let id = entry.id ?? newQueueId(now);
      for (let tries = 1; db.get('SELECT 1 FROM queue_entries WHERE id = ?', id); tries++) {
        if (tries >= MAX_ID_TRIES) throw new Error('could not find a free queue id');
        id = newQueueId(now);
      }
      const { lastInsertRowid: seq } = db.run(
        `INSERT INTO queue_entries (id, blob_id, sender, size, env_id, ret, smtputf8, eight_bit, created_at,
                                    next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        entry.blobId,
        entry.sender,
        entry.size,
        entry.envId,
        entry.ret,
        entry.smtputf8 ? 1 : 0,
        entry.eightBit ? 1 : 0,
        now.getTime(),
        entry.nextAttemptAt.getTime(),
      );
      const seen = new Set<string>();
      let position = 0;
      for (const recipient of entry.recipients) {
        // The same recipient twice in one transaction is delivered once.
        if (seen.has(recipient.address)) continue;
        seen.add(recipient.address);
        db.run(
          `INSERT INTO queue_recipients (entry_seq, position, address, orcpt, notify, state, updated_at)
           VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
          seq,
          position++,
          recipient.address,
          recipient.orcpt,
          recipient.notify.join(','),
          now.getTime(),
        );
      }
      return this.#require(id);
    });
  }

  async get(id: string): Promise<QueueEntry | null> {
    return this.#ctx.db.read(() => this.#load(id));
  }

  async list(): Promise<QueueEntry[]> {
    const { db } = this.#ctx;
    return db.read(() =>
      this.#withRecipients(
        db.all<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM queue_entries ORDER BY created_at, seq`),
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
    const { db } = this.#ctx;
    if (limit <= 0) return [];
    const skip = options.skipDomains ?? [];
    return db.write(() => {
      const rows = db.all<{ seq: number }>(
        `SELECT seq FROM queue_entries e
          WHERE held = 0 AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
          ${skip.length > 0 ? SKIP_DOMAINS_CLAUSE : ''}
          ORDER BY created_at, seq LIMIT ?`,
        now.getTime(),
        now.getTime(),
        ...(skip.length > 0 ? [JSON.stringify(skip)] : []),
        limit,
      );
      for (const { seq } of rows) {
        db.run(
          'UPDATE queue_entries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE seq = ?',
          owner,
          leaseUntil.getTime(),
          seq,
        );
      }
      const claimed = db.all<EntryRow>(
        `SELECT ${ENTRY_COLUMNS} FROM queue_entries WHERE seq IN (SELECT value FROM json_each(?))
          ORDER BY created_at, seq`,
        JSON.stringify(rows.map((row) => row.seq)),
      );
      return this.#withRecipients(claimed);
    });
  }

  async recordAttempt(
    id: string,
    results: RecipientResult[],
    next: { nextAttemptAt: Date; lastError: string | null },
    options: { removeIfDone?: boolean } = {},
  ): Promise<QueueEntry> {
    const { db } = this.#ctx;
    return db.write(() => {
      const entry = db.get<{ seq: number }>('SELECT seq FROM queue_entries WHERE id = ?', id);
      if (!entry) throw new NotFound(`no queue entry ${id}`);
      const now = this.#ctx.now().getTime();
      for (const result of results) {
        const { changes } = db.run(
          `UPDATE queue_recipients
              SET state = ?, attempts = attempts + 1, last_error = ?, final_reply = ?, updated_at = ?
            WHERE entry_seq = ? AND address = ?`,
          result.state,
          result.error ?? null,
          result.finalReply ?? null,
          now,
          entry.seq,
          result.address,
        );
        if (changes === 0) throw new NotFound(`queue entry ${id} has no recipient ${result.address}`);
      }
      db.run(
        `UPDATE queue_entries SET lease_owner = NULL, lease_until = NULL, next_attempt_at = ?, last_error = ?
          WHERE seq = ?`,
        next.nextAttemptAt.getTime(),
        next.lastError,
        entry.seq,
      );
      const recorded = this.#require(id);
      if (options.removeIfDone && recorded.recipients.every((r) => r.state !== 'pending')) {
        db.run('DELETE FROM queue_entries WHERE seq = ?', entry.seq);
        collectBlobs(this.#ctx); // as remove() does
      }
      return recorded;
    });
  }

  #update(id: string, sql: string, ...params: Array<number | string>): void {
    const { db } = this.#ctx;
    db.write(() => {
      const { changes } = db.run(sql, ...params, id);
      if (changes === 0) throw new NotFound(`no queue entry ${id}`);
    });
  }

  async releaseLeases(ownerPrefix: string, except: string): Promise<number> {
    const { db } = this.#ctx;
    return db.write(() => {
      const { changes } = db.run(
        'UPDATE queue_entries SET lease_owner = NULL, lease_until = NULL WHERE substr(lease_owner, 1, ?) = ? AND lease_owner <> ?',
        ownerPrefix.length,
        ownerPrefix,
        except,
      );
      return Number(changes);
    });
  }

  async renewLeases(owner: string, ids: string[], leaseUntil: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const { db } = this.#ctx;
    return db.write(() => {
      const held: string[] = [];
      for (const id of ids) {
        const { changes } = db.run(
          'UPDATE queue_entries SET lease_until = ? WHERE lease_owner = ? AND id = ?',
          leaseUntil.getTime(),
          owner,
          id,
        );
        if (changes > 0) held.push(id);
      }
      return held;
    });
  }

  async setHeld(id: string, held: boolean): Promise<void> {
    this.#update(id, 'UPDATE queue_entries SET held = ? WHERE id = ?', held ? 1 : 0);
  }

  async reschedule(id: string, at: Date): Promise<void> {
    this.#update(id, 'UPDATE queue_entries SET next_attempt_at = ? WHERE id = ?', at.getTime());
  }

  async setDelayWarned(id: string): Promise<void> {
    this.#update(id, 'UPDATE queue_entries SET delay_warned = 1 WHERE id = ?');
  }

  async remove(id: string): Promise<void> {
    const { db } = this.#ctx;
    db.write(() => {
      const { changes } = db.run('DELETE FROM queue_entries WHERE id = ?', id);
      if (changes === 0) throw new NotFound(`no queue entry ${id}`);
      collectBlobs(this.#ctx);
    });
  }
}
