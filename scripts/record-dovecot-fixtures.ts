// Records Dovecot's ENVELOPE / BODYSTRUCTURE / BODY answers for the MIME torture set (test/fixtures/mime/*.eml)
// into test/fixtures/dovecot/<name>.txt, for test/imap-compat/dovecot-structure.test.ts.
//
//   ./node_modules/.bin/node scripts/record-dovecot-fixtures.ts      (or: npx node scripts/record-dovecot-fixtures.ts)
//
// Needs Dovecot 2.3 installed (Debian: apt-get install dovecot-imapd); the test itself does not.
// What it does: writes a private dovecot.conf into a fresh directory under os.tmpdir(), starts `dovecot -F` as a
// child process listening on 127.0.0.1 only, on a free high port (imaps/pop3 disabled, no TLS, static passdb and
// userdb, maildir in the temporary directory), logs in, APPENDs every fixture in name order (message N = Nth
// file), FETCHes 1:* (ENVELOPE BODYSTRUCTURE BODY) in IMAP4rev1 mode (no ENABLE), writes each untagged FETCH
// response, stops Dovecot and removes the directory. Re-running overwrites the fixtures; when neither Dovecot nor
// the .eml files changed, the output is byte-identical.
//
// Fixture format: the exact octets of Dovecot's untagged response `* N FETCH (ENVELOPE … BODYSTRUCTURE … BODY …)`
// through its final CRLF. Literals stay inline exactly as on the wire: `{n}` CRLF followed by the n octets, then
// the rest of the response line. The files are binary-exact (.gitattributes: -text).
//
// Running as root: Dovecot refuses root for its login process and for mail access, so the login/internal
// services run as the packaged `dovenull`/`dovecot` users and the mail user is `nobody`; the temporary
// directory is made world-traversable for that. Otherwise everything runs as the current user.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

const ROOT = join(import.meta.dirname, '..');
const MIME_DIR = join(ROOT, 'test', 'fixtures', 'mime');
const OUT_DIR = join(ROOT, 'test', 'fixtures', 'dovecot');
const HOST = '127.0.0.1';
const USER = 'posthorn';
const PASSWORD = 'posthorn-fixtures';

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

/** A free high port on 127.0.0.1 (asks the kernel, then releases it for Dovecot). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  if (address.port === 143 || address.port === 993 || address.port < 1024) return freePort();
  return address.port;
}

function dovecotConf(dir: string, port: number, as: RunAs): string {
  return `# Written by scripts/record-dovecot-fixtures.ts; private, temporary instance.
protocols = imap
listen = ${HOST}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = ${as.internalUser}
default_login_user = ${as.loginUser}
mail_location = maildir:${dir}/mail
passdb {
  driver = static
  args = password=${PASSWORD}
}
userdb {
  driver = static
  args = uid=${as.mailUid} gid=${as.mailGid} home=${dir}/home
}
service imap-login {
  inet_listener imap {
    address = ${HOST}
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

/** A minimal IMAP client: whole responses (lines with their literals inline) as Buffers. */
class ImapConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #scan = 0;
  #waiter: (() => void) | null = null;
  #closed: Error | null = null;
  #tag = 0;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = new Error('connection closed');
      this.#wake();
    });
    socket.on('error', (error) => {
      this.#closed = error;
      this.#wake();
    });
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /** The next complete response: up to a CRLF that does not announce a literal. */
  async response(): Promise<Buffer> {
    for (;;) {
      const end = this.#completeResponseEnd();
      if (end >= 0) {
        const out = this.#buffer.subarray(0, end);
        this.#buffer = this.#buffer.subarray(end);
        this.#scan = 0;
        return out;
      }
      if (this.#closed) throw this.#closed;
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  #completeResponseEnd(): number {
    for (;;) {
      const crlf = this.#buffer.indexOf('\r\n', this.#scan);
      if (crlf < 0) return -1;
      const line = this.#buffer.subarray(this.#scan, crlf).toString('latin1');
      const literal = /\{(\d+)\+?\}$/.exec(line);
      if (!literal) return crlf + 2;
      const next = crlf + 2 + Number(literal[1]);
      if (this.#buffer.length < next) return -1;
      this.#scan = next;
    }
  }

  /** Sends a command (literals as synchronizing `{n}` with the wait for `+`); returns untagged responses. */
  async command(parts: Array<string | Buffer>): Promise<Buffer[]> {
    const tag = `r${++this.#tag}`;
    const untagged: Buffer[] = [];
    let text = `${tag} `;
    for (const part of parts) {
      if (typeof part === 'string') {
        text += part;
        continue;
      }
      this.#socket.write(`${text}{${part.length}}\r\n`);
      text = '';
      for (;;) {
        const r = await this.response();
        if (r.toString('latin1').startsWith('+')) break;
        if (!r.toString('latin1').startsWith('*')) throw new Error(`literal refused: ${r.toString()}`);
        untagged.push(r);
      }
      this.#socket.write(part);
    }
    this.#socket.write(`${text}\r\n`);
    for (;;) {
      const r = await this.response();
      const s = r.toString('latin1');
      if (s.startsWith(`${tag} `)) {
        if (!s.startsWith(`${tag} OK`)) throw new Error(`command failed: ${s.trim()}`);
        return untagged;
      }
      untagged.push(r);
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

async function connectWhenReady(port: number, dovecot: ChildProcess): Promise<ImapConnection> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (dovecot.exitCode !== null) throw new Error(`dovecot exited with ${dovecot.exitCode}`);
    try {
      const socket = connect(port, HOST);
      await once(socket, 'connect');
      const connection = new ImapConnection(socket);
      const greeting = (await connection.response()).toString('latin1');
      if (!greeting.startsWith('* OK')) throw new Error(`unexpected greeting: ${greeting}`);
      return connection;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      // Polling is fine in a script: Dovecot gives no readiness signal on stdout.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function record(): Promise<void> {
  const version = execFileSync('dovecot', ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('2.3.'))
    console.warn(`warning: fixtures were designed for Dovecot 2.3, found ${version}`);
  const names = readdirSync(MIME_DIR)
    .filter((n) => n.endsWith('.eml'))
    .sort();
  const as = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-dovecot-'));
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state']) mkdirSync(join(dir, sub));
  for (const sub of ['mail', 'home']) {
    mkdirSync(join(dir, sub));
    chownSync(join(dir, sub), as.mailUid, as.mailGid);
  }
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, dovecotConf(dir, port, as));
  const dovecot = spawn('dovecot', ['-c', conf, '-F'], { stdio: ['ignore', 'inherit', 'inherit'] });
  try {
    const imap = await connectWhenReady(port, dovecot);
    await imap.command([`LOGIN ${USER} ${PASSWORD}`]);
    for (const name of names) await imap.command(['APPEND INBOX ', readFileSync(join(MIME_DIR, name))]);
    await imap.command(['SELECT INBOX']);
    const responses = await imap.command(['FETCH 1:* (ENVELOPE BODYSTRUCTURE BODY)']);
    await imap.command(['LOGOUT']).catch(() => undefined);
    imap.close();
    mkdirSync(OUT_DIR, { recursive: true });
    const written = new Set<number>();
    for (const response of responses) {
      const m = /^\* (\d+) FETCH \(ENVELOPE /.exec(response.toString('latin1'));
      if (!m) throw new Error(`unexpected response: ${response.toString('latin1').slice(0, 200)}`);
      const seq = Number(m[1]);
      const name = names[seq - 1];
      if (name === undefined || written.has(seq)) throw new Error(`unexpected FETCH for message ${seq}`);
      writeFileSync(join(OUT_DIR, name.replace(/\.eml$/, '.txt')), response);
      written.add(seq);
    }
    if (written.size !== names.length) throw new Error(`got ${written.size} of ${names.length} messages`);
    writeFileSync(
      join(OUT_DIR, 'RECORDED-WITH'),
      `Dovecot ${version}, IMAP4rev1, maildir, default settings\n`,
    );
    console.log(`recorded ${written.size} fixtures from Dovecot ${version} into ${OUT_DIR}`);
  } catch (error) {
    try {
      console.error(readFileSync(join(dir, 'dovecot.log'), 'utf8'));
    } catch {
      // no log written
    }
    throw error;
  } finally {
    if (dovecot.exitCode === null) {
      dovecot.kill('SIGTERM');
      await once(dovecot, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await record();
