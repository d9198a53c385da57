// A pino destination that lets the demo watch a server's log records as they are written: every JSON line is
// parsed and handed to the listeners (the narrator looks for the records that mark a step of the story),
// and optionally passed on, made readable, to another stream (`posthorn demo --verbose`).

import { Writable } from 'node:stream';
import { prettyFactory } from 'pino-pretty';
import { createLogger, type Logger } from '../log/logger.ts';

/** One log record as pino writes it: `msg`, `level` (number) and the bound and given fields. */
export type LogRecord = Record<string, unknown> & { msg?: string; level?: number };

export class LogTap extends Writable {
  readonly #listeners = new Set<(record: LogRecord) => void>();
  readonly #echo: NodeJS.WritableStream | null;
  readonly #pretty = prettyFactory({ colorize: false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' });
  #partial = '';

  constructor(echo: NodeJS.WritableStream | null = null) {
    super({ decodeStrings: false });
    this.#echo = echo;
  }

  /** Calls `listener` for every record from now on; returns the function that stops it. */
  watch(listener: (record: LogRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A logger writing into this tap at `level`, with `bindings` on every record. */
  logger(level: string, bindings: Record<string, unknown>): Logger {
    return createLogger({ level, destination: this }).child(bindings);
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    const text = this.#partial + chunk.toString();
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        continue;
      }
      this.#echo?.write(this.#pretty(record));
      for (const listener of this.#listeners) listener(record);
    }
    done();
  }
}
