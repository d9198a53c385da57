// The end of one attempt on one queue entry: per-recipient results recorded (RecipientResult per pending
// recipient), temporary failures past lifetime_s expired, DSNs sent as NOTIFY asks (failure, success,
// one delay warning), next attempt scheduled with backoff, the entry removed once every recipient is final.
//
// Order matters for crashes: DSNs are handed over before the results are recorded, so a crash in between
// can at worst repeat a DSN, never lose one (RFC 5321 §6.1: duplicates over losses). The results and the
// removal of a finished entry are one transaction (one commit per delivered message).

import type { Clock } from '../app/context.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import {
  NotFound,
  type QueueEntry,
  type QueueRecipient,
  type RecipientResult,
  type Store,
} from '../storage/ports.ts';
import { delayWarningDue, expiresAt, isExpired, retryDelayMs } from './backoff.ts';
import type { BounceSink } from './bounce-sink.ts';
import { buildDsn, wantsDsn, type DsnKind, type DsnRecipient } from './dsn.ts';
import { outcomeFromError, toRecipientResult, type DeliveryOutcome } from './outcome.ts';

export interface FinalizeDeps {
  store: Pick<Store, 'queue' | 'mail'>;
  config: Config;
  clock: Clock;
  bounce: BounceSink;
  log: Logger;
}

export interface FinalizeResult {
  removed: boolean;
  delivered: number;
  failed: number;
  deferred: number;
  dsns: DsnKind[];
}

export async function finalizeAttempt(
  deps: FinalizeDeps,
  entry: QueueEntry,
  outcomes: readonly DeliveryOutcome[],
  original: () => Promise<Buffer>,
): Promise<FinalizeResult> {
  const { config, clock } = deps;
  const q = config.queue;
  const now = clock.now();
  const byAddress = new Map(outcomes.map((o) => [o.address, o]));
  const expired = isExpired(entry.createdAt, now, q);
  const days = Math.round((q.lifetime_s / 86400) * 10) / 10;

  const results: RecipientResult[] = [];
  const reports: Record<DsnKind, DsnRecipient[]> = { failure: [], delay: [], success: [] };
  const stillPending: DeliveryOutcome[] = [];
  const counts = { delivered: 0, failed: 0, deferred: 0 };

  for (const r of entry.recipients.filter((x) => x.state === 'pending')) {
    const o =
      byAddress.get(r.address) ??
      outcomeFromError(r.address, '4.3.0', 'no result for this recipient in this attempt');
    if (o.state === 'pending' && expired) {
      // RFC 5321 §4.5.4.1: give up; the DSN carries the last temporary status.
      const text = `gave up after ${days} days in the queue; last error: ${o.text}`;
      results.push({
        address: r.address,
        state: 'expired',
        error: `${o.status} ${text}`,
        finalReply: `${o.status} ${text}`,
      });
      counts.failed++;
      if (wantsDsn(entry.sender, r.notify, 'failure'))
        reports.failure.push(report(r, { ...o, text }, 'failed', now));
      continue;
    }
    results.push(toRecipientResult(o));
    if (o.state === 'delivered') {
      counts.delivered++;
      if (!o.dsnPassedOn && wantsDsn(entry.sender, r.notify, 'success'))
        reports.success.push(report(r, o, 'relayed', now));
    } else if (o.state === 'failed') {
      counts.failed++;
      if (wantsDsn(entry.sender, r.notify, 'failure')) reports.failure.push(report(r, o, 'failed', now));
    } else {
      counts.deferred++;
      stillPending.push(o);
      if (
        !entry.delayWarned &&
        delayWarningDue(entry.createdAt, now, q) &&
        wantsDsn(entry.sender, r.notify, 'delay')
      ) {
        reports.delay.push({
          ...report(r, o, 'delayed', now),
          willRetryUntil: expiresAt(entry.createdAt, q),
        });
      }
    }
  }

  const dsns: DsnKind[] = [];
  for (const kind of ['failure', 'success', 'delay'] as const) {
    if (reports[kind].length === 0) continue;
    await sendDsn(deps, entry, kind, reports[kind], await original());
    dsns.push(kind);
  }

  // When this attempt makes every recipient final, recordAttempt removes the entry with the results. The
  // recorded state says "due now" all the same: an entry with nothing pending that is still stored (left by
  // an older version between its two commits) is removed by the next claim of any node, not kept for a backoff.
  const resultOf = new Map(results.map((r) => [r.address, r.state]));
  const allFinal = entry.recipients.every((r) => (resultOf.get(r.address) ?? r.state) !== 'pending');
  const next = allFinal
    ? now
    : new Date(
        Math.min(now.getTime() + retryDelayMs(entry.attempts, q), expiresAt(entry.createdAt, q).getTime()),
      );
  const first = stillPending[0];
  let updated: QueueEntry;
  try {
    updated = await deps.store.queue.recordAttempt(
      entry.id,
      results,
      { nextAttemptAt: next, lastError: first ? `${first.status} ${first.text}` : null },
      { removeIfDone: true },
    );
  } catch (err) {
    if (err instanceof NotFound) {
      deps.log.info({ queueId: entry.id }, 'entry was removed during delivery (operator)');
      return { removed: true, ...counts, dsns };
    }
    throw err;
  }
  // Removed by recordAttempt exactly when no recipient is pending.
  const done = updated.recipients.every((r) => r.state !== 'pending');
  if (!done && dsns.includes('delay')) await deps.store.queue.setDelayWarned(entry.id);
  return { removed: done, ...counts, dsns };
}

function report(
  r: QueueRecipient,
  o: DeliveryOutcome,
  action: DsnRecipient['action'],
  now: Date,
): DsnRecipient {
  return {
    address: r.address,
    orcpt: r.orcpt,
    action,
    status: o.status,
    smtpReply: o.smtpReply,
    text: o.text,
    remoteMta: o.remoteMta,
    lastAttempt: now,
  };
}

/** Builds one DSN of `kind` about `recipients` of `entry` and hands it to the bounce sink. */
export async function sendDsn(
  deps: Pick<FinalizeDeps, 'config' | 'clock' | 'bounce' | 'log'>,
  entry: QueueEntry,
  kind: DsnKind,
  recipients: DsnRecipient[],
  original: Buffer,
): Promise<void> {
  if (entry.sender === '') return; // never a DSN about a DSN (RFC 3461 §6.2)
  const bytes = buildDsn({
    kind,
    hostname: deps.config.hostname,
    queueId: entry.id,
    to: entry.sender,
    envId: entry.envId,
    ret: entry.ret,
    arrivalDate: entry.createdAt,
    smtputf8: entry.smtputf8,
    original,
    recipients,
    now: deps.clock.now(),
  });
  await deps.bounce({
    recipient: entry.sender,
    bytes,
    smtputf8: entry.smtputf8 || /[^\x00-\x7f]/.test(entry.sender),
    aboutQueueId: entry.id,
  });
  deps.log.info(
    { queueId: entry.id, dsn: kind, to: entry.sender, recipients: recipients.map((r) => r.address) },
    `${kind} notification sent`,
  );
}
