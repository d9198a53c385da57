// A scriptable SMTP server on 127.0.0.1 (port 0) for client and queue tests: replies per command (or the
// defaults of a well-behaved ESMTP server), delays, silence ('hang'), dropping the connection, optional
// STARTTLS with a self-signed certificate, PIPELINING, CHUNKING. Records everything it received.
// Independent of src/smtp/server on purpose: the client is tested against a server we fully control.

import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { generateSelfSigned } from '../../src/net/tls-context.ts';
import { Transport } from '../../src/net/transport.ts';

type Hooked = ReplySpec | undefined | Promise<ReplySpec | undefined>;

/** "250 2.1.0 Ok", multi-line as "250-first\n250 last"; 'drop' closes without reply; 'hang' never answers. */
export type ReplySpec = string | 'drop' | 'hang' | { reply: string; delayMs?: number; thenDrop?: boolean };

export interface ReceivedMessage {
  session: number;
  from: string;
  mailParams: string;
  recipients: string[];
  rcptParams: string[];
  data: Buffer;
  via: 'DATA' | 'BDAT';
  tls: boolean;
}

export interface FakeSession {
  index: number;
  commands: string[];
  tls: boolean;
  ehlo: string | null;
  remotePort: number;
}

export interface FakeSmtpScript {
  name?: string;
  greeting?: ReplySpec;
  /** EHLO keywords after the greeting line. Default: PIPELINING, 8BITMIME, SMTPUTF8, DSN, SIZE 10485760, ENHANCEDSTATUSCODES. */
  extensions?: string[];
  ehlo?: ReplySpec;
  helo?: ReplySpec;
  /** TLS from the first byte (submissions, RFC 8314). */
  implicitTls?: boolean;
  /** Offer STARTTLS (before TLS only). */
  starttls?: boolean;
  /** After the 354 to DATA, stop reading (a server that takes no data: the client's data-block timeout). */
  stallData?: boolean;
  /** After "220 Ready" to STARTTLS, send plain text instead of a TLS handshake (a broken TLS set-up). */
  brokenTls?: boolean;
  starttlsReply?: ReplySpec;
  /** AUTH: the accepted user/password; AUTH offered when set. */
  auth?: { mechanisms: string[]; username: string; password: string };
  mail?: (from: string, params: string, session: FakeSession) => Hooked;
  rcpt?: (to: string, params: string, session: FakeSession) => Hooked;
  data?: (session: FakeSession) => Hooked;
  /** Reply after the final dot / BDAT LAST; the message is recorded only when the reply is 2xx. */
  dataEnd?: (message: ReceivedMessage, session: FakeSession) => Hooked;
  rset?: (session: FakeSession) => Hooked;
}

const DEFAULT_EXTENSIONS = [
  'PIPELINING',
  '8BITMIME',
  'SMTPUTF8',
  'DSN',
  'SIZE 10485760',
  'ENHANCEDSTATUSCODES',
];

let tlsCache: { cert: string; key: string } | null = null;
/** A self-signed pair for 127.0.0.1/localhost, generated once per test process. */
export function testTlsMaterial(): { cert: string; key: string } {
  if (!tlsCache) {
    const dir = mkdtempSync(join(tmpdir(), 'posthorn-fake-smtp-'));
    generateSelfSigned('mx.fake.test', join(dir, 'cert.pem'), join(dir, 'key.pem'));
    tlsCache = {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  }
  return tlsCache;
}

export class FakeSmtpServer extends EventEmitter {
  script: FakeSmtpScript;
  readonly sessions: FakeSession[] = [];
  readonly messages: ReceivedMessage[] = [];
  /** Sessions open right now, and the most ever open at once. */
  open = 0;
  maxOpen = 0;
  #server: net.Server;
  #sockets = new Set<net.Socket>();
  #tlsContext: tls.SecureContext | null = null;

  private constructor(script: FakeSmtpScript) {
    super();
    this.script = script;
    this.#server = net.createServer((socket) => {
      this.#sockets.add(socket);
      this.open++;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        this.open--;
      });
      socket.on('error', () => {});
      this.#session(socket).catch(() => socket.destroy());
    });
  }

  static async start(script: FakeSmtpScript = {}): Promise<FakeSmtpServer> {
    const server = new FakeSmtpServer(script);
    server.#server.listen(0, '127.0.0.1');
    await once(server.#server, 'listening');
    return server;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Resolves when at least n messages have been accepted. */
  async waitForMessages(n: number): Promise<void> {
    while (this.messages.length < n) await once(this, 'message');
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #session(socket: net.Socket): Promise<void> {
    const t = new Transport(socket);
    const session: FakeSession = {
      index: this.sessions.length,
      commands: [],
      tls: false,
      ehlo: null,
      remotePort: socket.remotePort ?? 0,
    };
    this.sessions.push(session);
    const name = this.script.name ?? 'mx.fake.test';
    if (this.script.implicitTls) {
      this.#tlsContext ??= tls.createSecureContext(testTlsMaterial());
      await t.startTlsServer(this.#tlsContext);
      session.tls = true;
    }
    if (!(await this.#reply(t, this.script.greeting ?? `220 ${name} ESMTP fake`))) return;

    let from: string | null = null;
    let mailParams = '';
    let recipients: string[] = [];
    let rcptParams: string[] = [];
    const bdat: Buffer[] = [];
    const resetTransaction = () => {
      from = null;
      mailParams = '';
      recipients = [];
      rcptParams = [];
      bdat.length = 0;
    };

    for (;;) {
      const line = await t.readLine(4096).catch(() => null);
      if (line === null) return;
      const text = line.bytes.toString('utf8');
      session.commands.push(text);
      const verb = text.split(' ')[0]!.toUpperCase();
      const arg = text.slice(verb.length).trim();
      let spec: ReplySpec | undefined;

      const finish = async (data: Buffer, via: 'DATA' | 'BDAT'): Promise<ReplySpec> => {
        const message: ReceivedMessage = {
          session: session.index,
          from: from ?? '',
          mailParams,
          recipients,
          rcptParams,
          data,
          via,
          tls: session.tls,
        };
        const reply = (await this.script.dataEnd?.(message, session)) ?? '250 2.0.0 Ok: queued';
        if (typeof reply !== 'string' || reply.startsWith('2')) {
          if (reply !== 'drop' && reply !== 'hang') {
            this.messages.push(message);
            this.emit('message', message);
          }
        }
        resetTransaction();
        return reply;
      };

      switch (verb) {
        case 'EHLO': {
          session.ehlo = arg;
          resetTransaction();
          const ext = [...(this.script.extensions ?? DEFAULT_EXTENSIONS)];
          if (this.script.starttls && !session.tls) ext.push('STARTTLS');
          if (this.script.auth) ext.push(`AUTH ${this.script.auth.mechanisms.join(' ')}`);
          const lines = [`${name} Hello ${arg}`, ...ext];
          spec =
            this.script.ehlo ??
            lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`).join('\n');
          break;
        }
        case 'HELO':
          session.ehlo = arg;
          spec = this.script.helo ?? `250 ${name}`;
          break;
        case 'STARTTLS': {
          if (!this.script.starttls || session.tls) {
            spec = '502 5.5.1 not offered';
            break;
          }
          spec = this.script.starttlsReply ?? '220 2.0.0 Ready to start TLS';
          if (!(await this.#reply(t, spec))) return;
          if (typeof spec === 'string' && !spec.startsWith('220')) continue;
          if (this.script.brokenTls) {
            t.write('this is not TLS\r\n');
            await t.close();
            return;
          }
          this.#tlsContext ??= tls.createSecureContext(testTlsMaterial());
          await t.startTlsServer(this.#tlsContext);
          session.tls = true;
          session.ehlo = null;
          resetTransaction();
          continue;
        }
        case 'AUTH':
          spec = await this.#auth(t, arg);
          break;
        case 'MAIL': {
          const m = /^FROM:<([^>]*)>\s*(.*)$/i.exec(arg);
          spec =
            (await this.script.mail?.(m?.[1] ?? '', m?.[2] ?? '', session)) ??
            (m ? '250 2.1.0 Ok' : '501 5.5.4 syntax');
          if (m && typeof spec === 'string' && spec.startsWith('250')) {
            from = m[1]!;
            mailParams = m[2]!;
          }
          break;
        }
        case 'RCPT': {
          const m = /^TO:<([^>]*)>\s*(.*)$/i.exec(arg);
          if (from === null) spec = '503 5.5.1 need MAIL';
          else
            spec =
              (await this.script.rcpt?.(m?.[1] ?? '', m?.[2] ?? '', session)) ??
              (m ? '250 2.1.5 Ok' : '501 5.5.4 syntax');
          if (m && typeof spec === 'string' && spec.startsWith('25')) {
            recipients.push(m[1]!);
            rcptParams.push(m[2]!);
          }
          break;
        }
        case 'DATA': {
          if (recipients.length === 0) {
            spec = '554 5.5.1 no valid recipients';
            break;
          }
          const start = (await this.script.data?.(session)) ?? '354 End data with <CR><LF>.<CR><LF>';
          if (!(await this.#reply(t, start))) return;
          if (typeof start === 'string' && !start.startsWith('354')) continue;
          if (this.script.stallData) {
            t.stream.pause();
            await once(t.stream, 'close').catch(() => {});
            return;
          }
          const data = await t.readDotData(50 << 20).catch(() => null);
          if (!data) return;
          spec = await finish(data.data, 'DATA');
          break;
        }
        case 'BDAT': {
          const m = /^(\d+)( LAST)?$/i.exec(arg);
          if (!m) {
            spec = '501 5.5.4 syntax';
            break;
          }
          const chunk = await t.readBytes(Number(m[1]));
          if (!chunk) return;
          bdat.push(chunk);
          if (m[2]) spec = await finish(Buffer.concat(bdat), 'BDAT');
          else spec = `250 2.0.0 ${chunk.length} octets received`;
          break;
        }
        case 'RSET':
          resetTransaction();
          spec = (await this.script.rset?.(session)) ?? '250 2.0.0 Ok';
          break;
        case 'NOOP':
          spec = '250 2.0.0 Ok';
          break;
        case 'QUIT':
          await this.#reply(t, '221 2.0.0 Bye');
          await t.close();
          return;
        default:
          spec = '502 5.5.2 command not recognized';
      }
      if (!(await this.#reply(t, spec))) return;
    }
  }

  async #auth(t: Transport, arg: string): Promise<ReplySpec> {
    const auth = this.script.auth;
    if (!auth) return '502 5.5.1 not offered';
    const [mech, initial] = arg.split(' ');
    let user = '';
    let pass = '';
    if (mech?.toUpperCase() === 'PLAIN') {
      let response = initial;
      if (!response) {
        t.write('334 \r\n');
        response = (await t.readLine(4096))?.bytes.toString() ?? '';
      }
      const fields = Buffer.from(response, 'base64').toString('utf8').split('\0');
      user = fields[1] ?? '';
      pass = fields[2] ?? '';
    } else if (mech?.toUpperCase() === 'LOGIN') {
      t.write(`334 ${Buffer.from('Username:').toString('base64')}\r\n`);
      user = Buffer.from((await t.readLine(4096))?.bytes.toString() ?? '', 'base64').toString('utf8');
      t.write(`334 ${Buffer.from('Password:').toString('base64')}\r\n`);
      pass = Buffer.from((await t.readLine(4096))?.bytes.toString() ?? '', 'base64').toString('utf8');
    } else {
      return '504 5.5.4 mechanism not supported';
    }
    return user === auth.username && pass === auth.password
      ? '235 2.7.0 Authentication successful'
      : '535 5.7.8 bad credentials';
  }

  /** Writes the reply; false when the session must end (dropped or hung). */
  async #reply(t: Transport, spec: ReplySpec): Promise<boolean> {
    if (spec === 'drop') {
      t.destroy();
      return false;
    }
    if (spec === 'hang') {
      await once(t.stream, 'close').catch(() => {});
      return false;
    }
    const { reply, delayMs, thenDrop } =
      typeof spec === 'string' ? { reply: spec, delayMs: 0, thenDrop: false } : spec;
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    t.write(
      reply
        .split('\n')
        .map((l) => l + '\r\n')
        .join(''),
    );
    if (thenDrop) {
      await t.close();
      return false;
    }
    return true;
  }
}
