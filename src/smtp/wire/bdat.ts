// BDAT framing (RFC 3030): chunks of exact octet counts, gathered into one message with a size limit.
// Pure accumulator; the session reads each chunk's octets from the transport (always all of them, so
// chunk data is never taken for commands) and hands them here.

export class BdatAccumulator {
  readonly #maxSize: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #tooBig = false;

  constructor(maxSize: number) {
    this.#maxSize = maxSize;
  }

  /** Whether a chunk of `n` more octets would exceed the limit (so the caller can skip instead of buffering). */
  wouldExceed(n: number): boolean {
    return this.#size + n > this.#maxSize;
  }

  add(chunk: Buffer): void {
    this.addSize(chunk.length);
    if (!this.#tooBig) this.#chunks.push(chunk);
  }

  /** Counts octets that were skipped rather than buffered. */
  addSize(n: number): void {
    this.#size += n;
    if (this.#size > this.#maxSize) {
      this.#tooBig = true;
      this.#chunks = [];
    }
  }

  /** Octets received so far in this message (RFC 3030 replies may report it). */
  get size(): number {
    return this.#size;
  }

  get tooBig(): boolean {
    return this.#tooBig;
  }

  /** The whole message (only meaningful when !tooBig). */
  message(): Buffer {
    return this.#tooBig ? Buffer.alloc(0) : Buffer.concat(this.#chunks, this.#size);
  }
}
