// The services `posthorn serve` runs, in start order (stopped in reverse). Adding a service is one entry:
// a name, when the configuration wants it, and a start function that returns something with stop().

import type { Config } from '../config/schema.ts';
import type { AppContext, Service } from './context.ts';

export interface ServiceStarter {
  name: string;
  /** False when the configuration leaves the service off (e.g. no listeners configured for it). */
  enabled(config: Config): boolean;
  start(ctx: AppContext): Promise<Service>;
}

/** Listeners come after the queue worker so mail accepted at once has a worker to go to. */
export const defaultServices: ServiceStarter[] = [];
