// Reads CRLF lines from the client side of a test connection, with a timeout so a missing reply fails
// the test with what was received instead of hanging.

import type { Duplex } from 'node:stream';

export class LineReader {
  #buffer = Buffer.alloc(0);
  #ended = false;
  #waiter: (() => void) | null = null;
  #stream: Duplex;
  readonly received: string[] = [];
  #onData = (chunk: Buffer) => {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    this.#wake();
  };
  #onEnd = () => {
    this.#ended = true;
    this.#wake();
  };

  constructor(stream: Duplex) {
    this.#stream = stream;
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('close', this.#onEnd);
    stream.on('error', this.#onEnd);
  }

  detach(): void {
    this.#stream.off('data', this.#onData);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('close', this.#onEnd);
    this.#stream.off('error', this.#onEnd);
  }

  /** The next line (without CRLF), or null at end of stream. */
  async next(timeoutMs = 5000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.#buffer.indexOf('\r\n');
      if (at >= 0) {
        const line = this.#buffer.subarray(0, at).toString('utf8');
        this.#buffer = this.#buffer.subarray(at + 2);
        this.received.push(line);
        return line;
      }
      if (this.#ended) return this.#buffer.length > 0 ? `(partial) ${this.#buffer.toString('utf8')}` : null;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no reply within ${timeoutMs} ms; received so far:\n${this.received.join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Reads a whole reply (through the line with a space after the code). */
  async reply(timeoutMs = 5000): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.next(timeoutMs);
      if (line === null) throw new Error(`connection closed; received:\n${this.received.join('\n')}`);
      lines.push(line);
      if (!/^\d{3}-/.test(line)) return lines;
    }
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }
}
