// SmtpSession: one SMTP connection, as a state machine over the wire parser (RFC 5321 §3, §4).
// Reads through a Transport, so the same code runs over TCP, TLS or an in-memory duplexPair (tests).
//
// Invariants:
// - Every command line must end in CRLF; a bare CR or LF is refused (500 5.5.2), never taken as a line end
//   inside DATA (the Transport only ends data at CRLF.CRLF).
// - Replies are batched while pipelined input is waiting and flushed before the session waits for input
//   (RFC 2920 §3.2), and always before a TLS upgrade, a 354/334, or closing.
// - After STARTTLS everything is forgotten: state, user, and any input pipelined before the handshake
//   (RFC 3207 §4.2; the Transport discards its buffer).
// - Errors thrown by handlers are answered by error-replies.ts: refusals as data, infrastructure faults 451.
// - AUTH exchanges are never logged; traces show "AUTH <mech> ***".

import * as tls from 'node:tls';
import type { InboundEnvelope, AcceptResult } from '../../delivery/envelope.ts';
import type { Logger } from '../../log/logger.ts';
import {
  LineTooLong,
  TransportTimeout,
  type DotData,
  type Line,
  type Transport,
} from '../../net/transport.ts';
import { commandVerb, decodeCommandLine, parseCommand, type SmtpCommand } from '../wire/command-parser.ts';
import type { SmtpReply } from '../wire/reply-parser.ts';
import { serializeReply } from '../wire/reply.ts';
import { replies } from '../wire/reply-table.ts';
import { commandTable, type CommandHandler } from './commands/table.ts';
import type { MailDirectory, SessionUser } from './directory.ts';
import { replyForError } from './error-replies.ts';
import type { SessionLimits } from './limits.ts';
import type { SmtpPolicy } from './policy.ts';
import type { SessionState } from './state.ts';

/** What the session hands a finished message to (delivery's Delivery class). */
export interface MessageAcceptor {
  acceptMessage(envelope: InboundEnvelope, bytes: Buffer, context?: { log?: Logger }): Promise<AcceptResult>;
}

export interface SessionDeps {
  hostname: string;
  policy: SmtpPolicy;
  directory: MailDirectory;
  delivery: MessageAcceptor;
  /** For STARTTLS; null when TLS is not available (STARTTLS is then not offered). */
  tls: tls.SecureContext | null;
  limits: SessionLimits;
  /** The connection's child logger ({cid, proto, remote}). */
  log: Logger;
  /** Waits before answering a failed AUTH (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

export interface ConnectionFacts {
  remoteAddress: string;
}

const CR = 13;

export class SmtpSession {
  readonly transport: Transport;
  readonly deps: SessionDeps;
  readonly facts: ConnectionFacts;
  state: SessionState = { phase: 'connected' };
  user: SessionUser | null = null;
  authFailures = 0;
  #out = '';
  #closing = false;
  #stopping = false;
  #waitingForCommand = false;
  #errors = 0;

  constructor(transport: Transport, facts: ConnectionFacts, deps: SessionDeps) {
    this.transport = transport;
    this.facts = facts;
    this.deps = deps;
  }

  get log(): Logger {
    return this.deps.log;
  }
  get limits(): SessionLimits {
    return this.deps.limits;
  }
  get secure(): boolean {
    return this.transport.secure;
  }

  /** Runs the session to its end; never throws. */
  async run(): Promise<void> {
    this.log.debug({ secure: this.secure }, 'connected');
    this.reply(replies.greeting(this.deps.hostname));
    try {
      while (!this.#closing) {
        if (this.#stopping) {
          this.reply(replies.shuttingDown);
          break;
        }
        const line = await this.#readCommandLine();
        if (line === null) break;
        if (line === 'too-long') {
          this.#fail(replies.lineTooLong);
          continue;
        }
        await this.#handleLine(line);
      }
    } catch (err) {
      this.log.debug({ err }, 'connection failed');
    } finally {
      this.flush();
      await this.transport.close();
      this.log.debug('disconnected');
    }
  }

  /** Server shutdown: an idle session is told 421 at once; a busy one after its current command. */
  shutdown(): void {
    this.#stopping = true;
    if (this.#waitingForCommand && !this.#closing) {
      this.#closing = true;
      this.reply(replies.shuttingDown);
      this.flush();
      void this.transport.close();
    }
  }

  /** Cuts the connection at once (end of the shutdown grace period). */
  abort(): void {
    this.#closing = true;
    this.transport.destroy();
  }

  // ------------------------------------------------------------ used by command handlers

  /** Queues a reply; failed replies (5xx) count towards max_errors. */
  reply(r: SmtpReply): void {
    const text = serializeReply(r);
    this.#out += text;
    this.log.trace({ s: text.trimEnd() }, 'reply');
    if (r.code >= 500) this.#errors++;
  }

  flush(): void {
    if (this.#out === '') return;
    this.transport.write(this.#out);
    this.#out = '';
  }

  /** Ends the session after the current command's reply. */
  close(): void {
    this.#closing = true;
  }

  /** Answers an error thrown by a service or policy, logging it as its kind deserves. */
  replyError(err: unknown, context: Record<string, unknown> = {}): void {
    const { reply, level } = replyForError(err);
    const reason = err instanceof Error ? err.message : String(err);
    if (level === 'error') this.log.error({ err, ...context }, 'unexpected error, answered 451');
    else if (level === 'warn') this.log.warn({ reason, ...context }, 'temporary failure');
    else this.log.info({ reason, code: reply.code, ...context }, 'refused');
    this.reply(reply);
  }

  /** Drops the mail transaction (RSET, EHLO, end of DATA, failed BDAT), keeping the greeting. */
  resetTransaction(): void {
    if (this.state.phase === 'mail') this.state = { phase: 'ready', helo: this.state.helo };
  }

  /** Reads one line of an AUTH exchange (RFC 4954 §4); null at end of input or timeout. */
  async readAuthLine(): Promise<string | 'too-long' | null> {
    this.flush();
    this.transport.setIdleTimeout(this.limits.commandTimeoutMs);
    try {
      const line = await this.transport.readLine(this.limits.maxAuthLineLength);
      if (line === null) return null;
      this.log.trace({ c: '***' }, 'command');
      return line.bytes.toString('latin1');
    } catch (err) {
      if (err instanceof LineTooLong) return 'too-long';
      if (err instanceof TransportTimeout) return this.#timedOut();
      throw err;
    }
  }

  /** Reads DATA content to CRLF.CRLF; null when the client went away or timed out. */
  async readData(): Promise<DotData | null> {
    this.flush();
    this.transport.setIdleTimeout(this.limits.dataTimeoutMs);
    try {
      const data = await this.transport.readDotData(this.limits.maxMessageSize);
      if (data === null) this.close();
      return data;
    } catch (err) {
      if (err instanceof TransportTimeout) return this.#timedOut();
      throw err;
    }
  }

  /** Reads exactly n octets of a BDAT chunk, or skips them ('skipped'); null when the client went away or timed out. */
  async readChunk(n: number, keep: boolean): Promise<Buffer | 'skipped' | null> {
    this.flush();
    this.transport.setIdleTimeout(this.limits.dataTimeoutMs);
    try {
      if (!keep) return (await this.transport.skipBytes(n)) ? 'skipped' : this.#gone();
      return (await this.transport.readBytes(n)) ?? this.#gone();
    } catch (err) {
      if (err instanceof TransportTimeout) return this.#timedOut();
      throw err;
    }
  }

  /** STARTTLS: upgrade, then forget everything (RFC 3207 §4.2). False when the handshake failed. */
  async startTls(context: tls.SecureContext): Promise<boolean> {
    this.flush();
    try {
      await this.transport.startTlsServer(context);
    } catch (err) {
      this.log.info({ reason: (err as Error).message }, 'TLS handshake failed');
      this.close();
      return false;
    }
    this.state = { phase: 'connected' };
    this.user = null;
    this.log.debug(this.tlsInfo() ?? {}, 'TLS started');
    return true;
  }

  tlsInfo(): { protocol: string | null; cipher: string | null } | null {
    const stream = this.transport.stream;
    if (!(stream instanceof tls.TLSSocket) || !stream.encrypted) return null;
    return { protocol: stream.getProtocol() ?? null, cipher: stream.getCipher()?.name ?? null };
  }

  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    await (this.deps.sleep ?? ((t: number) => new Promise<void>((r) => setTimeout(r, t))))(ms);
  }

  // ------------------------------------------------------------ internals

  async #readCommandLine(): Promise<Line | 'too-long' | null> {
    // Replies wait while pipelined commands are buffered; once the input is drained they go out.
    if (this.transport.bufferedInput === 0) this.flush();
    this.transport.setIdleTimeout(this.limits.commandTimeoutMs);
    this.#waitingForCommand = true;
    try {
      return await this.transport.readLine(this.limits.maxLineLength);
    } catch (err) {
      if (err instanceof LineTooLong) return 'too-long';
      if (err instanceof TransportTimeout) return this.#timedOut();
      throw err;
    } finally {
      this.#waitingForCommand = false;
    }
  }

  async #handleLine(line: Line): Promise<void> {
    if (line.bareLf) return this.#fail(replies.bareLineEnding);
    const text = decodeCommandLine(line.bytes);
    if (text === null) {
      return this.#fail(line.bytes.includes(CR) ? replies.bareLineEnding : replies.invalidUtf8);
    }
    this.log.trace({ c: commandVerb(text) === 'AUTH' ? maskAuth(text) : text }, 'command');
    const parsed = parseCommand(text);
    if (!parsed.ok) {
      this.#fail(parsed.reply);
      // A BDAT we cannot parse leaves us not knowing how many octets follow: framing is lost.
      if (parsed.verb === 'BDAT') this.close();
      return;
    }
    await this.#dispatch(parsed.command);
    this.#checkErrors();
  }

  async #dispatch(command: SmtpCommand): Promise<void> {
    const handler = commandTable[command.verb] as CommandHandler<SmtpCommand>;
    if (handler.needs === 'helo' && this.state.phase === 'connected') return this.reply(replies.needHelo);
    if (handler.needs === 'mail' && this.state.phase !== 'mail') return this.reply(replies.needMail);
    try {
      await handler.run(this, command);
    } catch (err) {
      this.replyError(err, { verb: command.verb });
    }
  }

  #fail(reply: SmtpReply): void {
    this.reply(reply);
    this.#checkErrors();
  }

  #checkErrors(): void {
    if (this.#errors >= this.limits.maxErrors && !this.#closing) {
      this.log.info({ errors: this.#errors }, 'too many errors');
      this.reply(replies.tooManyErrors);
      this.close();
    }
  }

  #timedOut(): null {
    this.log.info('timeout');
    this.reply(replies.timeout);
    this.close();
    return null;
  }

  #gone(): null {
    this.close();
    return null;
  }
}

function maskAuth(line: string): string {
  const [verb, mechanism] = line.split(' ');
  return `${verb} ${mechanism ?? ''} ***`.trim();
}
