// A queue under test: a store on a fake clock (SQLite in memory, or PostgreSQL with
// POSTHORN_TEST_BACKEND=postgres: test/support/test-store.ts), a static DNS zone whose addresses map to fake
// SMTP servers on loopback, DSNs captured, short client timeouts. Tests enqueue, call run(), move the clock.

import type { AppContext, Clock } from '../../src/app/context.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createStaticResolver, type Zone } from '../../src/dns/static-resolver.ts';
import type { Resolver } from '../../src/dns/resolver.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import { parseMessage } from '../../src/message/parse.ts';
import {
  startQueue,
  type Bounce,
  type BounceSink,
  type QueueDeps,
  type QueueService,
} from '../../src/queue/index.ts';
import { connectSmtp, type SmtpConnectFn } from '../../src/smtp/client/connect.ts';
import { SmtpClientError } from '../../src/smtp/client/errors.ts';
import type { DsnNotify, QueueEntry, Store } from '../../src/storage/ports.ts';
import { openStoreForTest, type StoreForTest } from './test-store.ts';

export class FakeClock implements Clock {
  #t: number;
  constructor(start = Date.UTC(2025, 0, 6, 9, 0, 0)) {
    this.#t = start;
  }
  now(): Date {
    return new Date(this.#t);
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export interface HarnessOptions {
  config?: DeepPartial<Omit<Config, 'source'>>;
  zone?: Zone;
  /** Address in the zone → fake server port. Unmapped addresses refuse connections. */
  ports?: Record<string, number>;
  resolver?: Resolver;
  deps?: Partial<QueueDeps>;
  /** Keep DSNs in `bounces` (default), use this sink, or 'store': the queue's own default (INBOX or queue). */
  bounce?: BounceSink | 'store';
  log?: Logger;
}

export interface MessageSpec {
  from?: string;
  to: Array<string | { address: string; notify?: DsnNotify[]; orcpt?: string | null }>;
  body?: string | Buffer;
  ret?: 'FULL' | 'HDRS' | null;
  envId?: string | null;
  smtputf8?: boolean;
}

export class QueueHarness {
  readonly clock: FakeClock;
  readonly store: Store;
  readonly #opened: StoreForTest;
  readonly config: Config;
  readonly bounces: Bounce[] = [];
  readonly ports: Record<string, number>;
  /** Connection attempts, "address:port", in order. */
  readonly connects: string[] = [];
  readonly queue: QueueService;
  readonly ctx: AppContext;

  /** A harness on a new, empty store of the test backend. */
  static async create(options: HarnessOptions = {}): Promise<QueueHarness> {
    const clock = new FakeClock();
    return new QueueHarness(clock, await openStoreForTest({ now: () => clock.now() }), options);
  }

  private constructor(clock: FakeClock, opened: StoreForTest, options: HarnessOptions) {
    this.clock = clock;
    this.#opened = opened;
    this.store = opened.store;
    this.config = configFromDefaults({ hostname: 'crepes.fr', ...options.config } as never);
    this.ports = { ...options.ports };
    this.ctx = {
      config: this.config,
      store: this.store,
      log: options.log ?? silentLogger(),
      tls: null as unknown as AppContext['tls'], // the queue uses no server TLS
      clock: this.clock,
    };
    const connect: SmtpConnectFn = async (o) => {
      this.connects.push(`${o.host}:${o.port}`);
      if (o.host === '127.0.0.1') return connectSmtp(o); // static routes to loopback
      const port = this.ports[o.host];
      if (port === undefined)
        throw new SmtpClientError(
          'connect',
          'connect',
          `connect to ${o.host}:${o.port} failed: ECONNREFUSED`,
        );
      return connectSmtp({ ...o, host: '127.0.0.1', port });
    };
    this.queue = startQueue(this.ctx, {
      resolver: options.resolver ?? createStaticResolver(options.zone ?? {}),
      connect,
      bounce:
        options.bounce === 'store' ? undefined : (options.bounce ?? (async (b) => void this.bounces.push(b))),
      timeouts: {
        connectMs: 1000,
        greetingMs: 300,
        commandMs: 300,
        dataStartMs: 300,
        dataBlockMs: 300,
        dataEndMs: 300,
      },
      pollIntervalMs: 3_600_000,
      random: () => 0.5,
      lazyStart: true,
      ...options.deps,
    });
  }

  async enqueue(spec: MessageSpec): Promise<QueueEntry> {
    const body = Buffer.isBuffer(spec.body)
      ? spec.body
      : Buffer.from(
          spec.body ??
            'From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: Crêpes\r\n\r\nHello Bob\r\n',
        );
    const parsed = parseMessage(body);
    const blobId = await this.store.mail.putBlob(body, parsed);
    return this.store.queue.enqueue({
      blobId,
      sender: spec.from ?? 'alice@crepes.fr',
      recipients: spec.to.map((r) =>
        typeof r === 'string' ? { address: r, orcpt: null, notify: [] } : { orcpt: null, notify: [], ...r },
      ),
      size: body.length,
      envId: spec.envId ?? null,
      ret: spec.ret ?? null,
      smtputf8: spec.smtputf8 ?? false,
      eightBit: parsed.eightBit,
      nextAttemptAt: this.clock.now(),
    });
  }

  /** Wakes the worker and waits until it has done everything due now. */
  async run(): Promise<void> {
    this.queue.wake();
    await this.queue.whenIdle();
  }

  /** Moves the clock, then runs what became due. */
  async advance(seconds: number): Promise<void> {
    this.clock.advance(seconds * 1000);
    await this.run();
  }

  async entry(id: string): Promise<QueueEntry | null> {
    return this.store.queue.get(id);
  }

  async close(): Promise<void> {
    await this.queue.stop();
    await this.#opened.close();
  }
}

/** Text of a DSN for assertions. */
export function dsnText(b: Bounce): string {
  return b.bytes.toString('utf8');
}
