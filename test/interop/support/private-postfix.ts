// A private Postfix for the interop tests: its own config directory (`postfix -c DIR`), queue and data
// directories under a temporary directory, smtpd on one high loopback port with STARTTLS (a self-signed
// pair), and nothing else listening. Mail for `domain` is delivered by virtual(8) into Maildirs under
// vmail/<user>/ (owned by nobody); mail for the domains in `transport` is relayed over SMTP to the given
// "host:port" (opportunistic TLS). No DNS: the transport map names the next hops as [address]:port.
//
// Needs root (Postfix starts as root and drops to its `postfix` user). stop() ends the master process and
// removes the directory.

import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSelfSigned } from '../../../src/net/tls-context.ts';
import { runOk } from '../../e2e/support/child.ts';
import { freePort, until, withSbin } from './tools.ts';

export interface PostfixOptions {
  hostname: string;
  /** The domain delivered locally (virtual mailboxes). */
  domain: string;
  /** Local parts with a mailbox in `domain`. */
  users: string[];
  /** Recipient domain → "127.0.0.1:port" it is relayed to. */
  transport: Record<string, string>;
  /** smtpd's port (default: a free one). */
  port?: number;
  /** Where virtual(8) keeps the Maildirs (owned by nobody; default: vmail/ in Postfix's directory). */
  mailRoot?: string;
  /** smtpd's TLS pair (default: a self-signed pair for `hostname`). */
  tls?: { cert: string; key: string };
  /** Dovecot's auth socket: smtpd then offers AUTH (after STARTTLS only) and relays for logged-in users. */
  saslPath?: string;
}

export interface PrivatePostfix {
  port: number;
  dir: string;
  /** The Maildir files of a user (new/ and cur/), oldest first. */
  maildir(user: string): Buffer[];
  /** Postfix's own log (maillog_file), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const SERVICES = [
  // service type private unpriv chroot wakeup maxproc command
  'pickup unix n - n 60 1 pickup',
  'cleanup unix n - n - 0 cleanup',
  'qmgr unix n - n 300 1 qmgr',
  'tlsmgr unix - - n 1000? 1 tlsmgr',
  'rewrite unix - - n - - trivial-rewrite',
  'bounce unix - - n - 0 bounce',
  'defer unix - - n - 0 bounce',
  'trace unix - - n - 0 bounce',
  'verify unix - - n - 1 verify',
  'flush unix n - n 1000? 0 flush',
  'proxymap unix - - n - - proxymap',
  'proxywrite unix - - n - 1 proxymap',
  'smtp unix - - n - - smtp',
  'relay unix - - n - - smtp',
  'showq unix n - n - - showq',
  'error unix - - n - - error',
  'retry unix - - n - - error',
  'discard unix - - n - - discard',
  'local unix - n n - - local',
  'virtual unix - n n - - virtual',
  'lmtp unix - - n - - lmtp',
  'anvil unix - - n - 1 anvil',
  'scache unix - - n - 1 scache',
  'postlog unix-dgram n - n - 1 postlogd',
];

const id = (flag: string, user: string) =>
  Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());

export async function startPostfix(options: PostfixOptions): Promise<PrivatePostfix> {
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-postfix-'));
  chmodSync(dir, 0o755); // Postfix's own users must reach the queue and the mailboxes
  const etc = join(dir, 'etc');
  const vmail = options.mailRoot ?? join(dir, 'vmail');
  mkdirSync(etc);
  if (!options.mailRoot) mkdirSync(vmail);
  mkdirSync(join(dir, 'spool'));
  mkdirSync(join(dir, 'lib'));
  chownSync(join(dir, 'lib'), id('-u', 'postfix'), id('-g', 'postfix'));
  const nobody = { uid: id('-u', 'nobody'), gid: id('-g', 'nobody') };
  chownSync(vmail, nobody.uid, nobody.gid);
  const tls = options.tls ?? { cert: join(etc, 'cert.pem'), key: join(etc, 'key.pem') };
  if (!options.tls) generateSelfSigned(options.hostname, tls.cert, tls.key);
  const port = options.port ?? (await freePort());
  const inline = (entries: Array<[string, string]>) =>
    `inline:{ ${entries.map(([k, v]) => `${k}=${v}`).join(', ')} }`;
  const transport = Object.entries(options.transport).map(([domain, hostPort]): [string, string] => {
    const [host, p] = hostPort.split(':');
    return [domain, `smtp:[${host}]:${p}`];
  });
  const main = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'spool'),
    data_directory: join(dir, 'lib'),
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    myhostname: options.hostname,
    mydomain: options.domain,
    myorigin: '$myhostname',
    mydestination: '',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    smtpd_relay_restrictions: 'permit_mynetworks, reject_unauth_destination',
    virtual_mailbox_domains: options.domain,
    virtual_mailbox_base: vmail,
    virtual_mailbox_maps: inline(options.users.map((u) => [`${u}@${options.domain}`, `${u}/`])),
    virtual_uid_maps: `static:${nobody.uid}`,
    virtual_gid_maps: `static:${nobody.gid}`,
    transport_maps: transport.length > 0 ? inline(transport) : '',
    relay_domains: Object.keys(options.transport).join(', '),
    smtp_dns_support_level: 'disabled',
    smtp_host_lookup: 'native',
    smtp_tls_security_level: 'may',
    smtpd_tls_security_level: 'may',
    smtpd_tls_cert_file: tls.cert,
    smtpd_tls_key_file: tls.key,
    ...(options.saslPath
      ? {
          smtpd_sasl_auth_enable: 'yes',
          smtpd_sasl_type: 'dovecot',
          smtpd_sasl_path: options.saslPath,
          smtpd_tls_auth_only: 'yes',
          smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
        }
      : {}),
    smtpd_banner: '$myhostname ESMTP',
    maillog_file: join(dir, 'maillog'),
    maillog_file_prefixes: dir,
    alias_maps: '',
    alias_database: '',
    biff: 'no',
    append_dot_mydomain: 'no',
    delay_warning_time: '0',
    // Retry quickly if the other side is not there yet (it always is in these tests).
    queue_run_delay: '1s',
    minimal_backoff_time: '1s',
    maximal_backoff_time: '2s',
  };
  writeFileSync(
    join(etc, 'main.cf'),
    Object.entries(main)
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n') + '\n',
  );
  writeFileSync(
    join(etc, 'master.cf'),
    [`127.0.0.1:${port} inet n - n - - smtpd`, ...SERVICES].join('\n') + '\n',
  );

  const env = withSbin();
  const pidFile = join(dir, 'spool', 'pid', 'master.pid');
  const masterPid = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : null);
  const alive = (pid: number | null) => {
    if (!pid) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const log = () => (existsSync(join(dir, 'maillog')) ? readFileSync(join(dir, 'maillog'), 'utf8') : '');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const pid = masterPid();
    try {
      await runOk('postfix', ['-c', etc, 'stop'], { env });
      await until('Postfix master to exit', () => !alive(pid), 10_000);
    } catch {
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // `postfix start` waits until the master daemon has initialised (master -w): the port is open after it.
    await runOk('postfix', ['-c', etc, 'start'], { env });
  } catch (err) {
    const detail = `${(err as Error).message}\n${log()}`;
    if (!process.env.KEEP_POSTFIX) await stop();
    throw new Error(detail);
  }
  return {
    port,
    dir,
    maildir(user) {
      const box = join(vmail, user);
      const files = ['new', 'cur'].flatMap((sub) =>
        existsSync(join(box, sub)) ? readdirSync(join(box, sub)).map((f) => join(box, sub, f)) : [],
      );
      // Maildir names start with the delivery time in seconds, then a sequence: sort by name.
      return files.sort().map((f) => readFileSync(f));
    },
    log,
    stop,
  };
}
