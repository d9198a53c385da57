// Line-level IMAP and SMTP clients over real sockets, for tests that check exact replies from whole nodes.

import { once } from 'node:events';
import * as net from 'node:net';
import { RawSmtpClient } from '../../smtp/support/smtp-client.ts';
import { LineReader } from '../../support/imap-harness.ts';

export class ImapLineClient {
  readonly socket: net.Socket;
  readonly lines: LineReader;
  #tag = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.lines = new LineReader(socket);
  }

  /** Connects and reads the greeting. */
  static async connect(port: number): Promise<ImapLineClient> {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    const client = new ImapLineClient(socket);
    const greeting = await client.lines.next();
    if (!greeting?.startsWith('* OK')) throw new Error(`unexpected IMAP greeting: ${greeting}`);
    return client;
  }

  /** Sends a tagged command; returns every line up to and including the tagged one. */
  async command(text: string, timeoutMs = 10_000): Promise<string[]> {
    const tag = `t${++this.#tag}`;
    this.socket.write(`${tag} ${text}\r\n`);
    const lines = await this.lines.until(tag, timeoutMs);
    return lines.map((line) => (line.startsWith(tag + ' ') ? line.slice(tag.length + 1) : line));
  }

  /** The tagged reply alone ("OK …", "NO [UNAVAILABLE] …"). */
  async status(text: string): Promise<string> {
    return (await this.command(text)).at(-1)!;
  }

  /** Starts IDLE; resolves once the server has answered "+ idling". */
  async idle(): Promise<string> {
    const tag = `t${++this.#tag}`;
    this.socket.write(`${tag} IDLE\r\n`);
    const line = await this.lines.next();
    if (!line?.startsWith('+')) throw new Error(`IDLE refused: ${line}`);
    return tag;
  }

  /** Reads untagged lines until one matches. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const skipped: string[] = [];
    for (;;) {
      let line: string | null;
      try {
        line = await this.lines.next(Math.max(1, deadline - Date.now()));
      } catch {
        throw new Error(`no line matching ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(skipped)}`);
      }
      if (line === null) throw new Error(`connection closed while waiting for ${pattern}`);
      if (pattern.test(line)) return line;
      skipped.push(line);
    }
  }

  async done(tag: string): Promise<string> {
    this.socket.write('DONE\r\n');
    const lines = await this.lines.until(tag);
    return lines.at(-1)!.slice(tag.length + 1);
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface SendResult {
  /** The reply that decided: the 250 after the data, or the first refusal (4xx/5xx). */
  reply: string;
  accepted: boolean;
}

/** One SMTP transaction on the MX role: EHLO, MAIL, RCPT, DATA. The session is closed afterwards. */
export async function sendMail(port: number, from: string, to: string, message: string): Promise<SendResult> {
  const client = await RawSmtpClient.connect(port);
  client.socket.on('error', () => {});
  try {
    const greeting = (await client.reply()).at(-1)!;
    if (!greeting.startsWith('220')) return { reply: greeting, accepted: false };
    for (const command of ['EHLO client.example', `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, 'DATA']) {
      const reply = (await client.command(command)).at(-1)!;
      if (!/^[23]/.test(reply)) return { reply, accepted: false };
    }
    client.write(message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..') + '\r\n.\r\n');
    const reply = (await client.reply()).at(-1)!;
    await client.command('QUIT').catch(() => []);
    return { reply, accepted: reply.startsWith('250') };
  } finally {
    client.close();
  }
}
