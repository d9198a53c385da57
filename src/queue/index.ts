// The outgoing queue: mail for other domains waits here, first come first served, until the delivery worker
// (outbound-queue.ts) hands it to the recipient domain's server over SMTP (src/smtp/client).
//
//   startQueue(ctx, deps) → Service & { wake(), whenIdle() }
//
// Everything outbound is injected (DESIGN.md §3.6): the DNS resolver (default: node:dns with [dns] servers and
// timeout_ms), the SMTP connect function (default: connectSmtp), where DSNs go (default: storeBounceSink:
// local senders get them in their INBOX, remote senders through this queue), and the clock (ctx.clock) for
// every retry time.
//
// Invariants (details in outbound-queue.ts and finalize.ts):
// - FCFS: due entries are claimed oldest first; an entry leaves the queue only when every recipient is final.
// - The attempt count is saved before each attempt; a killed worker's leases expire and delivery resumes
//   with the recipients still pending; an entry whose attempts keep ending without a result is held.
// - 2xx → delivered; 4xx, connection, TLS or DNS trouble → retried with backoff until lifetime_s;
//   5xx → failed with one DSN per failed recipient (never to <>).

import type { AppContext, Service } from '../app/context.ts';
import { createNodeResolver } from '../dns/node-resolver.ts';
import type { Resolver } from '../dns/resolver.ts';
import { connectSmtp, type SmtpConnectFn } from '../smtp/client/connect.ts';
import type { ClientTimeouts } from '../smtp/client/smtp-client.ts';
import { storeBounceSink, type BounceSink } from './bounce-sink.ts';
import { defaultOwner, nodeLeasePrefix, OutboundQueue } from './outbound-queue.ts';

export { OutboundQueue } from './outbound-queue.ts';
export {
  deliveryBounceSink,
  queueBounceSink,
  type AddressRouter,
  type Bounce,
  type BounceSink,
} from './bounce-sink.ts';

export interface QueueDeps {
  resolver?: Resolver;
  connect?: SmtpConnectFn;
  /** Where DSNs go; default storeBounceSink: local senders' INBOX, remote senders through this queue. */
  bounce?: BounceSink;
  /** Override the timeouts derived from config.queue (tests use milliseconds). */
  timeouts?: Partial<ClientTimeouts>;
  /** Look for due entries this often; default 10 s. */
  pollIntervalMs?: number;
  /** Entries in progress at once; default 10 × queue.concurrency. */
  maxInFlight?: number;
  /** Waiting jobs per destination beyond which claims skip its entries; default 10 × per_destination. */
  waitingPerDestination?: number;
  /** Lease owner name; default host:pid:random. */
  owner?: string;
  /** Use BDAT when the server offers CHUNKING (default true). */
  chunking?: boolean;
  /** Random source for MX tie-breaking (tests make it deterministic). */
  random?: () => number;
  stopGraceMs?: number;
  /** Renew the leases of entries in progress this often; default lease_s / 3. */
  leaseRenewMs?: number;
  /** Do not look for due entries at start (tests call wake()). */
  lazyStart?: boolean;
}

export interface QueueService extends Service {
  /** Look for due entries now: call after enqueue (the SMTP server's onQueued hook) or an operator retry. */
  wake(): void;
  /** Resolves when no delivery is in progress and nothing is due (tests). */
  whenIdle(): Promise<void>;
}

export function startQueue(ctx: AppContext, deps: QueueDeps = {}): QueueService {
  const q = ctx.config.queue;
  const timeouts: ClientTimeouts = {
    connectMs: q.connect_timeout_s * 1000,
    greetingMs: q.command_timeout_s * 1000,
    commandMs: q.command_timeout_s * 1000,
    // RFC 5321 §4.5.3.2.4/5: 2 minutes for the 354, 3 minutes per data block, capped by command_timeout_s.
    dataStartMs: Math.min(120, q.command_timeout_s) * 1000,
    dataBlockMs: Math.min(180, q.command_timeout_s) * 1000,
    dataEndMs: q.data_timeout_s * 1000,
    ...deps.timeouts,
  };
  let worker: OutboundQueue | null = null;
  const bounce =
    deps.bounce ??
    storeBounceSink(ctx.store, {
      hostname: ctx.config.hostname,
      clock: ctx.clock,
      log: ctx.log.child({ service: 'queue' }),
      maxReceivedHeaders: ctx.config.smtp.max_received_headers,
      onQueued: () => worker?.wake(),
    });
  const leasePrefix = nodeLeasePrefix(ctx.config.data_dir);
  const owner = deps.owner ?? defaultOwner(leasePrefix);
  worker = new OutboundQueue(ctx, {
    resolver:
      deps.resolver ??
      createNodeResolver({ servers: ctx.config.dns.servers, timeoutMs: ctx.config.dns.timeout_ms }),
    connect: deps.connect ?? connectSmtp,
    bounce,
    timeouts,
    pollIntervalMs: deps.pollIntervalMs ?? 10_000,
    maxInFlight: deps.maxInFlight ?? q.concurrency * 10,
    waitingPerDestination: deps.waitingPerDestination ?? q.per_destination * 10,
    owner,
    chunking: deps.chunking ?? true,
    random: deps.random ?? Math.random,
    stopGraceMs: deps.stopGraceMs ?? 10_000,
    leaseRenewMs: deps.leaseRenewMs ?? Math.max(1000, (q.lease_s * 1000) / 3),
  });
  const w = worker;
  // A restarted node takes back what its previous run had claimed (killed mid-batch) before the first claim.
  const released = deps.owner
    ? Promise.resolve()
    : ctx.store.queue.releaseLeases(leasePrefix, owner).then(
        (n) => {
          if (n > 0)
            ctx.log.info({ service: 'queue', released: n }, 'resumed work claimed by a previous run');
        },
        (err: unknown) =>
          ctx.log.warn({ err, service: 'queue' }, 'could not release leases of a previous run'),
      );
  if (!deps.lazyStart) void released.then(() => w.wake());
  return {
    name: 'queue',
    wake: () => w.wake(),
    whenIdle: () => w.whenIdle(),
    stop: () => w.stop(),
  };
}
