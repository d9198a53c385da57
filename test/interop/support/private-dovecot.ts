// A private Dovecot 2.3 for the interop tests (the recipe of scripts/record-dovecot-fixtures.ts, plus TLS and
// an auth socket): IMAP with STARTTLS on one high loopback port, users from a passwd-file, Maildirs under
// `mailRoot`/<user>/ (where a private Postfix's virtual(8) delivers), Sent/Drafts/Trash/Junk created with
// their special-use flags, and an auth socket Postfix can use for SMTP AUTH (Dovecot SASL).
//
// As root, Dovecot's login and internal processes run as dovenull/dovecot and mail is accessed as nobody.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, until, withSbin } from './tools.ts';

export interface DovecotOptions {
  /** user@domain → password */
  users: Record<string, string>;
  mailRoot: string;
  tls: { cert: string; key: string };
  /** uid/gid that owns the Maildirs */
  mailOwner: { uid: number; gid: number };
}

export interface PrivateDovecot {
  port: number;
  /** The UNIX socket for Postfix's smtpd_sasl_path. */
  authSocket: string;
  log(): string;
  stop(): Promise<void>;
}

function config(dir: string, port: number, options: DovecotOptions): string {
  const root = process.getuid?.() === 0;
  const mailbox = (name: string, use: string) =>
    `  mailbox ${name} {\n    special_use = \\${use}\n    auto = create\n  }`;
  return `# Private, temporary Dovecot for Posthorn's interop tests.
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = yes
ssl_cert = <${options.tls.cert}
ssl_key = <${options.tls.key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
${root ? 'default_internal_user = dovecot\ndefault_login_user = dovenull' : ''}
first_valid_uid = 1
mail_location = maildir:${options.mailRoot}/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${options.mailOwner.uid} gid=${options.mailOwner.gid} home=${options.mailRoot}/%n
}
namespace inbox {
  inbox = yes
  separator = /
${mailbox('Sent', 'Sent')}
${mailbox('Drafts', 'Drafts')}
${mailbox('Trash', 'Trash')}
${mailbox('Junk', 'Junk')}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
`;
}

export async function startDovecot(options: DovecotOptions): Promise<PrivateDovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-dovecot-'));
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state']) mkdirSync(join(dir, sub));
  writeFileSync(
    join(dir, 'passwd'),
    Object.entries(options.users)
      .map(([user, password]) => `${user}:{PLAIN}${password}\n`)
      .join(''),
  );
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, config(dir, port, options));
  const log = () =>
    existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '';
  const dovecot: ChildProcess = spawn('dovecot', ['-c', conf, '-F'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: withSbin(),
  });
  let stderr = '';
  dovecot.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = async () => {
    if (dovecot.exitCode === null && dovecot.signalCode === null) {
      dovecot.kill('SIGTERM');
      await once(dovecot, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Ready when imap-login answers with its greeting.
    await until('Dovecot to listen', async () => {
      if (dovecot.exitCode !== null)
        throw new Error(`dovecot exited with ${dovecot.exitCode}: ${stderr}${log()}`);
      return new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('data', (d) => {
          socket.destroy();
          resolve(d.toString().startsWith('* OK'));
        });
        socket.once('error', () => resolve(false));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, authSocket: join(dir, 'run', 'auth-postfix'), log, stop };
}
