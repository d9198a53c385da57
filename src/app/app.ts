// The composition root: from a Config to a running server. Opens the store, loads TLS material, makes
// the logger and context, then starts each service in order; stop() undoes it all in reverse.
// If any step fails, what was already started is stopped again before the error is rethrown.

import type { Config } from '../config/schema.ts';
import { createLogger, type LogOptions, type Logger } from '../log/logger.ts';
import { loadTlsMaterial, type TlsMaterial } from '../net/tls-context.ts';
import { openStore } from '../storage/open.ts';
import type { Store } from '../storage/ports.ts';
import { systemClock, type AppContext, type Clock, type Service } from './context.ts';
import { defaultServices, sharedServices, type ServiceStarter } from './services.ts';

export interface StartAppOptions {
  log?: Logger;
  clock?: Clock;
  /** An already open store (tests); by default the configured one is opened and closed by stop(). */
  store?: Store;
  /** Which services to run; by default every enabled one of `defaultServices`. */
  services?: ServiceStarter[];
}

export interface RunningApp {
  ctx: AppContext;
  tls: TlsMaterial;
  /** Started services, in start order. */
  services: Service[];
  /** Stops the services in reverse order, then closes the store it opened. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startApp(config: Config, options: StartAppOptions = {}): Promise<RunningApp> {
  const log =
    options.log ??
    createLogger({ level: config.log.level, format: config.log.format as LogOptions['format'] });
  const ownsStore = options.store === undefined;
  const store = options.store ?? (await openStore(config, log));
  const started: Service[] = [];
  const undo = async (): Promise<void> => {
    for (const service of [...started].reverse()) {
      try {
        await service.stop();
        log.info({ service: service.name }, 'stopped');
      } catch (err) {
        log.error({ err, service: service.name }, 'service failed to stop cleanly');
      }
    }
    started.length = 0;
    if (ownsStore) await store.close();
  };

  try {
    const tls = loadTlsMaterial({
      cert: config.tls.cert,
      key: config.tls.key,
      dataDir: config.data_dir,
      hostname: config.hostname,
    });
    log.info({ source: tls.source, cert: tls.certPath }, 'TLS certificate');
    const ctx: AppContext = {
      config,
      store,
      log,
      tls: { context: tls.context, cert: tls.cert, key: tls.key },
      clock: options.clock ?? systemClock,
    };
    const shared = sharedServices(ctx);
    for (const starter of options.services ?? defaultServices) {
      if (!starter.enabled(config)) continue;
      started.push(await starter.start(ctx, shared));
      log.debug({ service: starter.name }, 'started');
    }

    let stopping: Promise<void> | undefined;
    return {
      ctx,
      tls,
      services: started,
      stop: () => (stopping ??= undo()),
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
