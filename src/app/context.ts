// What the composition root (app.ts) hands to every service it starts. Services take only what they use.

import type * as tls from 'node:tls';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../storage/ports.ts';

/** Injected time source, so retry schedules and timeouts are tested without waiting. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface AppContext {
  config: Config;
  store: Store;
  log: Logger;
  /** TLS for STARTTLS and implicit-TLS listeners (configured, or self-signed in data_dir). */
  tls: { context: tls.SecureContext; cert: string; key: string };
  clock: Clock;
}

/** A started part of the server (listeners, queue worker); app.ts stops them in reverse order. */
export interface Service {
  name: string;
  stop(): Promise<void>;
}
