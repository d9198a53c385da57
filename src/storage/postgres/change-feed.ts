// The change feed across nodes (DESIGN.md §3.5). A change is published twice:
// - NOTIFY inside the committing transaction, so other nodes hear it exactly when (and only if) it commits;
//   PostgreSQL delivers notifications in commit order;
// - to this node's own subscribers right after COMMIT, in process (its own NOTIFY is recognised by the
//   origin id in the payload and skipped).
// Each store keeps one dedicated LISTEN connection. When it is lost, the feed reconnects with backoff and
// then catches up: notifications sent meanwhile are gone, so for every mailbox this node has read (its
// watermark: MODSEQ and UIDNEXT last seen) it asks the database what changed since and publishes that.

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../log/logger.ts';
import { InProcessChangeFeed, type ChangeListener } from '../memory-change-feed.ts';
import type { AccountId, ChangeFeed, MailboxChange, MailboxId } from '../ports.ts';
import type { PgDatabase, Tx } from './database.ts';
import { mapPgError } from './errors.ts';

/** What this node last knew about a mailbox it has read. */
export interface Watermark {
  mailboxId: MailboxId;
  accountId: AccountId;
  modSeq: number;
  uidNext: number;
}

export interface PgChangeFeedOptions {
  db: PgDatabase;
  channel: string;
  log?: Logger;
  /** The changes after each watermark (run after a reconnect). */
  catchUp: (marks: Watermark[]) => Promise<MailboxChange[]>;
  /** Delay before reconnect attempt n (1, 2, …); default 100 ms doubling up to 5 s. */
  reconnectDelayMs?: (attempt: number) => number;
  /** Awaited before each reconnect attempt (tests use it to make changes while the feed is away). */
  beforeReconnect?: () => Promise<void>;
  /** Mailboxes remembered for catch-up, least recently used dropped first. */
  maxWatermarks?: number;
}

/** NOTIFY payloads are limited to 8000 bytes: a change about many UIDs goes out in pieces. */
const UIDS_PER_NOTIFICATION = 500;
const DEFAULT_MAX_WATERMARKS = 100_000;

interface Payload {
  o: string;
  c: MailboxChange;
}

function defaultDelay(attempt: number): number {
  return Math.min(5000, 100 * 2 ** (attempt - 1));
}

function isChange(value: unknown): value is MailboxChange {
  if (typeof value !== 'object' || value === null) return false;
  const change = value as Record<string, unknown>;
  if (change.kind === 'mailboxes') return typeof change.accountId === 'number';
  return (
    (change.kind === 'added' || change.kind === 'flags' || change.kind === 'expunged') &&
    typeof change.mailboxId === 'number' &&
    typeof change.modSeq === 'number' &&
    Array.isArray(change.uids) &&
    change.uids.every((uid) => typeof uid === 'number')
  );
}

/** The change split so each NOTIFY payload stays small. */
function pieces(change: MailboxChange): MailboxChange[] {
  if (change.kind === 'mailboxes' || change.uids.length <= UIDS_PER_NOTIFICATION) return [change];
  const result: MailboxChange[] = [];
  for (let i = 0; i < change.uids.length; i += UIDS_PER_NOTIFICATION) {
    result.push({ ...change, uids: change.uids.slice(i, i + UIDS_PER_NOTIFICATION) });
  }
  return result;
}

export class PgChangeFeed implements ChangeFeed {
  /** Identifies this store's own notifications. */
  readonly origin = randomUUID();
  readonly channel: string;
  readonly #db: PgDatabase;
  readonly #log: Logger | undefined;
  readonly #local: InProcessChangeFeed;
  readonly #catchUp: PgChangeFeedOptions['catchUp'];
  readonly #delay: (attempt: number) => number;
  readonly #beforeReconnect: (() => Promise<void>) | undefined;
  readonly #maxWatermarks: number;
  readonly #watermarks = new Map<MailboxId, Watermark>();
  #client: pg.Client | null = null;
  #listenerPid: number | null = null;
  #closed = false;
  #reconnecting: Promise<void> | null = null;
  #cancelWait: (() => void) | null = null;
  #listeningWaiters: Array<() => void> = [];
  /** Live notifications held back while catching up, delivered after the catch-up's events. */
  #held: MailboxChange[] | null = null;

  constructor(options: PgChangeFeedOptions) {
    this.#db = options.db;
    this.channel = options.channel;
    this.#log = options.log;
    this.#catchUp = options.catchUp;
    this.#delay = options.reconnectDelayMs ?? defaultDelay;
    this.#beforeReconnect = options.beforeReconnect;
    this.#maxWatermarks = options.maxWatermarks ?? DEFAULT_MAX_WATERMARKS;
    this.#local = new InProcessChangeFeed((error, change) => {
      this.#log?.error({ err: error, change }, 'change feed listener failed');
    });
  }

  subscribe(listener: ChangeListener): () => void {
    return this.#local.subscribe(listener);
  }

  /** Opens the LISTEN connection; rejects with StorageUnavailable when the server cannot be reached. */
  async start(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      throw mapPgError(error);
    }
  }

  /** Queues the change's NOTIFY in the caller's transaction (sent on COMMIT, dropped on ROLLBACK). */
  async notify(tx: Tx, change: MailboxChange): Promise<void> {
    for (const piece of pieces(change)) {
      const payload: Payload = { o: this.origin, c: piece };
      await tx.run('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify(payload)]);
    }
  }

  /** Delivers a committed change of this node to its subscribers. */
  publishLocal(change: MailboxChange): void {
    if (this.#held) this.#held.push(change);
    else this.#deliver(change);
  }

  #deliver(change: MailboxChange): void {
    // While the LISTEN connection is down, this node's own changes still reach its sessions, but do not move
    // the watermarks: another node's older change to the same mailbox, missed meanwhile, would fall below
    // them and the catch-up would never report it.
    if (this.#client) this.#advance(change);
    this.#local.publish(change);
  }

  /** Ends holding back: delivers what was held, in order. */
  #release(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const change of held) this.#deliver(change);
  }

  /** Remembers what a read showed of a mailbox, the base for catching up after a reconnect. */
  observe(mark: Watermark): void {
    if (this.#watermarks.has(mark.mailboxId)) return;
    this.#watermarks.set(mark.mailboxId, { ...mark });
    if (this.#watermarks.size > this.#maxWatermarks) {
      const oldest = this.#watermarks.keys().next().value;
      if (oldest !== undefined) this.#watermarks.delete(oldest);
    }
  }

  /** Backend process id of the LISTEN connection (null while reconnecting); for operators and tests. */
  get listenerPid(): number | null {
    return this.#listenerPid;
  }

  get listenerCount(): number {
    return this.#local.listenerCount;
  }

  /** Resolves once the LISTEN connection is up (at once when it is). */
  whenListening(): Promise<void> {
    if (this.#client && this.#listenerPid !== null) return Promise.resolve();
    return new Promise((resolve) => this.#listeningWaiters.push(resolve));
  }

  #advance(change: MailboxChange): void {
    if (change.kind === 'mailboxes') return;
    const mark = this.#watermarks.get(change.mailboxId);
    if (!mark) return;
    mark.modSeq = Math.max(mark.modSeq, change.modSeq);
    if (change.kind === 'added' && change.uids.length > 0) {
      mark.uidNext = Math.max(mark.uidNext, Math.max(...change.uids) + 1);
    }
    // Most recently used last.
    this.#watermarks.delete(change.mailboxId);
    this.#watermarks.set(change.mailboxId, mark);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#db.clientConfig(`posthorn-listen ${this.origin.slice(0, 8)}`));
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (client === this.#client) this.#onNotification(message);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
      const result = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (this.#closed) throw new Error('change feed closed');
      this.#client = client;
      this.#listenerPid = result.rows[0]!.pid;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    for (const resolve of this.#listeningWaiters.splice(0)) resolve();
  }

  #onNotification(message: pg.Notification): void {
    if (message.channel !== this.channel || message.payload === undefined) return;
    let payload: Payload;
    try {
      payload = JSON.parse(message.payload) as Payload;
    } catch {
      this.#log?.warn({ payload: message.payload }, 'change feed: unreadable notification');
      return;
    }
    if (payload.o === this.origin) return;
    if (!isChange(payload.c)) {
      this.#log?.warn({ payload: message.payload }, 'change feed: unknown notification');
      return;
    }
    this.publishLocal(payload.c);
  }

  #lost(client: pg.Client, error?: Error): void {
    if (this.#closed || client !== this.#client) return;
    this.#client = null;
    this.#listenerPid = null;
    client.end().catch(() => {});
    this.#log?.warn({ err: error }, 'change feed: LISTEN connection lost, reconnecting');
    this.#reconnecting ??= this.#reconnect().finally(() => {
      this.#reconnecting = null;
    });
  }

  async #reconnect(): Promise<void> {
    for (let attempt = 1; !this.#closed; attempt++) {
      try {
        await this.#beforeReconnect?.();
        await this.#wait(this.#delay(attempt));
        if (this.#closed) return;
        // From LISTEN until the catch-up is out, changes (other nodes' and this one's) wait: a live change
        // must not overtake the older ones the catch-up reports (an expunge announced before the append it
        // undoes would leave a phantom message in a session's view).
        this.#held = [];
        await this.#connect();
      } catch (error) {
        this.#release();
        this.#log?.warn({ err: error, attempt }, 'change feed: reconnect failed');
        continue;
      }
      try {
        // LISTEN is active again, so anything committed from now on arrives as a notification; the
        // catch-up covers what was committed while the connection was down (overlap only repeats).
        for (const change of await this.#catchUp([...this.#watermarks.values()].map((m) => ({ ...m })))) {
          this.#deliver(change);
        }
        this.#release();
        this.#log?.info({ attempt }, 'change feed: listening again');
        return;
      } catch (error) {
        this.#log?.warn({ err: error, attempt }, 'change feed: catch-up failed, reconnecting');
        this.#release();
        const client = this.#client;
        this.#client = null;
        this.#listenerPid = null;
        await client?.end().catch(() => {});
      }
    }
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#cancelWait = done;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelWait?.();
    const client = this.#client;
    this.#client = null;
    this.#listenerPid = null;
    await client?.end().catch(() => {});
    await this.#reconnecting;
  }
}
