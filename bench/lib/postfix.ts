// Private Postfix instances: `postfix -c DIR start` with our own main.cf/master.cf, queue and data
// directories in a temporary directory, listening on 127.0.0.1 high ports only. Its normal queue (cleanup
// fsyncs the queue file before smtpd says 250); what happens after the queue depends on the role:
// - "discard": every accepted message goes to the discard transport (the SMTP accept figure);
// - "relay": messages go by SMTP to a fixed next hop (the outbound figure); with `holdIncoming` every message
//   is put on hold when received, so a full queue can be released at once (`postsuper -H ALL`).
// Logging goes to DIR/maillog through postlogd (Postfix's normal logging, as Posthorn's JSON log).

import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, onCleanup, pollUntil } from './processes.ts';

export interface PostfixSpec {
  name: string;
  role: 'discard' | 'relay';
  /** relay: "127.0.0.1:port" of the next hop. */
  relayHost?: string;
  holdIncoming?: boolean;
  /** Overrides the role's transport, e.g. "lmtp:[127.0.0.1]:24000" (end to end: into Dovecot). */
  transport?: string;
  /** Upper bound on smtpd processes (Postfix's default_process_limit is 100). */
  processLimit?: number;
}

export interface RunningPostfix {
  dir: string;
  port: number;
  masterPid: number;
  /** Messages in the queue (all queue directories), counted on disk. */
  queuedFiles(): number;
  releaseHeld(): void;
  stop(): Promise<void>;
}

function mainCf(dir: string, spec: PostfixSpec): string {
  const transport = spec.transport ?? (spec.role === 'discard' ? 'discard' : 'smtp');
  const lines = [
    '# Written by bench/lib/postfix.ts; a private, temporary instance.',
    'compatibility_level = 3.6',
    'myhostname = postfix.bench.test',
    'mydomain = bench.test',
    'myorigin = $myhostname',
    'mydestination =',
    'relay_domains = bench.test, hamburger.edu, sink.test',
    'mynetworks = 127.0.0.0/8',
    'inet_interfaces = 127.0.0.1',
    'inet_protocols = ipv4',
    `queue_directory = ${dir}/queue`,
    `data_directory = ${dir}/data`,
    'mail_owner = postfix',
    'setgid_group = postdrop',
    `default_transport = ${transport}`,
    `relay_transport = ${transport}`,
    'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
    `maillog_file = ${dir}/maillog`,
    `maillog_file_prefixes = ${dir}`,
    'alias_maps =',
    'alias_database =',
    'biff = no',
    'smtputf8_enable = no',
    `default_process_limit = ${spec.processLimit ?? 100}`,
    'smtpd_client_connection_count_limit = 0',
    'smtpd_client_connection_rate_limit = 0',
    'smtpd_client_message_rate_limit = 0',
    // Without DNS, like Posthorn's static route: the next hop is an address, looked up by nobody.
    'smtp_host_lookup = native',
    'disable_dns_lookups = yes',
  ];
  if (spec.relayHost) lines.push(`relayhost = [${spec.relayHost.replace(/:(\d+)$/, ']:$1')}`);
  if (spec.holdIncoming) lines.push('smtpd_data_restrictions = check_client_access static:HOLD');
  return lines.join('\n') + '\n';
}

function masterCf(port: number): string {
  return `# Written by bench/lib/postfix.ts: the Debian master.cf services the bench needs, no chroot.
127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;
}

export async function startPostfix(parent: string, spec: PostfixSpec): Promise<RunningPostfix> {
  if (process.getuid?.() !== 0) throw new Error('the Postfix anchor needs root (postfix start)');
  const dir = join(parent, spec.name);
  const port = await freePort();
  for (const sub of ['conf', 'queue', 'data']) mkdirSync(join(dir, sub), { recursive: true });
  chownSync(join(dir, 'data'), Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' })), 0);
  writeFileSync(join(dir, 'conf', 'main.cf'), mainCf(dir, spec));
  writeFileSync(join(dir, 'conf', 'master.cf'), masterCf(port));
  const conf = join(dir, 'conf');
  let masterPid = 0;
  try {
    execFileSync('postfix', ['-c', conf, 'start'], { stdio: 'pipe', timeout: 60_000 });
  } catch (error) {
    throw new Error(`postfix did not start: ${(error as Error).message}\n${readLog(dir)}`);
  }
  const stop = onCleanup(async () => {
    try {
      execFileSync('postfix', ['-c', conf, 'stop'], { stdio: 'ignore', timeout: 60_000 });
    } catch {
      // already stopped
    }
    // `postfix stop` returns before the master is gone; wait for it.
    await pollUntil(() => !pidAlive(masterPid), 20_000, 100);
  });
  const pidFile = join(dir, 'queue', 'pid', 'master.pid');
  const found = await pollUntil(
    () => {
      try {
        masterPid = Number(readFileSync(pidFile, 'latin1').trim());
        return masterPid > 0;
      } catch {
        return false;
      }
    },
    20_000,
    100,
  );
  if (!found) {
    await stop();
    throw new Error(`postfix master did not write ${pidFile}\n${readLog(dir)}`);
  }
  return {
    dir,
    port,
    masterPid,
    queuedFiles: () => countQueue(join(dir, 'queue')),
    releaseHeld: () => {
      // -H moves held mail to the deferred queue; the flush makes the queue manager take it now.
      execFileSync('postsuper', ['-c', conf, '-H', 'ALL'], { stdio: 'ignore', timeout: 60_000 });
      execFileSync('postqueue', ['-c', conf, '-f'], { stdio: 'ignore', timeout: 60_000 });
    },
    stop,
  };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function countQueue(queueDir: string): number {
  // `postqueue -p` would count too but costs a showq round trip; the queue directories are hashed one level.
  let n = 0;
  for (const q of ['incoming', 'active', 'deferred', 'hold', 'maildrop']) {
    n += countFiles(join(queueDir, q));
  }
  return n;
}

function countFiles(dir: string): number {
  let n = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
    }
  } catch {
    // missing directory
  }
  return n;
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'maillog'), 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no maillog)';
  }
}
