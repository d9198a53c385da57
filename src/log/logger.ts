// Logger factory: pino JSON lines, readable text when stdout is a terminal (or format = "pretty").
// Secrets never reach a log: known secret keys are redacted, and protocol traces mask AUTH data themselves.

import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LogOptions {
  level?: string;
  format?: 'auto' | 'json' | 'pretty';
  /** Write to this stream instead of stdout (tests). */
  destination?: NodeJS.WritableStream;
}

const REDACT = ['password', 'pass', 'secret', '*.password', '*.pass', '*.secret', 'authorization'];

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.POSTHORN_LOG_LEVEL ?? 'info';
  const base: LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT, censor: '***' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.format === 'pretty' || (options.format !== 'json' && process.stdout.isTTY === true);
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' },
      },
    });
  }
  return pino(base);
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
