// The services `posthorn serve` runs, in start order (stopped in reverse). Adding a service is one entry:
// a name, when the configuration wants it, and a start function that returns something with stop().

import { AccountService } from '../accounts/index.ts';
import { startAutoconfig } from '../autoconfig/index.ts';
import type { Config } from '../config/schema.ts';
import { startImapServers } from '../imap/server/index.ts';
import { startQueue } from '../queue/index.ts';
import { startSmtpServers } from '../smtp/server/index.ts';
import type { AppContext, Service } from './context.ts';

/** What services share, made once by app.ts before the first service starts. */
export interface SharedServices {
  accounts: AccountService;
  /** Tells the queue worker that a message was queued; the queue service sets it when it starts. */
  wakeQueue: (queueId: string) => void;
}

export interface ServiceStarter {
  name: string;
  /** False when the configuration leaves the service off (e.g. no listeners configured for it). */
  enabled(config: Config): boolean;
  start(ctx: AppContext, shared: SharedServices): Promise<Service>;
}

export function sharedServices(ctx: AppContext): SharedServices {
  return { accounts: new AccountService(ctx.store.accounts), wakeQueue: () => {} };
}

const queue: ServiceStarter = {
  name: 'queue',
  enabled: () => true,
  async start(ctx, shared) {
    const service = startQueue(ctx);
    shared.wakeQueue = () => service.wake();
    return service;
  },
};

const smtp: ServiceStarter = {
  name: 'smtp',
  enabled: (config) =>
    config.listen.smtp.length + config.listen.submission.length + config.listen.submissions.length > 0,
  start: (ctx, shared) =>
    startSmtpServers(ctx, {
      accounts: shared.accounts,
      onQueued: (id) => shared.wakeQueue(id),
    }),
};

const imap: ServiceStarter = {
  name: 'imap',
  enabled: (config) => config.listen.imap.length + config.listen.imaps.length > 0,
  start: (ctx, shared) => startImapServers(ctx, { accounts: shared.accounts }),
};

const autoconfig: ServiceStarter = {
  name: 'autoconfig',
  enabled: (config) => config.autoconfig.listen.length + config.autoconfig.listen_tls.length > 0,
  start: (ctx) => startAutoconfig(ctx),
};

/** The queue worker first, so mail accepted by the first SMTP session has a worker to go to. */
export const defaultServices: ServiceStarter[] = [queue, smtp, imap, autoconfig];
