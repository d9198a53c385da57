// Transport: the byte stream a protocol session reads and writes through.
// Framing only (lines, exact byte counts, SMTP dot-terminated data); no protocol knowledge.
// Works over a TCP socket, a TLS socket or any Duplex (tests use stream.duplexPair for in-memory sessions).
//
// Invariants:
// - Only CRLF ends a line for protocol purposes; a bare LF is reported to the caller (`bareLf`), never hidden.
// - At every TLS transition buffered input is discarded (RFC 3207 §4.2, DESIGN.md §4.6).
// - Every read has a limit (line length, byte count, data size) and an idle timeout.
// - Output held with hold() leaves at release(), at the latest before any wait for input, and never piles up
//   beyond HOLD_LIMIT.

import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';

export class TransportClosed extends Error {
  override name = 'TransportClosed';
}
export class TransportTimeout extends Error {
  override name = 'TransportTimeout';
}
/** The line exceeded the limit; the rest of it (up to LF) has been consumed and dropped. */
export class LineTooLong extends Error {
  override name = 'LineTooLong';
}

export interface Line {
  /** Bytes of the line without its terminator. */
  bytes: Buffer;
  /** True when the line ended with LF alone (no CR before it). */
  bareLf: boolean;
}

export interface DotData {
  /** Dot-unstuffed message bytes; complete when !tooBig. */
  data: Buffer;
  /** The data exceeded maxSize; it was read to its end and discarded. */
  tooBig: boolean;
  /** A bare LF or bare CR occurred (RFC 5321 §2.3.8: only CRLF is a line ending). */
  bareLf: boolean;
  bareCr: boolean;
}

/** Held output beyond this is sent at once (below the smallest slow-reader limit, imap.max_output_buffer). */
const HOLD_LIMIT = 64 * 1024;
const CR = 13;
const LF = 10;
const DOT = 46;

export class Transport {
  #stream: Duplex;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;
  #error: Error | null = null;
  #waiter: (() => void) | null = null;
  #idleTimeoutMs = 0;
  #held = false;
  #onData = (chunk: Buffer) => {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    this.#wake();
  };
  #onEnd = () => {
    this.#ended = true;
    this.#wake();
  };
  #onError = (err: Error) => {
    this.#error = err;
    this.#ended = true;
    this.#wake();
  };

  constructor(stream: Duplex) {
    this.#stream = stream;
    this.#attach();
  }

  get stream(): Duplex {
    return this.#stream;
  }
  get secure(): boolean {
    return this.#stream instanceof tls.TLSSocket && this.#stream.encrypted === true;
  }
  get remoteAddress(): string {
    return (this.#stream as { remoteAddress?: string }).remoteAddress ?? '127.0.0.1';
  }
  get remotePort(): number {
    return (this.#stream as { remotePort?: number }).remotePort ?? 0;
  }
  get localAddress(): string {
    return (this.#stream as { localAddress?: string }).localAddress ?? '127.0.0.1';
  }
  get localPort(): number {
    return (this.#stream as { localPort?: number }).localPort ?? 0;
  }
  get closed(): boolean {
    return this.#ended;
  }
  /** Octets written but not yet flushed to the peer (slow-reader limit). */
  get pendingOutput(): number {
    return this.#stream.writableLength;
  }
  /** Octets received and not yet read (pipelined input). */
  get bufferedInput(): number {
    return this.#buffered;
  }

  /** Reads fail with TransportTimeout after this long without input; 0 = no timeout. */
  setIdleTimeout(ms: number): void {
    this.#idleTimeoutMs = ms;
  }

  // ------------------------------------------------------------ reading

  /** Reads one line. Returns null at end of stream. Throws LineTooLong (line consumed) or TransportTimeout. */
  async readLine(maxLength: number): Promise<Line | null> {
    let scanned = 0;
    for (;;) {
      const at = this.#indexOf(LF, scanned);
      if (at >= 0) {
        const raw = this.#take(at + 1);
        const hasCr = raw.length >= 2 && raw[raw.length - 2] === CR;
        const bytes = raw.subarray(0, raw.length - (hasCr ? 2 : 1));
        if (bytes.length + 2 > maxLength) throw new LineTooLong(`line of ${bytes.length} octets`);
        return { bytes, bareLf: !hasCr };
      }
      if (this.#buffered > maxLength) {
        await this.#discardUntilLf();
        throw new LineTooLong(`line longer than ${maxLength} octets`);
      }
      scanned = this.#buffered;
      if (!(await this.#more())) {
        if (this.#buffered > 0) return { bytes: this.#take(this.#buffered), bareLf: true };
        return null;
      }
    }
  }

  /** Reads exactly n octets (IMAP literal, BDAT chunk). Returns null if the stream ends first. */
  async readBytes(n: number): Promise<Buffer | null> {
    while (this.#buffered < n) {
      if (!(await this.#more())) return null;
    }
    return this.#take(n);
  }

  /** Reads and drops exactly n octets without buffering them all (oversized BDAT chunk). */
  async skipBytes(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.#buffered === 0 && !(await this.#more())) return false;
      const k = Math.min(left, this.#buffered);
      this.#take(k);
      left -= k;
    }
    return true;
  }

  /**
   * Reads SMTP DATA up to the terminating CRLF.CRLF (RFC 5321 §4.1.1.4), dot-unstuffing lines (§4.5.2).
   * Only CR LF "." CR LF ends the data: "\n.\n", "\r.\r\n" and the like are ordinary bytes here.
   * Data before the first line counts as a line start (the DATA reply's CRLF precedes it).
   * Returns null if the stream ends before the terminator.
   */
  async readDotData(maxSize: number): Promise<DotData | null> {
    const out: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    let bareLf = false;
    let bareCr = false;
    let lineStart = true; // at the start of a line (after CRLF)
    for (;;) {
      const at = this.#indexOf(LF, 0);
      if (at < 0) {
        // Keep a partial line buffered until its LF arrives, unless it is huge (then pass it on in pieces).
        if (this.#buffered > 65536) {
          const piece = this.#take(this.#buffered - 1); // keep one octet: it may be the CR of CRLF
          const body = lineStart && piece[0] === DOT ? piece.subarray(1) : piece;
          if (body.includes(CR)) bareCr = true;
          lineStart = false;
          size += body.length;
          if (size > maxSize) tooBig = true;
          if (!tooBig) out.push(body);
          continue;
        }
        if (!(await this.#more())) return null;
        continue;
      }
      const line = this.#take(at + 1);
      const hasCr = line.length >= 2 && line[line.length - 2] === CR;
      if (!hasCr) bareLf = true;
      if (lineStart && hasCr && line.length === 3 && line[0] === DOT) {
        return { data: tooBig ? Buffer.alloc(0) : Buffer.concat(out, size), tooBig, bareLf, bareCr };
      }
      const content = line.subarray(0, line.length - (hasCr ? 2 : 1));
      if (content.includes(CR)) bareCr = true;
      const body = lineStart && line[0] === DOT ? line.subarray(1) : line;
      lineStart = hasCr;
      size += body.length;
      if (size > maxSize) tooBig = true;
      if (!tooBig) out.push(body);
    }
  }

  // ------------------------------------------------------------ writing

  /** Queues output; resolves at once. Use drain() to wait for a slow reader. */
  write(data: string | Buffer): void {
    if (!this.#stream.writable) return;
    this.#stream.write(data);
    // A long response is not held beyond HOLD_LIMIT (it would only delay it, and slow-reader checks count
    // held octets): what is held leaves now, and the rest of the response as it is written.
    if (this.#held && this.#stream.writableLength >= HOLD_LIMIT) this.release();
  }

  /**
   * Collects the following writes until release() and sends them in one go (one writev, one TCP segment for
   * a short response instead of one per piece). Released at the latest before waiting for input, so a
   * continuation request or the end of a response never stays behind.
   */
  hold(): void {
    if (this.#held || !this.#stream.writable) return;
    this.#stream.cork();
    this.#held = true;
  }

  /** Sends the output collected since hold(). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#stream.uncork();
  }

  /** Resolves when the output buffer is below the stream's high-water mark again (or the stream closed). */
  async drain(): Promise<void> {
    this.release();
    // 'drain' is only emitted after a write() returned false, so wait only in that case.
    if (!this.#stream.writableNeedDrain || !this.#stream.writable) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#stream.off('drain', done);
        this.#stream.off('close', done);
        resolve();
      };
      this.#stream.once('drain', done);
      this.#stream.once('close', done);
    });
  }

  /** Flushes output and closes the stream. */
  async close(): Promise<void> {
    this.release();
    if (this.#stream.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#stream.destroy();
        resolve();
      }, 2000);
      timer.unref();
      this.#stream.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.#stream.destroy();
  }

  destroy(): void {
    this.#stream.destroy();
  }

  // ------------------------------------------------------------ TLS

  /** Server side of STARTTLS / implicit TLS upgrade. Discards any input buffered before the handshake. */
  async startTlsServer(secureContext: tls.SecureContext): Promise<void> {
    const plain = this.#detach();
    const secure = new tls.TLSSocket(plain as import('node:net').Socket, { isServer: true, secureContext });
    await this.#handshake(secure, 'secure');
  }

  /** Client side of STARTTLS. Discards any input buffered before the handshake. */
  async startTlsClient(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
    const plain = this.#detach();
    const secure = tls.connect({ ...options, socket: plain as import('node:net').Socket });
    await this.#handshake(secure, 'secureConnect');
    return secure;
  }

  // ------------------------------------------------------------ internals

  #attach(): void {
    this.#stream.on('data', this.#onData);
    this.#stream.on('end', this.#onEnd);
    this.#stream.on('close', this.#onEnd);
    this.#stream.on('error', this.#onError);
  }

  #detach(): Duplex {
    this.release();
    const s = this.#stream;
    s.off('data', this.#onData);
    s.off('end', this.#onEnd);
    s.off('close', this.#onEnd);
    s.off('error', this.#onError);
    this.#chunks = [];
    this.#buffered = 0;
    return s;
  }

  async #handshake(secure: tls.TLSSocket, event: 'secure' | 'secureConnect'): Promise<void> {
    this.#stream = secure;
    this.#ended = false;
    this.#error = null;
    await new Promise<void>((resolve, reject) => {
      const ok = () => {
        secure.off('error', fail);
        resolve();
      };
      const fail = (err: Error) => {
        secure.off(event, ok);
        reject(err);
      };
      secure.once(event, ok);
      secure.once('error', fail);
    });
    this.#attach();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /** Waits for more input. False at end of stream; throws TransportTimeout when idle too long. */
  async #more(): Promise<boolean> {
    this.release();
    if (this.#ended) {
      if (this.#error && this.#buffered === 0) throw new TransportClosed(this.#error.message);
      return false;
    }
    const before = this.#buffered;
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (this.#idleTimeoutMs > 0) {
        timer = setTimeout(() => {
          this.#waiter = null;
          reject(new TransportTimeout(`no input for ${this.#idleTimeoutMs} ms`));
        }, this.#idleTimeoutMs);
      }
      this.#waiter = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
    return this.#buffered > before || !this.#ended;
  }

  #indexOf(byte: number, from: number): number {
    let offset = 0;
    for (const chunk of this.#chunks) {
      if (from < offset + chunk.length) {
        const i = chunk.indexOf(byte, Math.max(0, from - offset));
        if (i >= 0) return offset + i;
      }
      offset += chunk.length;
    }
    return -1;
  }

  #take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      // Join only the chunks needed for n octets, so taking lines from a large buffer stays linear.
      const parts: Buffer[] = [];
      let got = 0;
      while (got < n) {
        const chunk = this.#chunks[0]!;
        const need = n - got;
        if (chunk.length <= need) {
          parts.push(chunk);
          this.#chunks.shift();
          got += chunk.length;
        } else {
          parts.push(chunk.subarray(0, need));
          this.#chunks[0] = chunk.subarray(need);
          got = n;
        }
      }
      out = Buffer.concat(parts, n);
    }
    this.#buffered -= n;
    return out;
  }

  async #discardUntilLf(): Promise<void> {
    for (;;) {
      const at = this.#indexOf(LF, 0);
      if (at >= 0) {
        this.#take(at + 1);
        return;
      }
      this.#take(this.#buffered);
      if (!(await this.#more())) return;
    }
  }
}
