// OutboundQueue: the delivery worker. Claims due entries in arrival order (store.queue.claimDue, FCFS),
// splits each into jobs per destination, and runs SMTP sessions under a global and a per-destination limit;
// one session carries several jobs for its destination (RSET between). When every job of an entry is done,
// finalize.ts records the results, sends DSNs and schedules the retry.
//
// Invariants:
// - claimDue saved the attempt count before the attempt starts (DESIGN.md §4.4) and leased the entry; a
//   killed process leaves the lease to expire, and the next claim resumes from the recorded per-recipient
//   states (only pending recipients are tried again).
// - While this worker holds an entry it renews the lease every lease_s / 3, so an entry waiting long in its
//   own line is never taken by another claimer (nor re-claimed by this one, which would count a crash).
// - Each attempt that ends records a result for every pending recipient, so "claims without a result"
//   (entry.attempts - 1 - recipient attempts) counts crashes; at max_crashes the entry is held.
// - No head-of-line blocking: a destination gets at most per_destination sessions, and once
//   waitingPerDestination jobs wait for it, claims leave its entries in the store (skipDomains: not leased,
//   not counted) and take the next ones for other destinations; it claims again when its line is half
//   empty. A claim takes at most one line's worth, so a line never holds more than two; beyond that (domains
//   routed to one host) an entry is put back. A dead destination fails all its waiting jobs with one
//   connection error.
// - A busy destination gets more sessions (slow start): one until a session has connected, then one more
//   whenever more jobs wait than its open sessions clear soon, up to per_destination and concurrency.

import { createHash, randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { AppContext } from '../app/context.ts';
import type { Resolver } from '../dns/resolver.ts';
import type { Logger } from '../log/logger.ts';
import type { SmtpConnectFn } from '../smtp/client/connect.ts';
import type { ClientTimeouts, SmtpClient } from '../smtp/client/smtp-client.ts';
import { NotFound, type QueueEntry, type QueueRecipient } from '../storage/ports.ts';
import type { BounceSink } from './bounce-sink.ts';
import { finalizeAttempt } from './finalize.ts';
import {
  catchAllDestinationKey,
  destinationKey,
  domainOf,
  NextHopError,
  resolveNextHop,
  type NextHop,
} from './next-hop.ts';
import { outcomeFromError, type DeliveryOutcome } from './outcome.ts';
import { connectToNextHop, deliverJob, type Job } from './remote-delivery.ts';

export interface OutboundQueueOptions {
  resolver: Resolver;
  connect: SmtpConnectFn;
  bounce: BounceSink;
  timeouts: ClientTimeouts;
  /** Re-check the store for due entries this often (other processes, retries coming due). */
  pollIntervalMs: number;
  /** Entries in progress at once (claimed, not yet finished). */
  maxInFlight: number;
  /** Jobs waiting for one destination beyond which claims leave its entries in the store. */
  waitingPerDestination: number;
  /** Lease owner name; unique per process. */
  owner: string;
  chunking: boolean;
  random: () => number;
  /** How long stop() waits for sessions to finish their current message. */
  stopGraceMs: number;
  /** Renew the leases of entries in progress this often (a third of queue.lease_s). */
  leaseRenewMs: number;
}

interface EntryAttempt {
  entry: QueueEntry;
  /** Results are being recorded (the lease is released by that): no more renewals. */
  finishing: boolean;
  outstanding: number;
  outcomes: DeliveryOutcome[];
  body: Promise<Buffer> | null;
}

interface Destination {
  key: string;
  jobs: Array<Job & { attempt: EntryAttempt }>;
  sessions: number;
  /** The last connection attempt got through: sessions beyond the first may open. */
  reachable: boolean;
}

/**
 * This node's identity in lease owner names: the host and the data directory, stable across restarts, so a
 * restarted node can free the leases of its previous run (QueueStore.releaseLeases).
 */
export function nodeLeasePrefix(dataDir: string): string {
  const dir = createHash('sha256').update(dataDir).digest('hex').slice(0, 8);
  return `${osHostname()}/${dir}:`;
}

/** Lease owner name: node prefix, then pid and a random part unique to this run. */
export function defaultOwner(prefix = `${osHostname()}:`): string {
  return `${prefix}${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** How soon an entry put back because its destinations were busy is due again. */
const BUSY_RETRY_MS = 5_000;

/**
 * Waiting jobs per open session beyond which a destination gets another session: about what one session
 * sends in a few hundred milliseconds, so a short line stays on one connection and a long one is shared.
 */
const WAITING_PER_SESSION = 10;

export class OutboundQueue {
  readonly name = 'queue';
  #busyPutBack = false;
  /** The last claim took all it could: a finished job alone (more room) would not find more. */
  #exhausted = false;
  /** Destinations whose entries the last claim left in the store (their lines were full). */
  #skipped = new Set<string>();
  readonly #ctx: AppContext;
  readonly #o: OutboundQueueOptions;
  readonly #log: Logger;
  readonly #destinations = new Map<string, Destination>();
  readonly #inFlight = new Map<string, EntryAttempt>();
  readonly #clients = new Set<SmtpClient>();
  readonly #tasks = new Set<Promise<void>>();
  #activeSessions = 0;
  #pumping = false;
  #pumpAgain = false;
  #stopping = false;
  #timer: NodeJS.Timeout | null = null;
  #renewTimer: NodeJS.Timeout | null = null;
  #renewing = false;
  #idleWaiters: Array<() => void> = [];

  constructor(ctx: AppContext, options: OutboundQueueOptions) {
    this.#ctx = ctx;
    this.#o = options;
    this.#log = ctx.log.child({ service: 'queue' });
  }

  /** Looks for due entries now (after enqueue, operator retry, or from the poll timer). */
  wake(): void {
    this.#exhausted = false;
    this.#startRenewing();
    this.#track(this.#pump());
  }

  /** Resolves when nothing is in progress and the last look found nothing due (tests drive the clock by it). */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Numbers for logs and tests. */
  get stats(): { inFlight: number; sessions: number; waiting: number } {
    let waiting = 0;
    for (const d of this.#destinations.values()) waiting += d.jobs.length;
    return { inFlight: this.#inFlight.size, sessions: this.#activeSessions, waiting };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    // Jobs not started yet: recorded as interrupted, so their leases are released at once.
    for (const dest of this.#destinations.values()) {
      this.#failWaiting(dest, (a) =>
        outcomeFromError(a, '4.3.2', 'delivery interrupted: the queue was stopped'),
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#o.stopGraceMs);
    });
    await Promise.race([this.#allTasks(), grace]);
    clearTimeout(timer);
    for (const client of this.#clients) client.destroy();
    await this.#allTasks();
  }

  // ------------------------------------------------------------ claiming

  async #pump(): Promise<void> {
    if (this.#stopping) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        await this.#claimBatches();
      } while (this.#pumpAgain && !this.#stopping);
    } catch (err) {
      this.#log.error({ err }, 'claiming due entries failed; will try again');
    } finally {
      this.#pumping = false;
      this.#armTimer();
      this.#checkIdle();
    }
  }

  async #claimBatches(): Promise<void> {
    const q = this.#ctx.config.queue;
    for (;;) {
      this.#exhausted = false;
      const room = this.#o.maxInFlight - this.#inFlight.size;
      if (room <= 0 || this.#stopping) return;
      // One line's worth at most, so a destination with a long backlog never takes more than two lines.
      const limit = Math.min(room, this.#o.waitingPerDestination);
      const full = this.#fullDestinations();
      // Set before the claim, so a line that drains meanwhile asks for another (#lineDrained).
      this.#skipped = new Set(full.keys);
      if (full.everything) {
        // The smarthost's line is full and nearly every entry goes there: claim when it is half empty.
        this.#exhausted = true;
        return;
      }
      const now = this.#ctx.clock.now();
      const entries = await this.#ctx.store.queue.claimDue(
        now,
        limit,
        this.#o.owner,
        new Date(now.getTime() + q.lease_s * 1000),
        full.domains.length > 0 ? { skipDomains: full.domains } : undefined,
      );
      this.#busyPutBack = false;
      for (const entry of entries) await this.#admit(entry);
      this.#dispatch();
      if (entries.length < limit || this.#busyPutBack) {
        // All claimable taken (or put back): claim again on a wake, a half-empty line or the timer.
        this.#exhausted = true;
        return;
      }
    }
  }

  /**
   * Destinations with a full waiting line, and the recipient domains of their jobs (what claims skip);
   * `everything` when one of them is the "*" route's, which takes the domains no claim could name.
   */
  #fullDestinations(): { keys: string[]; domains: string[]; everything: boolean } {
    const catchAll = catchAllDestinationKey(this.#ctx.config.routes);
    const keys: string[] = [];
    const domains = new Set<string>();
    for (const dest of this.#destinations.values()) {
      if (dest.jobs.length < this.#o.waitingPerDestination) continue;
      keys.push(dest.key);
      for (const job of dest.jobs) for (const r of job.recipients) domains.add(domainOf(r.address));
    }
    return { keys, domains: [...domains], everything: catchAll !== null && keys.includes(catchAll) };
  }

  /** A destination that claims skipped has room again: claim what waits for it. */
  #lineDrained(dest: Destination): void {
    if (!this.#skipped.has(dest.key) || dest.jobs.length > this.#o.waitingPerDestination / 2) return;
    this.#skipped.delete(dest.key);
    if (!this.#stopping) this.wake();
  }

  async #admit(entry: QueueEntry): Promise<void> {
    // Our own entry whose lease ran out while we still work on it: keep going, do not start it twice.
    if (this.#inFlight.has(entry.id)) return;
    const log = this.#log.child({ queueId: entry.id });
    const pending = entry.recipients.filter((r) => r.state === 'pending');
    if (pending.length === 0) {
      // Finished before a crash, not yet removed.
      await this.#ctx.store.queue.remove(entry.id).catch(ignoreNotFound);
      return;
    }
    if (await this.#holdIfCrashing(entry, pending, log)) return;

    const attempt: EntryAttempt = { entry, finishing: false, outstanding: 0, outcomes: [], body: null };
    this.#inFlight.set(entry.id, attempt);
    const body = () => (attempt.body ??= this.#ctx.store.mail.getBlobBytes(entry.blobId));
    const routes = this.#ctx.config.routes;
    const groups = new Map<string, QueueRecipient[]>();
    for (const r of pending) {
      const key = destinationKey(domainOf(r.address), routes);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    log.debug({ attempt: entry.attempts, destinations: [...groups.keys()] }, 'attempt started');
    // Claims skip full lines, so this is for domains routed to one host that claims could not tell apart.
    const overflowing = (key: string) =>
      (this.#destinations.get(key)?.jobs.length ?? 0) >= 2 * this.#o.waitingPerDestination;
    if ([...groups.keys()].every(overflowing)) {
      // Every destination of this entry already has a full waiting line: this is not a delivery attempt, so
      // put the entry back, due again shortly, with no attempt counted and no backoff (a bulk mailing to one
      // domain would otherwise stall behind doubling backoffs).
      await this.#putBack(attempt, pending, [...groups.keys()]);
      return;
    }
    for (const [key, recipients] of groups) {
      let dest = this.#destinations.get(key);
      if (!dest) {
        dest = { key, jobs: [], sessions: 0, reachable: false };
        this.#destinations.set(key, dest);
      }
      if (overflowing(key)) {
        attempt.outcomes.push(
          ...recipients.map((r) => outcomeFromError(r.address, '4.4.5', `destination ${key} busy; deferred`)),
        );
        continue;
      }
      attempt.outstanding++;
      dest.jobs.push({ entry, domain: domainOf(recipients[0]!.address), recipients, body, attempt });
    }
    if (attempt.outstanding === 0) this.#track(this.#finish(attempt));
  }

  async #putBack(attempt: EntryAttempt, pending: QueueRecipient[], destinations: string[]): Promise<void> {
    const { entry } = attempt;
    attempt.finishing = true;
    this.#busyPutBack = true;
    try {
      // Recording the recipients as still pending balances the claim's attempt count (not a crash).
      await this.#ctx.store.queue.recordAttempt(
        entry.id,
        pending.map((r) => ({ address: r.address, state: 'pending' as const, error: r.lastError })),
        {
          nextAttemptAt: new Date(this.#ctx.clock.now().getTime() + BUSY_RETRY_MS),
          lastError: `4.4.5 destination ${destinations.join(', ')} busy; waiting for a free slot`,
        },
      );
    } catch (err) {
      this.#log.error({ queueId: entry.id, err }, 'putting a message back failed; its lease will expire');
    } finally {
      this.#inFlight.delete(entry.id);
    }
  }

  /**
   * Claims that ended without any result are crashes (of this worker or the process). Held at max_crashes,
   * and again after max_crashes further crashes once an operator releases it.
   */
  async #holdIfCrashing(entry: QueueEntry, pending: QueueRecipient[], log: Logger): Promise<boolean> {
    const max = this.#ctx.config.queue.max_crashes;
    const completed = Math.max(...pending.map((r) => r.attempts));
    const crashes = entry.attempts - 1 - completed;
    if (crashes < max || (crashes - max) % (max + 1) !== 0) return false;
    const reason = `held: ${crashes} attempts ended without a result`;
    await this.#ctx.store.queue.setHeld(entry.id, true);
    await this.#ctx.store.queue.recordAttempt(entry.id, [], {
      nextAttemptAt: this.#ctx.clock.now(),
      lastError: reason,
    });
    log.warn(
      { crashes },
      'message held: delivery keeps failing without a result; release with `posthorn queue release`',
    );
    return true;
  }

  // ------------------------------------------------------------ sessions

  #dispatch(): void {
    const q = this.#ctx.config.queue;
    // A session reconnects after messages_per_connection messages, so it clears at most that many soon.
    const perSession = Math.min(WAITING_PER_SESSION, q.messages_per_connection);
    for (const dest of this.#destinations.values()) {
      // Few sessions carrying many messages each; more while the line is long, once one got through (a dead
      // destination costs one connection attempt, not per_destination of them).
      const limit = dest.reachable ? q.per_destination : 1;
      const wanted = Math.min(limit, Math.ceil(dest.jobs.length / perSession));
      while (
        !this.#stopping &&
        dest.sessions < wanted &&
        this.#activeSessions < q.concurrency &&
        dest.jobs.length > 0
      ) {
        dest.sessions++;
        this.#activeSessions++;
        this.#track(this.#runDestination(dest));
      }
    }
  }

  async #runDestination(dest: Destination): Promise<void> {
    const { config } = this.#ctx;
    const q = config.queue;
    const log = this.#log.child({ destination: dest.key });
    try {
      let fruitless = 0;
      while (dest.jobs.length > 0 && !this.#stopping) {
        let hop: NextHop;
        try {
          hop = await resolveNextHop(dest.jobs[0]!.domain, config.routes, this.#o.resolver, {
            requireTls: q.require_tls,
            random: this.#o.random,
          });
        } catch (err) {
          const status = err instanceof NextHopError ? err.status : '4.4.3';
          const text = err instanceof Error ? err.message : String(err);
          log.info({ status, err: text }, 'no next hop');
          this.#failWaiting(dest, (a) => outcomeFromError(a, status, text));
          break;
        }
        const connected = await connectToNextHop(hop, {
          connect: this.#o.connect,
          localName: config.hostname,
          verifyTls: q.verify_tls,
          timeouts: this.#o.timeouts,
          log,
        });
        const firstThrough = connected.ok && !dest.reachable;
        dest.reachable = connected.ok;
        if (firstThrough) this.#dispatch();
        if (!connected.ok) {
          log.info({ err: connected.summary }, 'destination unreachable');
          this.#failWaiting(dest, connected.failure);
          break;
        }
        const { client, candidate } = connected;
        this.#clients.add(client);
        let sent = 0;
        try {
          while (
            client.usable &&
            sent < q.messages_per_connection &&
            dest.jobs.length > 0 &&
            !this.#stopping
          ) {
            const job = dest.jobs.shift()!;
            this.#lineDrained(dest);
            if (sent > 0) {
              try {
                await client.reset();
              } catch {
                dest.jobs.unshift(job); // not tried: another session takes it
                break;
              }
            }
            const outcomes = await deliverJob(client, candidate, job, { chunking: this.#o.chunking });
            this.#logOutcomes(job, outcomes);
            this.#jobDone(job.attempt, outcomes);
            sent++;
          }
        } finally {
          this.#clients.delete(client);
          if (client.usable) await client.quit();
          else client.destroy();
        }
        fruitless = sent === 0 ? fruitless + 1 : 0;
        if (fruitless >= 3) {
          this.#failWaiting(dest, (a) =>
            outcomeFromError(a, '4.4.2', 'sessions to the destination keep ending early'),
          );
          break;
        }
      }
    } catch (err) {
      log.error({ err }, 'destination session failed');
      this.#failWaiting(dest, (a) => outcomeFromError(a, '4.3.0', `local error: ${(err as Error).message}`));
    } finally {
      dest.sessions--;
      this.#activeSessions--;
      if (dest.sessions === 0 && dest.jobs.length === 0) this.#destinations.delete(dest.key);
      this.#dispatch();
      this.#checkIdle();
    }
  }

  /** Gives every waiting job of the destination the same outcome (dead destination, DNS failure, stop). */
  #failWaiting(dest: Destination, outcome: (address: string) => DeliveryOutcome): void {
    const jobs = dest.jobs.splice(0);
    this.#lineDrained(dest);
    for (const job of jobs) {
      const outcomes = job.recipients.map((r) => outcome(r.address));
      this.#logOutcomes(job, outcomes);
      this.#jobDone(job.attempt, outcomes);
    }
  }

  #jobDone(attempt: EntryAttempt, outcomes: DeliveryOutcome[]): void {
    attempt.outcomes.push(...outcomes);
    attempt.outstanding--;
    if (attempt.outstanding === 0) this.#track(this.#finish(attempt));
  }

  #logOutcomes(job: Job, outcomes: DeliveryOutcome[]): void {
    for (const o of outcomes) {
      const status = o.state === 'delivered' ? 'sent' : o.state === 'failed' ? 'bounced' : 'deferred';
      this.#log.info(
        { queueId: job.entry.id, to: o.address, relay: o.remoteMta, dsn: o.status, status },
        o.text,
      );
    }
  }

  // ------------------------------------------------------------ results

  async #finish(attempt: EntryAttempt): Promise<void> {
    const { entry } = attempt;
    attempt.finishing = true;
    try {
      const result = await finalizeAttempt(
        {
          store: this.#ctx.store,
          config: this.#ctx.config,
          clock: this.#ctx.clock,
          bounce: this.#o.bounce,
          log: this.#log.child({ queueId: entry.id }),
        },
        entry,
        attempt.outcomes,
        () => (attempt.body ??= this.#ctx.store.mail.getBlobBytes(entry.blobId)),
      );
      this.#log.debug(
        { queueId: entry.id, ...result },
        result.removed ? 'removed from queue' : 'attempt recorded',
      );
    } catch (err) {
      // The lease expires and the entry is tried again; repeated failures here end in a hold.
      this.#log.error({ queueId: entry.id, err }, 'recording the attempt failed');
    } finally {
      this.#inFlight.delete(entry.id);
      // Room for one more entry: worth a claim only if the last one stopped for lack of room.
      if (!this.#stopping && !this.#exhausted) this.#track(this.#pump());
    }
  }

  // ------------------------------------------------------------ leases

  #startRenewing(): void {
    if (this.#renewTimer || this.#stopping) return;
    this.#renewTimer = setInterval(() => this.#track(this.#renewLeases()), this.#o.leaseRenewMs);
    this.#renewTimer.unref();
  }

  async #renewLeases(): Promise<void> {
    if (this.#renewing || this.#stopping) return;
    const held = [...this.#inFlight.values()].filter((a) => !a.finishing).map((a) => a.entry.id);
    if (held.length === 0) return;
    this.#renewing = true;
    try {
      const until = new Date(this.#ctx.clock.now().getTime() + this.#ctx.config.queue.lease_s * 1000);
      const renewed = new Set(await this.#ctx.store.queue.renewLeases(this.#o.owner, held, until));
      const lost = held.filter((id) => !renewed.has(id) && this.#inFlight.get(id)?.finishing === false);
      // Taken over by another node after our lease ran out (this process was stalled): we finish what we
      // started, and the other node may send a copy too; there is nothing better to do without the lease.
      if (lost.length > 0) this.#log.warn({ lost: lost.length, queueIds: lost.slice(0, 10) }, 'leases lost');
    } catch (err) {
      this.#log.warn({ err }, 'renewing leases failed; will try again');
    } finally {
      this.#renewing = false;
    }
  }

  // ------------------------------------------------------------ bookkeeping

  #track(task: Promise<void>): void {
    const tracked = task.catch((err: unknown) => this.#log.error({ err }, 'queue task failed'));
    this.#tasks.add(tracked);
    void tracked.finally(() => {
      this.#tasks.delete(tracked);
      this.#checkIdle();
    });
  }

  async #allTasks(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
  }

  #armTimer(): void {
    if (this.#stopping) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), this.#o.pollIntervalMs);
    this.#timer.unref();
  }

  #isIdle(): boolean {
    return (
      !this.#pumping && this.#inFlight.size === 0 && this.#activeSessions === 0 && this.#tasks.size === 0
    );
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters.splice(0);
    for (const w of waiters) w();
  }
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof NotFound)) throw err;
}
