// A small IMAP client for measuring servers: cheap per response (it counts what it is not asked to keep),
// literals skipped by length, LITERAL+ for APPEND, IDLE with a callback per EXISTS. Used alike for Posthorn
// and Dovecot so the client's cost is the same on both sides.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { HOST } from './processes.ts';

export interface CommandResult {
  /** The tagged status line, e.g. "a3 OK FETCH completed". */
  status: string;
  untagged: number;
  /** Octets received for this command, literals included. */
  bytes: number;
  /** Octets inside literals (message data for BODY[]). */
  literalBytes: number;
  ms: number;
  /** Untagged responses' first lines (literals left out), when `keep` was asked. */
  lines: string[];
  /** Literal contents in order, when `keepLiterals` was asked. */
  literals: Buffer[];
}

/** No command may take longer than this (a stalled server must not hang the bench). */
const COMMAND_TIMEOUT_MS = 600_000;

interface Pending {
  tag: string;
  started: number;
  result: CommandResult;
  keep: boolean;
  keepLiterals: boolean;
  resolve: (r: CommandResult) => void;
  reject: (e: Error) => void;
}

export class ImapClient {
  readonly #socket: Socket;
  #tail: Buffer = Buffer.alloc(0);
  #line = ''; // first line of the response being read
  #lineBytes = 0;
  #literalLeft = 0;
  #literalParts: Buffer[] | null = null;
  #pending: Pending | null = null;
  #continuation: (() => void) | null = null;
  #greeting: ((line: string) => void) | null = null;
  #closed: Error | null = null;
  #tag = 0;
  /** Called for every untagged response outside of a command's bookkeeping too (IDLE). */
  onUntagged: ((line: string) => void) | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    const fail = (error: Error) => {
      this.#closed = error;
      this.#pending?.reject(error);
      this.#pending = null;
    };
    socket.on('close', () => fail(new Error('connection closed')));
    socket.on('error', fail);
  }

  static async connect(port: number, timeoutMs = 30_000): Promise<ImapClient> {
    const socket = connect(port, HOST);
    const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), timeoutMs);
    try {
      await once(socket, 'connect');
      const client = new ImapClient(socket);
      const greeting = await new Promise<string>((resolve, reject) => {
        client.#greeting = resolve;
        socket.once('close', () => reject(new Error('closed before greeting')));
      });
      if (!greeting.startsWith('* OK')) throw new Error(`greeting: ${greeting}`);
      return client;
    } finally {
      clearTimeout(timer);
    }
  }

  #data(chunk: Buffer): void {
    const buf = this.#tail.length > 0 ? Buffer.concat([this.#tail, chunk]) : chunk;
    this.#tail = Buffer.alloc(0);
    let pos = 0;
    while (pos < buf.length) {
      if (this.#literalLeft > 0) {
        const take = Math.min(this.#literalLeft, buf.length - pos);
        this.#literalParts?.push(buf.subarray(pos, pos + take));
        this.#literalLeft -= take;
        this.#lineBytes += take;
        if (this.#pending) this.#pending.result.literalBytes += take;
        pos += take;
        if (this.#literalLeft === 0 && this.#literalParts && this.#pending) {
          this.#pending.result.literals.push(Buffer.concat(this.#literalParts));
          this.#literalParts = null;
        }
        continue;
      }
      const lf = buf.indexOf(10, pos);
      if (lf < 0) break;
      const text = buf.toString('latin1', pos, lf > pos && buf[lf - 1] === 13 ? lf - 1 : lf);
      this.#lineBytes += lf + 1 - pos;
      pos = lf + 1;
      if (this.#line === '') this.#line = text;
      const literal = text.endsWith('}') ? /\{(\d+)\+?\}$/.exec(text) : null;
      if (literal) {
        this.#literalLeft = Number(literal[1]);
        if (this.#pending?.keepLiterals) this.#literalParts = [];
        if (this.#literalLeft === 0 && this.#literalParts && this.#pending) {
          this.#pending.result.literals.push(Buffer.alloc(0));
          this.#literalParts = null;
        }
        continue;
      }
      this.#response(this.#line, this.#lineBytes);
      this.#line = '';
      this.#lineBytes = 0;
    }
    if (pos < buf.length) this.#tail = Buffer.from(buf.subarray(pos));
  }

  #response(line: string, bytes: number): void {
    if (this.#greeting) {
      const g = this.#greeting;
      this.#greeting = null;
      g(line);
      return;
    }
    const p = this.#pending;
    if (line.startsWith('+')) {
      const c = this.#continuation;
      this.#continuation = null;
      c?.();
      return;
    }
    if (p && line.startsWith(p.tag + ' ')) {
      this.#pending = null;
      p.result.status = line;
      p.result.bytes += bytes;
      p.result.ms = performance.now() - p.started;
      if (line.startsWith(p.tag + ' OK')) p.resolve(p.result);
      else p.reject(new Error(`${line}`));
      return;
    }
    if (p) {
      p.result.untagged++;
      p.result.bytes += bytes;
      if (p.keep) p.result.lines.push(line);
    }
    this.onUntagged?.(line);
  }

  #start(options: { keep?: boolean; keepLiterals?: boolean }): { tag: string; done: Promise<CommandResult> } {
    if (this.#closed) throw this.#closed;
    if (this.#pending) throw new Error('one command at a time');
    const tag = `b${++this.#tag}`;
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<CommandResult>((resolve, reject) => {
      this.#pending = {
        tag,
        started: performance.now(),
        result: { status: '', untagged: 0, bytes: 0, literalBytes: 0, ms: 0, lines: [], literals: [] },
        keep: options.keep ?? false,
        keepLiterals: options.keepLiterals ?? false,
        resolve,
        reject,
      };
      timer = setTimeout(() => {
        this.#socket.destroy(new Error(`${tag}: no answer within ${COMMAND_TIMEOUT_MS / 1000} s`));
      }, COMMAND_TIMEOUT_MS);
    });
    void done.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    return { tag, done };
  }

  /** Sends one command line (without tag) and waits for its tagged OK (a NO/BAD rejects). */
  command(text: string, options: { keep?: boolean; keepLiterals?: boolean } = {}): Promise<CommandResult> {
    const { tag, done } = this.#start(options);
    this.#socket.write(`${tag} ${text}\r\n`);
    return done;
  }

  /** APPEND with a non-synchronizing literal (LITERAL+, RFC 7888): one round trip per message. */
  append(mailbox: string, message: Buffer, flags: string[] = []): Promise<CommandResult> {
    const { tag, done } = this.#start({});
    this.#socket.write(`${tag} APPEND ${mailbox} (${flags.join(' ')}) {${message.length}+}\r\n`);
    this.#socket.write(message);
    this.#socket.write('\r\n');
    return done;
  }

  /** Starts IDLE; `onUntagged` sees the EXISTS lines. Resolves when the server said "+". */
  async idle(): Promise<{ done: () => Promise<CommandResult> }> {
    const continued = new Promise<void>((resolve) => (this.#continuation = resolve));
    const { tag, done } = this.#start({});
    this.#socket.write(`${tag} IDLE\r\n`);
    await Promise.race([continued, done]);
    return {
      done: () => {
        this.#socket.write('DONE\r\n');
        return done;
      },
    };
  }

  async login(user: string, password: string): Promise<void> {
    await this.command(`LOGIN "${user}" "${password}"`);
  }

  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } catch {
      // the server may close first
    }
    this.#socket.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
