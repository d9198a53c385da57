// Posthorn instances for the bench: a data directory with a TOML config (its normal configuration, SQLite
// with synchronous=FULL, plus the bench's loopback ports and raised connection limits), the store prepared
// in this process before the server starts, and the server in its own process (bench/posthorn-server.ts).

import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, TEST_ARGON2 } from '../../src/accounts/index.ts';
import type { AccountId, Store } from '../../src/storage/ports.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';
import { freePort, startChild } from './processes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');

export const PASSWORD = 'bench-password';

export interface PosthornSpec {
  name: string;
  hostname: string;
  /** Which listeners to open (each on a free port). */
  listeners: Array<'smtp' | 'submissions' | 'imap'>;
  routes?: Record<string, string>;
  /** Extra TOML lines appended to the config. */
  extra?: string;
}

export interface PosthornInstance {
  dir: string;
  configPath: string;
  dbPath: string;
  ports: Partial<Record<'smtp' | 'submissions' | 'imap', number>>;
}

export async function preparePosthorn(parent: string, spec: PosthornSpec): Promise<PosthornInstance> {
  const dir = join(parent, spec.name);
  mkdirSync(dir, { recursive: true });
  const ports: PosthornInstance['ports'] = {};
  for (const l of spec.listeners) ports[l] = await freePort();
  const list = (l: 'smtp' | 'submissions' | 'imap') => (ports[l] ? `["127.0.0.1:${ports[l]}"]` : '[]');
  const routes = Object.entries(spec.routes ?? {})
    .map(([domain, hop]) => `"${domain}" = "${hop}"`)
    .join('\n');
  const toml = `# Written by bench/lib/posthorn.ts for one bench run.
hostname = "${spec.hostname}"
data_dir = "${dir}"

[listen]
smtp = ${list('smtp')}
submission = []
submissions = ${list('submissions')}
imap = ${list('imap')}
imaps = []

[log]
level = "info"
format = "json"

[smtp]
max_connections = 6000
max_connections_per_ip = 6000

[imap]
max_connections = 6000
max_connections_per_ip = 6000

[auth]
# No DNS on a loopback bench (SPF/DKIM/DMARC lookups would time out); Postfix checks none by default either.
verify_inbound = false

[routes]
${routes}
${spec.extra ?? ''}
`;
  const configPath = join(dir, 'posthorn.toml');
  writeFileSync(configPath, toml);
  return { dir, configPath, dbPath: join(dir, 'posthorn.db'), ports };
}

/** Opens the instance's store in this process (before the server runs) to add domains, accounts, messages. */
export function openPosthornStore(instance: PosthornInstance): SqliteStore {
  return SqliteStore.open({ path: instance.dbPath });
}

export async function addAccount(store: Store, address: string): Promise<AccountId> {
  const domain = address.slice(address.indexOf('@') + 1);
  if (!(await store.accounts.getDomain(domain))) await store.accounts.addDomain(domain);
  const account = await store.accounts.addAccount(address, await hashPassword(PASSWORD, TEST_ARGON2));
  return account.id;
}

export interface RunningPosthorn {
  pid: number;
  ports: PosthornInstance['ports'];
  logPath: string;
  /** SIGUSR2: wake the queue worker. */
  wakeQueue(): void;
  stop(): Promise<void>;
}

export async function startPosthorn(
  instance: PosthornInstance,
  options: { profileDir?: string } = {},
): Promise<RunningPosthorn> {
  const logPath = join(instance.dir, 'posthorn.log');
  const logFd = openSync(logPath, 'a');
  const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  // ulimit: 5,000 IDLE sessions need more descriptors than the usual 1,024 (raised up to the hard limit).
  const script = join(ROOT, 'bench', 'posthorn-server.ts');
  const command = `ulimit -n $(ulimit -Hn); exec "$0" "$@"`;
  const { child, stop } = startChild(
    'bash',
    ['-c', command, NODE, ...nodeArgs, script, instance.configPath],
    {
      stdio: ['ignore', logFd, 'pipe'],
      cwd: ROOT,
      graceMs: 20_000,
    },
  );
  closeSync(logFd);
  let stderr = '';
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`posthorn did not start in 60 s: ${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const m = /^READY (.*)$/m.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`posthorn exited with ${code}: ${stderr}\n${tail(logPath)}`));
    });
  });
  JSON.parse(ready);
  return {
    pid: child.pid!,
    ports: instance.ports,
    logPath,
    wakeQueue: () => child.kill('SIGUSR2'),
    stop,
  };
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}
