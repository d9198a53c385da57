// The operator's view of the queue (habits from mailq / postqueue / postsuper): pure functions over the
// store that return data, and formatters for a table, details and JSON. src/cli/queue.ts calls them.
// They work next to a running server: every change is one store call, and the worker re-reads the entry.

import {
  NotFound,
  type QueueEntry,
  type QueueStore,
  type RecipientState,
  type Store,
} from '../storage/ports.ts';
import type { BounceSink } from './bounce-sink.ts';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../app/context.ts';
import type { Logger } from '../log/logger.ts';
import { sendDsn } from './finalize.ts';
import { headerSection } from './dsn.ts';
import { parseStoredError, smtpReplyOf } from './outcome.ts';

export type EntryStatus = 'held' | 'active' | 'deferred' | 'queued';

export interface QueueRecipientView {
  address: string;
  state: RecipientState;
  attempts: number;
  lastError: string | null;
  finalReply: string | null;
}

export interface QueueEntryView {
  id: string;
  status: EntryStatus;
  arrivedAt: Date;
  ageSeconds: number;
  size: number;
  sender: string;
  recipients: QueueRecipientView[];
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  held: boolean;
  /** Leased by a worker right now. */
  leaseOwner: string | null;
}

export interface QueueEntryDetails extends QueueEntryView {
  envId: string | null;
  ret: 'FULL' | 'HDRS' | null;
  smtputf8: boolean;
  eightBit: boolean;
  delayWarned: boolean;
  /** The message's header section (UTF-8, lossy for other bytes). */
  headers: string;
}

/** The operator asked for something that cannot be done (unknown id, message in delivery). */
export class QueueAdminError extends Error {
  override name = 'QueueAdminError';
}

function statusOf(e: QueueEntry, now: Date): EntryStatus {
  if (e.held) return 'held';
  if (e.leaseOwner && e.leaseUntil && e.leaseUntil > now) return 'active';
  if (e.attempts > 0) return 'deferred';
  return 'queued';
}

export function viewOf(e: QueueEntry, now: Date): QueueEntryView {
  return {
    id: e.id,
    status: statusOf(e, now),
    arrivedAt: e.createdAt,
    ageSeconds: Math.max(0, Math.floor((now.getTime() - e.createdAt.getTime()) / 1000)),
    size: e.size,
    sender: e.sender,
    recipients: e.recipients.map((r) => ({
      address: r.address,
      state: r.state,
      attempts: r.attempts,
      lastError: r.lastError,
      finalReply: r.finalReply,
    })),
    attempts: e.attempts,
    nextAttemptAt: e.nextAttemptAt,
    lastError: e.lastError,
    held: e.held,
    leaseOwner: e.leaseOwner && e.leaseUntil && e.leaseUntil > now ? e.leaseOwner : null,
  };
}

async function requireEntry(queue: Pick<QueueStore, 'get'>, id: string): Promise<QueueEntry> {
  const entry = await queue.get(id.toUpperCase());
  if (!entry) throw new QueueAdminError(`no message ${id} in the queue`);
  return entry;
}

/** `queue list`: every entry in arrival order. */
export async function listQueue(store: Pick<Store, 'queue'>, now: Date): Promise<QueueEntryView[]> {
  return (await store.queue.list()).map((e) => viewOf(e, now));
}

/** `queue show ID`. */
export async function showQueueEntry(
  store: Pick<Store, 'queue' | 'mail'>,
  id: string,
  now: Date,
): Promise<QueueEntryDetails> {
  const e = await requireEntry(store.queue, id);
  const bytes = await store.mail.getBlobBytes(e.blobId);
  return {
    ...viewOf(e, now),
    envId: e.envId,
    ret: e.ret,
    smtputf8: e.smtputf8,
    eightBit: e.eightBit,
    delayWarned: e.delayWarned,
    headers: headerSection(bytes).toString('utf8').replace(/\r\n/g, '\n').trimEnd(),
  };
}

/** `queue retry ID|--all`: due now. Held entries stay held (release them). Returns the ids rescheduled. */
export async function retryQueue(
  store: Pick<Store, 'queue'>,
  target: { id: string } | { all: true },
  now: Date,
): Promise<QueueEntryView[]> {
  const entries =
    'id' in target
      ? [await requireEntry(store.queue, target.id)]
      : (await store.queue.list()).filter((e) => !e.held);
  for (const e of entries) await store.queue.reschedule(e.id, now);
  return entries.map((e) => viewOf({ ...e, nextAttemptAt: now }, now));
}

/** `queue hold ID`: not tried again until released (an attempt in progress finishes). */
export async function holdEntry(store: Pick<Store, 'queue'>, id: string, now: Date): Promise<QueueEntryView> {
  const e = await requireEntry(store.queue, id);
  await store.queue.setHeld(e.id, true);
  return viewOf({ ...e, held: true }, now);
}

/** `queue release ID`: no longer held, and due now. */
export async function releaseEntry(
  store: Pick<Store, 'queue'>,
  id: string,
  now: Date,
): Promise<QueueEntryView> {
  const e = await requireEntry(store.queue, id);
  await store.queue.setHeld(e.id, false);
  await store.queue.reschedule(e.id, now);
  return viewOf({ ...e, held: false, nextAttemptAt: now }, now);
}

/** `queue delete ID`: removed without notice to the sender. */
export async function deleteEntry(
  store: Pick<Store, 'queue'>,
  id: string,
  now: Date,
): Promise<QueueEntryView> {
  const e = await requireEntry(store.queue, id);
  try {
    await store.queue.remove(e.id);
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
  }
  return viewOf(e, now);
}

export interface BounceDeps {
  store: Pick<Store, 'queue' | 'mail'>;
  config: Config;
  clock: Clock;
  bounce: BounceSink;
  log: Logger;
}

/**
 * `queue bounce ID`: every pending recipient fails now ("5.0.0 returned by the operator", plus its last error),
 * the sender gets a failure DSN as NOTIFY allows, and the entry leaves the queue. Refused while a worker
 * delivers it (hold it first, or try again in a moment).
 */
export async function bounceEntry(deps: BounceDeps, id: string): Promise<QueueEntryView> {
  const now = deps.clock.now();
  const e = await requireEntry(deps.store.queue, id);
  if (e.leaseOwner && e.leaseUntil && e.leaseUntil > now) {
    throw new QueueAdminError(
      `message ${e.id} is being delivered right now; hold it or try again in a moment`,
    );
  }
  const pending = e.recipients.filter((r) => r.state === 'pending');
  const reports = pending
    .filter((r) => wantsFailureDsn(e.sender, r.notify))
    .map((r) => {
      const last = parseStoredError(r.lastError, '5.0.0');
      const text = `returned to sender by the operator${r.lastError ? `; last error: ${last.text}` : ''}`;
      return {
        address: r.address,
        orcpt: r.orcpt,
        action: 'failed' as const,
        status: '5.0.0',
        smtpReply: smtpReplyOf(last.text),
        text,
        remoteMta: null,
        lastAttempt: now,
      };
    });
  if (reports.length > 0)
    await sendDsn(deps, e, 'failure', reports, await deps.store.mail.getBlobBytes(e.blobId));
  await deps.store.queue.recordAttempt(
    e.id,
    pending.map((r) => ({
      address: r.address,
      state: 'failed' as const,
      error: '5.0.0 returned to sender by the operator',
      finalReply: '5.0.0 returned to sender by the operator',
    })),
    { nextAttemptAt: now, lastError: '5.0.0 returned to sender by the operator' },
    { removeIfDone: true }, // every recipient is now final: recorded and removed in one transaction
  );
  return viewOf(e, now);
}

function wantsFailureDsn(sender: string, notify: readonly string[]): boolean {
  return sender !== '' && !notify.includes('NEVER') && (notify.length === 0 || notify.includes('FAILURE'));
}

// ------------------------------------------------------------ formatting

export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  const d = Math.floor(h / 24);
  return `${d}d${h % 24 ? `${h % 24}h` : ''}`;
}

export function formatNextAttempt(v: QueueEntryView, now: Date): string {
  if (v.status === 'held') return 'held';
  if (v.status === 'active') return 'now (in delivery)';
  const s = Math.ceil((v.nextAttemptAt.getTime() - now.getTime()) / 1000);
  return s <= 0 ? 'due' : `in ${formatAge(s)}`;
}

function isoDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** JSON for scripts: stable keys, ISO dates. */
export function entryToJson(v: QueueEntryView | QueueEntryDetails): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: v.id,
    status: v.status,
    arrived_at: isoDate(v.arrivedAt),
    age_seconds: v.ageSeconds,
    size: v.size,
    sender: v.sender,
    attempts: v.attempts,
    next_attempt_at: isoDate(v.nextAttemptAt),
    last_error: v.lastError,
    held: v.held,
    lease_owner: v.leaseOwner,
    recipients: v.recipients.map((r) => ({
      address: r.address,
      state: r.state,
      attempts: r.attempts,
      last_error: r.lastError,
      final_reply: r.finalReply,
    })),
  };
  if ('headers' in v) {
    Object.assign(base, {
      env_id: v.envId,
      ret: v.ret,
      smtputf8: v.smtputf8,
      eight_bit: v.eightBit,
      delay_warned: v.delayWarned,
      headers: v.headers,
    });
  }
  return base;
}

/** `queue show` for people. */
export function formatEntryDetails(d: QueueEntryDetails, now: Date): string {
  const lines = [
    `id:            ${d.id}`,
    `status:        ${d.status}${d.leaseOwner ? ` (by ${d.leaseOwner})` : ''}`,
    `arrived:       ${isoDate(d.arrivedAt)} (${formatAge(d.ageSeconds)} ago)`,
    `sender:        <${d.sender}>`,
    `size:          ${d.size}`,
    `attempts:      ${d.attempts}`,
    `next attempt:  ${isoDate(d.nextAttemptAt)} (${formatNextAttempt(d, now)})`,
    `last error:    ${d.lastError ?? '-'}`,
    `dsn:           ret=${d.ret ?? '-'} envid=${d.envId ?? '-'}${d.delayWarned ? ' (delay warning sent)' : ''}`,
    `smtputf8:      ${d.smtputf8 ? 'yes' : 'no'}   8bit: ${d.eightBit ? 'yes' : 'no'}`,
    'recipients:',
    ...d.recipients.map(
      (r) =>
        `  <${r.address}> ${r.state}, ${r.attempts} attempts${r.lastError || r.finalReply ? `: ${r.finalReply ?? r.lastError}` : ''}`,
    ),
    'headers:',
    ...d.headers.split('\n').map((l) => `  ${l}`),
  ];
  return lines.join('\n') + '\n';
}
