// A whole Posthorn node (startApp: queue worker, SMTP, IMAP) for multi-node tests, in this process or as a
// child process that a test can SIGKILL. The child prints its bound addresses as one JSON line on stdout
// ({"smtp":[{host,port}],…,"imap":[…]}), logs to stderr, and stops cleanly on SIGTERM.
//
//   ./node_modules/.bin/node test/support/node-process.ts CONFIG [--poll-ms N] [--owner NAME]

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { stringify } from 'smol-toml';
import type { ImapServers } from '../../src/imap/server/index.ts';
import { startApp, type RunningApp } from '../../src/app/app.ts';
import { defaultServices, type ServiceStarter } from '../../src/app/services.ts';
import { configFromDefaults, loadConfig } from '../../src/config/load.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log/logger.ts';
import type { HostPort } from '../../src/net/host-port.ts';
import { startQueue, type QueueService } from '../../src/queue/index.ts';
import type { SmtpServers } from '../../src/smtp/server/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface TestNodeSettings {
  hostname: string;
  dataDir: string;
  /** PostgreSQL URL of the shared store. */
  storageUrl: string;
  routes?: Record<string, string>;
  /** queue.lease_s (10 at least). */
  leaseS?: number;
  /** Other [queue] settings. */
  queue?: Record<string, number>;
}

/** The configuration of a test node: SMTP (MX) and IMAP on 127.0.0.1 port 0, no DNS, no delays. */
export function testNodeConfig(settings: TestNodeSettings) {
  return {
    hostname: settings.hostname,
    data_dir: settings.dataDir,
    storage: { backend: 'postgres', url: settings.storageUrl },
    listen: { smtp: ['127.0.0.1:0'], submission: [], submissions: [], imap: ['127.0.0.1:0'], imaps: [] },
    routes: settings.routes ?? {},
    queue: { lease_s: settings.leaseS ?? 900, ...settings.queue },
    auth: { verify_inbound: false, dkim_sign: false },
    smtp: { auth_failure_delay_ms: 0 },
    imap: { auth_failure_delay_ms: 0 },
    log: { level: 'warn' },
  };
}

export interface QueueTuning {
  /** How often the worker looks for due entries (the default 10 s is long for a test). */
  pollIntervalMs: number;
  /** The lease owner name, to tell the nodes' claims apart. */
  owner: string;
}

/** startApp's services with the queue worker tuned; the worker is started first, as in defaultServices. */
export function testNodeServices(tuning: QueueTuning): ServiceStarter[] {
  return defaultServices.map((starter) =>
    starter.name !== 'queue'
      ? starter
      : {
          ...starter,
          async start(ctx, shared) {
            const service = startQueue(ctx, tuning);
            shared.wakeQueue = () => service.wake();
            return service;
          },
        },
  );
}

export interface NodeAddresses {
  smtp: HostPort[];
  imap: HostPort[];
}

export function nodeAddresses(app: RunningApp): NodeAddresses {
  const smtp = app.services.find((s) => s.name === 'smtp') as SmtpServers;
  const imap = app.services.find((s) => s.name === 'imap') as ImapServers;
  return { smtp: smtp.addresses.smtp, imap: imap.addresses.imap };
}

export function nodeQueue(app: RunningApp): QueueService {
  return app.services.find((s) => s.name === 'queue') as QueueService;
}

/** A node in this process. */
export async function startTestNode(
  settings: TestNodeSettings,
  tuning: QueueTuning,
  log: Logger = silentLogger(),
): Promise<RunningApp> {
  return startApp(configFromDefaults(testNodeConfig(settings) as never), {
    log,
    services: testNodeServices(tuning),
  });
}

export interface NodeProcess {
  child: ChildProcess;
  addresses: NodeAddresses;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A node in a child process, from a configuration file written into its data directory. */
export async function startNodeProcess(
  settings: TestNodeSettings,
  tuning: QueueTuning,
): Promise<NodeProcess> {
  const configFile = join(settings.dataDir, 'posthorn.toml');
  writeFileSync(configFile, stringify(testNodeConfig(settings)));
  const child = spawn(
    join(ROOT, 'node_modules', '.bin', 'node'),
    [
      'test/support/node-process.ts',
      configFile,
      '--poll-ms',
      String(tuning.pollIntervalMs),
      '--owner',
      tuning.owner,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then((e) => {
      throw new Error(`node process exited early (${JSON.stringify(e)}):\n${stderr}`);
    }),
  ]);
  return { child, addresses: JSON.parse(first) as NodeAddresses, stderr: () => stderr, exited };
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'poll-ms': { type: 'string', default: '200' }, owner: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('usage: node-process.ts CONFIG [--poll-ms N] [--owner NAME]\n');
    process.exit(2);
  }
  const config = loadConfig(file);
  const log = createLogger({ level: config.log.level, format: 'json', destination: process.stderr });
  const app = await startApp(config, {
    log,
    services: testNodeServices({
      pollIntervalMs: Number(values['poll-ms']),
      owner: values.owner ?? `node:${process.pid}`,
    }),
  });
  process.stdout.write(JSON.stringify(nodeAddresses(app)) + '\n');
  process.once('SIGTERM', () => {
    void app.stop().then(() => process.exit(0));
  });
}

if (import.meta.main) await main();
