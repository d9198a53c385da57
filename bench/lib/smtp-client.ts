// A small SMTP submission client for the end-to-end figure: plain TCP or implicit TLS (submissions, RFC 8314),
// optional AUTH PLAIN, one transaction at a time (MAIL, RCPT, DATA), resolving when the server says 250 to
// the end of data.

import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { HOST } from './processes.ts';

export class SmtpSubmitter {
  readonly #socket: Socket;
  #buffer = '';
  #waiter: ((reply: string) => void) | null = null;
  #failed: Error | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('latin1');
      this.#check();
    });
    const fail = (error: Error) => {
      this.#failed ??= error;
      const w = this.#waiter;
      this.#waiter = null;
      w?.(`closed: ${error.message}`);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static async open(
    port: number,
    options: { tls?: boolean; user?: string; password?: string; ehlo?: string } = {},
  ): Promise<SmtpSubmitter> {
    const socket = options.tls
      ? tlsConnect({ port, host: HOST, rejectUnauthorized: false })
      : netConnect(port, HOST);
    await once(socket, options.tls ? 'secureConnect' : 'connect');
    const client = new SmtpSubmitter(socket);
    await client.#expect('220');
    await client.#command(`EHLO ${options.ehlo ?? 'client.bench.test'}`, '250');
    if (options.user !== undefined) {
      const token = Buffer.from(`\0${options.user}\0${options.password ?? ''}`).toString('base64');
      await client.#command(`AUTH PLAIN ${token}`, '235');
    }
    return client;
  }

  #check(): void {
    if (!this.#waiter) return;
    // A complete reply: its last line has a space after the code.
    const m = /(^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(this.#buffer);
    if (!m) return;
    const end = m.index + m[0].length;
    const reply = this.#buffer.slice(0, end);
    this.#buffer = this.#buffer.slice(end);
    const w = this.#waiter;
    this.#waiter = null;
    w(reply);
  }

  async #expect(code: string): Promise<string> {
    if (this.#failed) throw this.#failed;
    // A stalled server must not hang the bench: no reply within the limit closes the session.
    const timer = setTimeout(() => this.#socket.destroy(new Error('no SMTP reply within 120 s')), 120_000);
    const reply = await new Promise<string>((resolve) => {
      this.#waiter = resolve;
      this.#check();
    }).finally(() => clearTimeout(timer));
    const last = reply.trimEnd().split('\r\n').at(-1) ?? '';
    if (!last.startsWith(code)) throw new Error(`expected ${code}, got: ${last}`);
    return last;
  }

  #command(line: string, code: string): Promise<string> {
    this.#socket.write(`${line}\r\n`);
    return this.#expect(code);
  }

  /** One message; resolves with the final reply once the server said 250 to the end of data. */
  async send(from: string, to: string, message: Buffer): Promise<string> {
    await this.#command(`MAIL FROM:<${from}>`, '250');
    await this.#command(`RCPT TO:<${to}>`, '250');
    await this.#command('DATA', '354');
    const text = message.toString('latin1').replace(/^\./gm, '..');
    this.#socket.write(Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'latin1'));
    return this.#command('.', '250');
  }

  async quit(): Promise<void> {
    try {
      await this.#command('QUIT', '221');
    } catch {
      // closing anyway
    }
    this.#socket.destroy();
  }
}
