// SmtpClient: one SMTP session seen from the client side (RFC 5321), over a Transport.
// Used by the queue (MX delivery, port 25, opportunistic STARTTLS) and by the MUA (submission with AUTH,
// STARTTLS or implicit TLS). connect.ts opens it; transaction.ts sends messages through it.
//
// Invariants:
// - Every reply is awaited with the timeout of its phase (RFC 5321 §4.5.3.2); a timeout ends the session.
// - Buffered input is discarded at the TLS transition (Transport does it; RFC 3207 §4.2) and EHLO is
//   sent again afterwards, forgetting what was learnt before TLS.
// - After a 421 reply, a timeout or a lost connection the client is no longer `usable`.

import * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import { LineTooLong, TransportClosed, TransportTimeout, type Transport } from '../../net/transport.ts';
import { createClientMechanism, encodeSaslBase64, decodeSaslBase64 } from '../../sasl/index.ts';
import { parseEhloExtensions } from '../wire/client-command.ts';
import { formatReply, ReplyParser, ReplySyntaxError, type SmtpReply } from '../wire/reply-parser.ts';
import { SmtpClientError, type SmtpPhase } from './errors.ts';

/** RFC 5321 §4.5.3.2 timeouts, in milliseconds. */
export interface ClientTimeouts {
  /** TCP connection and TLS handshake. */
  connectMs: number;
  /** Initial 220 greeting (§4.5.3.2.1: 5 minutes). */
  greetingMs: number;
  /** EHLO, STARTTLS, AUTH, MAIL (§4.5.3.2.2), RCPT (§4.5.3.2.3), RSET, QUIT: 5 minutes. */
  commandMs: number;
  /** DATA initiation, waiting for 354 (§4.5.3.2.4: 2 minutes). */
  dataStartMs: number;
  /** Each block of data written (§4.5.3.2.5: 3 minutes). */
  dataBlockMs: number;
  /** Reply after the final dot or BDAT LAST (§4.5.3.2.6: 10 minutes). */
  dataEndMs: number;
}

export const RFC5321_TIMEOUTS: ClientTimeouts = {
  connectMs: 30_000,
  greetingMs: 300_000,
  commandMs: 300_000,
  dataStartMs: 120_000,
  dataBlockMs: 180_000,
  dataEndMs: 600_000,
};

export interface SmtpCredentials {
  username: string;
  password: string;
  /** Mechanisms to try, in order of preference, among those the server offers. */
  mechanisms?: readonly string[];
}

export interface SmtpClientOptions {
  /** Name sent in EHLO/HELO. */
  localName: string;
  timeouts: ClientTimeouts;
  log?: Logger;
  /** Longest reply line accepted, in octets (RFC 5321 §4.5.3.1.5 says 512; servers send longer). */
  maxReplyLine?: number;
}

export interface TlsInfo {
  protocol: string | null;
  cipher: string | null;
  /** The certificate verified against the trust store and the name. */
  authorized: boolean;
}

const DEFAULT_MAX_REPLY_LINE = 4096;

export class SmtpClient {
  readonly transport: Transport;
  readonly options: SmtpClientOptions;
  #parser = new ReplyParser();
  #extensions = new Map<string, string[]>();
  #greeting: SmtpReply | null = null;
  #esmtp = false;
  #tls: TlsInfo | null = null;
  #usable = true;
  #remote: string;

  constructor(transport: Transport, options: SmtpClientOptions) {
    this.transport = transport;
    this.options = options;
    const address = transport.remoteAddress;
    this.#remote = `${address.includes(':') ? `[${address}]` : address}:${transport.remotePort}`;
  }

  // ------------------------------------------------------------ what we know about the server

  get greeting(): SmtpReply | null {
    return this.#greeting;
  }
  /** EHLO keywords (upper-case) → parameters; empty after HELO. */
  get extensions(): ReadonlyMap<string, string[]> {
    return this.#extensions;
  }
  supports(keyword: string): boolean {
    return this.#extensions.has(keyword.toUpperCase());
  }
  /** SIZE limit the server announced (RFC 1870), or null when none or 0 (no fixed limit). */
  get maxSize(): number | null {
    const value = Number(this.#extensions.get('SIZE')?.[0] ?? '0');
    return Number.isFinite(value) && value > 0 ? value : null;
  }
  get esmtp(): boolean {
    return this.#esmtp;
  }
  get tls(): TlsInfo | null {
    return this.#tls;
  }
  get secure(): boolean {
    return this.transport.secure;
  }
  /** False once the session cannot carry another transaction (421, timeout, lost connection, QUIT). */
  get usable(): boolean {
    return this.#usable && !this.transport.closed;
  }
  /** "address:port" of the server, as connected (kept across the TLS upgrade). */
  get remote(): string {
    return this.#remote;
  }

  // ------------------------------------------------------------ reading and writing

  /** Reads one complete reply within `timeoutMs`. A 421 marks the session unusable (RFC 5321 §3.8). */
  async readReply(phase: SmtpPhase, timeoutMs: number): Promise<SmtpReply> {
    this.transport.setIdleTimeout(timeoutMs);
    for (;;) {
      let line;
      try {
        line = await this.transport.readLine(this.options.maxReplyLine ?? DEFAULT_MAX_REPLY_LINE);
      } catch (err) {
        throw this.#fail(err, phase, timeoutMs);
      }
      if (line === null) {
        throw this.#broken(
          new SmtpClientError('closed', phase, `connection closed by ${this.remote} during ${phase}`),
        );
      }
      const text = line.bytes.toString('utf8');
      this.options.log?.trace({ dir: 'S' }, text);
      let reply: SmtpReply | null;
      try {
        reply = this.#parser.push(text);
      } catch (err) {
        throw this.#broken(new SmtpClientError('protocol', phase, (err as ReplySyntaxError).message));
      }
      if (reply) {
        if (reply.code === 421) this.#usable = false;
        return reply;
      }
    }
  }

  /** Queues output; `secret` lines are logged masked (AUTH). */
  write(data: string | Buffer, secret = false): void {
    if (this.options.log?.isLevelEnabled('trace')) {
      if (Buffer.isBuffer(data)) this.options.log.trace({ dir: 'C' }, `<${data.length} octets>`);
      else
        for (const l of data.split('\r\n').filter((x) => x !== ''))
          this.options.log.trace({ dir: 'C' }, secret ? maskAuth(l) : l);
    }
    this.transport.write(data);
  }

  /**
   * Writes a block of data and waits until the stream has taken it, within `timeoutMs` (a server that
   * stops reading). Uses the write callback: Transport.drain() waits for 'drain', which never comes
   * when the write did not fill the buffer.
   */
  async writeBlock(data: Buffer, phase: SmtpPhase, timeoutMs: number): Promise<void> {
    this.options.log?.trace({ dir: 'C' }, `<${data.length} octets>`);
    let timer: NodeJS.Timeout | undefined;
    const stream = this.transport.stream;
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          if (!stream.writable) reject(new TransportClosed('stream not writable'));
          else stream.write(data, (err) => (err ? reject(new TransportClosed(err.message)) : resolve()));
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new TransportTimeout(`output not taken for ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      if (err instanceof TransportTimeout) {
        // RFC 5321 §4.5.3.2.5: the server stopped taking data (a data block, not a reply, timed out).
        this.transport.destroy();
        throw this.#broken(
          new SmtpClientError('timeout', phase, `${this.remote} took no data for ${timeoutMs} ms`),
        );
      }
      throw this.#fail(err, phase, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  async command(
    line: string,
    phase: SmtpPhase,
    timeoutMs = this.options.timeouts.commandMs,
    secret = false,
  ): Promise<SmtpReply> {
    this.write(line + '\r\n', secret);
    return this.readReply(phase, timeoutMs);
  }

  // ------------------------------------------------------------ session set-up

  /** RFC 5321 §3.1: the server speaks first; anything but 220 ends the session here. */
  async readGreeting(): Promise<SmtpReply> {
    const reply = await this.readReply('greeting', this.options.timeouts.greetingMs);
    this.#greeting = reply;
    if (reply.code !== 220) {
      await this.quit();
      throw this.#broken(this.#replyError('greeting', reply));
    }
    return reply;
  }

  /** EHLO, falling back to HELO when the server does not know EHLO (RFC 5321 §4.1.4). */
  async hello(): Promise<void> {
    const name = this.options.localName;
    const ehlo = await this.command(`EHLO ${name}`, 'ehlo');
    if (ehlo.code === 250) {
      this.#esmtp = true;
      this.#extensions = parseEhloExtensions(ehlo);
      return;
    }
    if (ehlo.code === 421 || !(ehlo.code >= 500 && ehlo.code <= 504))
      throw this.#broken(this.#replyError('ehlo', ehlo));
    const helo = await this.command(`HELO ${name}`, 'helo');
    if (helo.code !== 250) throw this.#broken(this.#replyError('helo', helo));
    this.#esmtp = false;
    this.#extensions = new Map();
  }

  /**
   * RFC 3207 STARTTLS, then EHLO again. Returns false when the server answers 454 (TLS unavailable now);
   * the session stays usable in plain text and the caller decides whether that is acceptable.
   */
  async startTls(options: tls.ConnectionOptions): Promise<boolean> {
    const reply = await this.command('STARTTLS', 'starttls');
    if (reply.code !== 220) {
      if (reply.code === 421) throw this.#broken(this.#replyError('starttls', reply));
      return false;
    }
    await this.upgradeToTls(options);
    this.#extensions = new Map();
    await this.hello();
    return true;
  }

  /** TLS handshake on the current connection (after STARTTLS's 220, or at once for implicit TLS). */
  async upgradeToTls(options: tls.ConnectionOptions): Promise<void> {
    const servername =
      options.servername && net.isIP(options.servername) === 0 ? options.servername : undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.options.timeouts.connectMs;
    try {
      const handshake = this.transport.startTlsClient({ ...options, servername });
      const socket = await Promise.race([
        handshake,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new TransportTimeout(`TLS handshake took over ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      this.#tls = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher()?.name ?? null,
        authorized: socket.authorized,
      };
    } catch (err) {
      this.transport.destroy();
      if (err instanceof TransportTimeout)
        throw this.#broken(new SmtpClientError('timeout', 'tls', err.message));
      throw this.#broken(
        new SmtpClientError(
          'tls',
          'tls',
          `TLS handshake with ${this.remote} failed: ${(err as Error).message}`,
        ),
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** RFC 4954 AUTH with the first preferred mechanism the server offers (PLAIN, LOGIN). */
  async authenticate(credentials: SmtpCredentials): Promise<void> {
    const offered = this.#extensions.get('AUTH') ?? [];
    const mechanism = createClientMechanism(
      offered,
      { authcid: credentials.username, password: credentials.password },
      credentials.mechanisms ?? ['PLAIN', 'LOGIN'],
    );
    if (!mechanism) {
      const what = offered.length > 0 ? `offers only ${offered.join(' ')}` : 'offers no AUTH';
      throw new SmtpClientError('unsupported', 'auth', `${this.remote} ${what}`, { status: '5.7.4' });
    }
    const initial = mechanism.initialResponse();
    let reply = await this.command(
      initial ? `AUTH ${mechanism.name} ${encodeSaslBase64(initial, '=')}` : `AUTH ${mechanism.name}`,
      'auth',
      undefined,
      true,
    );
    for (let rounds = 0; reply.code === 334 && rounds < 10; rounds++) {
      const challenge = decodeSaslBase64(reply.lines[0] ?? '');
      if (challenge === null) {
        reply = await this.command('*', 'auth'); // cancel (RFC 4954 §4)
        break;
      }
      reply = await this.command(encodeSaslBase64(mechanism.respond(challenge)), 'auth', undefined, true);
    }
    if (reply.code !== 235) throw this.#replyError('auth', reply);
  }

  // ------------------------------------------------------------ between and after transactions

  /** RSET between messages on one session (RFC 5321 §4.1.1.5). */
  async reset(): Promise<void> {
    const reply = await this.command('RSET', 'rset');
    if (reply.code !== 250) throw this.#broken(this.#replyError('rset', reply));
  }

  /** QUIT and close; never throws. */
  async quit(): Promise<void> {
    if (!this.transport.closed) {
      try {
        await this.command('QUIT', 'quit', Math.min(this.options.timeouts.commandMs, 10_000));
      } catch {
        // The server may close without replying; we are done either way.
      }
    }
    this.#usable = false;
    await this.transport.close();
  }

  destroy(): void {
    this.#usable = false;
    this.transport.destroy();
  }

  // ------------------------------------------------------------ internals

  /** Marks the session unusable and returns the error (for `throw this.#broken(...)`). */
  #broken(err: SmtpClientError): SmtpClientError {
    this.#usable = false;
    return err;
  }

  markBroken(): void {
    this.#usable = false;
  }

  #replyError(phase: SmtpPhase, reply: SmtpReply): SmtpClientError {
    return new SmtpClientError(
      'reply',
      phase,
      `${this.remote} said: ${formatReply(reply)} (in reply to ${phaseCommand(phase)})`,
      {
        reply,
      },
    );
  }

  #fail(err: unknown, phase: SmtpPhase, timeoutMs: number): SmtpClientError {
    this.transport.destroy();
    if (err instanceof TransportTimeout) {
      return this.#broken(
        new SmtpClientError(
          'timeout',
          phase,
          `${this.remote}: no reply to ${phaseCommand(phase)} within ${timeoutMs} ms`,
        ),
      );
    }
    if (err instanceof LineTooLong)
      return this.#broken(new SmtpClientError('protocol', phase, `reply line too long from ${this.remote}`));
    if (err instanceof TransportClosed) {
      return this.#broken(
        new SmtpClientError(
          'closed',
          phase,
          `connection to ${this.remote} lost during ${phase}: ${err.message}`,
        ),
      );
    }
    return this.#broken(
      new SmtpClientError(
        'closed',
        phase,
        `connection to ${this.remote} failed during ${phase}: ${(err as Error).message}`,
      ),
    );
  }
}

/** The command a phase's reply answers, for messages like "(in reply to RCPT TO)". */
export function phaseCommand(phase: SmtpPhase): string {
  const names: Record<SmtpPhase, string> = {
    connect: 'connect',
    greeting: 'initial greeting',
    ehlo: 'EHLO',
    helo: 'HELO',
    starttls: 'STARTTLS',
    tls: 'TLS handshake',
    auth: 'AUTH',
    mail: 'MAIL FROM',
    rcpt: 'RCPT TO',
    data: 'DATA',
    'data-end': 'end of data',
    bdat: 'BDAT',
    rset: 'RSET',
    quit: 'QUIT',
  };
  return names[phase];
}

function maskAuth(line: string): string {
  const m = /^(AUTH \S+)( .*)?$/i.exec(line);
  if (m) return m[2] ? `${m[1]} ***` : m[1]!;
  return '***';
}
