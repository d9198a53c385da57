// A private Dovecot 2.3 for the bench (the recipe of scripts/record-dovecot-fixtures.ts): its own dovecot.conf
// in a temporary directory, `dovecot -F` as our child, IMAP (and optionally LMTP) on 127.0.0.1 high ports,
// no TLS, static passdb/userdb, one Maildir. Process limits are raised for the 5,000-session IDLE figure;
// everything else is Dovecot's default (mail_fsync = optimized: saved mail is fsync'd).
//
// Running as root: Dovecot refuses root for its login process and for mail access, so the login/internal
// services run as the packaged dovenull/dovecot users and the mail user is nobody; the Maildir is written by
// this process and chowned to nobody.

import { execFileSync } from 'node:child_process';
import { chownSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, HOST, startChild, waitForPort } from './processes.ts';

export const DOVECOT_USER = 'bob@bench.test';
export const DOVECOT_PASSWORD = 'bench-password';

interface RunAs {
  loginUser: string;
  internalUser: string;
  mailUid: number;
  mailGid: number;
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) {
    const me = userInfo();
    return { loginUser: me.username, internalUser: me.username, mailUid: me.uid, mailGid: me.gid };
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { loginUser: 'dovenull', internalUser: 'dovecot', mailUid: id('-u'), mailGid: id('-g') };
}

export interface DovecotInstance {
  dir: string;
  mailDir: string;
  as: RunAs;
}

export function prepareDovecot(parent: string, name: string): DovecotInstance {
  const dir = join(parent, name);
  const as = runAs();
  for (const sub of ['run', 'state']) mkdirSync(join(dir, sub), { recursive: true });
  for (const sub of ['mail', 'home']) {
    mkdirSync(join(dir, sub), { recursive: true });
    chownSync(join(dir, sub), as.mailUid, as.mailGid);
  }
  return { dir, mailDir: join(dir, 'mail'), as };
}

function conf(instance: DovecotInstance, imapPort: number, lmtpPort: number | null): string {
  const { dir, as } = instance;
  return `# Written by bench/lib/dovecot.ts; a private, temporary instance.
protocols = imap${lmtpPort ? ' lmtp' : ''}
listen = ${HOST}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${as.internalUser}
default_login_user = ${as.loginUser}
mail_location = maildir:${dir}/mail
postmaster_address = postmaster@bench.test
# Room for the 5,000-session IDLE figure (defaults: 100 processes, 1,000 clients, 10 per user and IP).
default_process_limit = 6000
default_client_limit = 14000
mail_max_userip_connections = 10000
# The default 256 MB address-space cap per process is too small for a mailbox of 1,000,000 messages (--scale).
default_vsz_limit = 2G
passdb {
  driver = static
  args = password=${DOVECOT_PASSWORD}
}
userdb {
  driver = static
  args = uid=${as.mailUid} gid=${as.mailGid} home=${dir}/home
}
# Login processes in "high-performance mode" (each serves many logins) only make logins faster: after login
# a session lives in its own imap process either way, which is what the memory figure counts.
service imap {
  process_limit = 6000
}
service imap-login {
  service_count = 0
  process_min_avail = 2
  inet_listener imap {
    address = ${HOST}
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
${
  lmtpPort
    ? `service lmtp {
  inet_listener lmtp {
    address = ${HOST}
    port = ${lmtpPort}
  }
  unix_listener lmtp {
    mode = 0600
  }
}
`
    : ''
}`;
}

export interface RunningDovecot {
  pid: number;
  imapPort: number;
  lmtpPort: number | null;
  stop(): Promise<void>;
}

export async function startDovecot(
  instance: DovecotInstance,
  options: { lmtp?: boolean } = {},
): Promise<RunningDovecot> {
  const imapPort = await freePort();
  const lmtpPort = options.lmtp ? await freePort() : null;
  const confPath = join(instance.dir, 'dovecot.conf');
  writeFileSync(confPath, conf(instance, imapPort, lmtpPort));
  const { child, stop } = startChild(
    'bash',
    ['-c', 'ulimit -n $(ulimit -Hn); exec dovecot -F -c "$0"', confPath],
    { stdio: ['ignore', 'ignore', 'pipe'], graceMs: 20_000 },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  try {
    await waitForPort(imapPort, 30_000, () => child.exitCode === null);
    if (lmtpPort) await waitForPort(lmtpPort, 30_000, () => child.exitCode === null);
  } catch (error) {
    await stop();
    throw new Error(`dovecot did not start: ${(error as Error).message} ${stderr}`);
  }
  return { pid: child.pid!, imapPort, lmtpPort, stop };
}

// ---------------------------------------------------------------- writing a Maildir directly

export interface MaildirMessage {
  /** CRLF bytes, as Posthorn stores them; written with LF as Dovecot saves (mail_save_crlf = no). */
  bytes: Buffer;
  flags: string[];
  /** Seconds since the epoch, for the file name. */
  time: number;
}

export interface MaildirWriter {
  /** Adds the next message (UID = position, from 1); returns the file name in cur/. */
  add(message: MaildirMessage): string;
  /** Hard-links an already written file of another folder as the next message of this one. */
  link(fromFolder: string, fileName: string): void;
  /** Writes dovecot-uidlist so UIDs match the order of add/link (as Posthorn's). */
  finish(): void;
}

const FLAG_LETTERS: Record<string, string> = {
  '\\Draft': 'D',
  '\\Flagged': 'F',
  '\\Answered': 'R',
  '\\Seen': 'S',
  '\\Deleted': 'T',
};

/** The folder's directory: "" for INBOX, else Maildir++ ".Name". */
export function folderDir(instance: DovecotInstance, folder: string): string {
  return folder === 'INBOX' ? instance.mailDir : join(instance.mailDir, `.${folder}`);
}

export function maildirWriter(instance: DovecotInstance, folder: string): MaildirWriter {
  const root = folderDir(instance, folder);
  const { mailUid, mailGid } = instance.as;
  for (const sub of ['', 'cur', 'new', 'tmp']) {
    mkdirSync(join(root, sub), { recursive: true });
    chownSync(join(root, sub), mailUid, mailGid);
  }
  const bases: string[] = [];
  let n = 0;
  return {
    add(message) {
      n++;
      const lf = Buffer.from(message.bytes.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
      const base = `${message.time}.M${n}P1.bench`;
      const letters = message.flags
        .map((f) => FLAG_LETTERS[f] ?? '')
        .sort()
        .join('');
      const name = `${base},S=${lf.length},W=${message.bytes.length}:2,${letters}`;
      const path = join(root, 'cur', name);
      writeFileSync(path, lf);
      chownSync(path, mailUid, mailGid);
      bases.push(base + `,S=${lf.length},W=${message.bytes.length}`);
      return name;
    },
    link(fromFolder, fileName) {
      n++;
      linkSync(join(folderDir(instance, fromFolder), 'cur', fileName), join(root, 'cur', fileName));
      bases.push(fileName.slice(0, fileName.indexOf(':2,')));
    },
    finish() {
      const uidValidity = 1_700_000_000;
      const lines = [`3 V${uidValidity} N${bases.length + 1}`];
      bases.forEach((base, i) => lines.push(`${i + 1} :${base}`));
      const path = join(root, 'dovecot-uidlist');
      writeFileSync(path, lines.join('\n') + '\n');
      chownSync(path, mailUid, mailGid);
    },
  };
}
