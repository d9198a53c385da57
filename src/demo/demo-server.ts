// One Posthorn server of the demo: a whole app (startApp with the usual services) for one domain, on
// loopback port 0, with its data in a fresh temporary directory that stop() removes again. The queue gets an
// SMTP connect function from the caller, so the narrator sees the next hop chosen and the session opened.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../accounts/index.ts';
import { startApp, type RunningApp } from '../app/app.ts';
import { listeningAddresses, type ListenerName } from '../app/listening.ts';
import { defaultServices, type ServiceStarter } from '../app/services.ts';
import { configFromDefaults } from '../config/load.ts';
import type { RouteSpec } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { parseHostPort, type HostPort } from '../net/host-port.ts';
import { startQueue } from '../queue/index.ts';
import { connectSmtp, type SmtpConnectFn } from '../smtp/client/connect.ts';

export interface DemoServerOptions {
  domain: string;
  hostname: string;
  listeners: ListenerName[];
  routes?: Record<string, RouteSpec>;
  log: Logger;
  /** How the queue reaches other servers (default connectSmtp). */
  connect?: SmtpConnectFn;
}

export interface DemoServer {
  domain: string;
  hostname: string;
  app: RunningApp;
  accounts: AccountService;
  dataDir: string;
  /** The first bound address of each listener. */
  address(name: ListenerName): HostPort;
  stop(): Promise<void>;
}

const ALL_LISTENERS: ListenerName[] = ['smtp', 'submission', 'submissions', 'imap', 'imaps'];

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `posthorn-demo-${options.domain}-`));
  const listen = Object.fromEntries(
    ALL_LISTENERS.map((name) => [name, options.listeners.includes(name) ? ['127.0.0.1:0'] : []]),
  );
  const config = configFromDefaults({
    hostname: options.hostname,
    data_dir: dataDir,
    listen,
    routes: options.routes ?? {},
    log: { level: 'debug' },
    // The demo's domains exist only here: no SPF/DKIM/DMARC lookups in the public DNS.
    auth: { verify_inbound: false },
  });
  const queue: ServiceStarter = {
    name: 'queue',
    enabled: () => true,
    async start(ctx, shared) {
      const service = startQueue(ctx, { connect: options.connect ?? connectSmtp });
      shared.wakeQueue = () => service.wake();
      return service;
    },
  };
  let app: RunningApp;
  try {
    app = await startApp(config, {
      log: options.log,
      services: [queue, ...defaultServices.filter((s) => s.name !== 'queue')],
    });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const accounts = new AccountService(app.ctx.store.accounts);
  await accounts.addDomain(options.domain);
  const listening = listeningAddresses(app);
  return {
    domain: options.domain,
    hostname: options.hostname,
    app,
    accounts,
    dataDir,
    address(name) {
      const first = listening[name][0];
      if (first === undefined) throw new Error(`${options.domain} has no ${name} listener`);
      return parseHostPort(first);
    },
    async stop() {
      try {
        await app.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
