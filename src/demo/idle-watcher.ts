// Bob's mail client in the demo: one IMAP session (STARTTLS, LOGIN, SELECT INBOX, IDLE, RFC 9051 / RFC 2177)
// that reports every untagged response line the server sends while it idles. Deliberately raw, so the
// narrator can show exactly what a mail client sees (`* 1 EXISTS`).

import { connect } from 'node:net';
import type * as tls from 'node:tls';
import { Transport } from '../net/transport.ts';

export interface IdleWatcherOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** For the STARTTLS handshake (ca, servername). */
  tls: tls.ConnectionOptions;
  /** Longest wait for any one reply before the session set-up fails. */
  timeoutMs?: number;
}

const MAX_LINE = 64 * 1024;

const quoted = (text: string): string => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export class IdleWatcher {
  readonly #transport: Transport;
  readonly #listeners = new Set<(line: string) => void>();
  #tag = 0;
  #idleTag = '';
  #loop: Promise<void> | null = null;
  /** The EXISTS count SELECT reported. */
  existsAtSelect = 0;
  /** The TLS protocol of the session, once STARTTLS is done. */
  tlsProtocol: string | null = null;

  private constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Connects, upgrades to TLS, logs in, selects INBOX and starts IDLE. */
  static async open(options: IdleWatcherOptions): Promise<IdleWatcher> {
    const socket = connect({ host: options.host, port: options.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const watcher = new IdleWatcher(new Transport(socket));
    const transport = watcher.#transport;
    transport.setIdleTimeout(options.timeoutMs ?? 10_000);
    try {
      const greeting = await watcher.#readLine();
      if (!greeting.startsWith('* OK')) throw new Error(`IMAP greeting: ${greeting}`);
      await watcher.#command('STARTTLS');
      const secure = await transport.startTlsClient(options.tls);
      watcher.tlsProtocol = secure.getProtocol();
      await watcher.#command(`LOGIN ${quoted(options.user)} ${quoted(options.password)}`);
      const selected = await watcher.#command('SELECT INBOX');
      for (const line of selected) {
        const exists = /^\* (\d+) EXISTS$/i.exec(line);
        if (exists) watcher.existsAtSelect = Number(exists[1]);
      }
      watcher.#idleTag = watcher.#nextTag();
      transport.write(`${watcher.#idleTag} IDLE\r\n`);
      const continuation = await watcher.#readLine();
      if (!continuation.startsWith('+')) throw new Error(`IDLE refused: ${continuation}`);
      transport.setIdleTimeout(0);
      watcher.#loop = watcher.#readWhileIdle();
      return watcher;
    } catch (err) {
      transport.destroy();
      throw err;
    }
  }

  /** Calls `listener` with every untagged line received while idling. */
  onUntagged(listener: (line: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends IDLE (DONE), logs out and closes the connection. */
  async close(): Promise<void> {
    const transport = this.#transport;
    if (transport.closed) return;
    transport.setIdleTimeout(5000);
    try {
      transport.write('DONE\r\n');
      await this.#loop;
      await this.#command('LOGOUT');
    } catch {
      // The server went away first (it is being stopped): nothing left to close politely.
    } finally {
      await transport.close();
    }
  }

  #nextTag(): string {
    return `d${++this.#tag}`;
  }

  /** One response line; a line ending in a literal {n} gets the literal and the rest of the line appended. */
  async #readLine(): Promise<string> {
    let text = '';
    for (;;) {
      const line = await this.#transport.readLine(MAX_LINE);
      if (line === null) throw new Error('IMAP connection closed');
      text += line.bytes.toString('utf8');
      const literal = /\{(\d+)\+?\}$/.exec(text);
      if (!literal) return text;
      const bytes = await this.#transport.readBytes(Number(literal[1]));
      if (bytes === null) throw new Error('IMAP connection closed inside a literal');
      text += '\r\n' + bytes.toString('utf8');
    }
  }

  /** Sends a command and returns its untagged lines; a tagged NO/BAD is an error. */
  async #command(command: string): Promise<string[]> {
    const tag = this.#nextTag();
    this.#transport.write(`${tag} ${command}\r\n`);
    const untagged: string[] = [];
    for (;;) {
      const line = await this.#readLine();
      if (!line.startsWith(`${tag} `)) {
        untagged.push(line);
        continue;
      }
      if (/^\S+ OK\b/i.test(line)) return untagged;
      const shown = command.startsWith('LOGIN') ? 'LOGIN' : command;
      throw new Error(`IMAP ${shown}: ${line}`);
    }
  }

  /** Until the IDLE command completes (after DONE), passes every untagged line on. */
  async #readWhileIdle(): Promise<void> {
    for (;;) {
      let line: string;
      try {
        line = await this.#readLine();
      } catch {
        return;
      }
      if (line.startsWith(`${this.#idleTag} `)) return;
      if (line.startsWith('*')) for (const listener of this.#listeners) listener(line);
    }
  }
}
