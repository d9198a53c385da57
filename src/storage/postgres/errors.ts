// PostgreSQL failures mapped to the storage port's errors (DESIGN.md §4.7): anything about the server being
// unreachable, restarting, overloaded or out of space is StorageUnavailable, so protocols answer with a
// temporary error; constraint violations the code does not check first become AlreadyExists / NotFound.
// SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html

import { AlreadyExists, NotFound, StorageError, StorageUnavailable } from '../ports.ts';

interface PgErrorShape {
  code?: string;
  message: string;
  detail?: string;
}

/** Node socket errors seen while connecting to or talking with the server. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT', // a Unix socket path that is not there (server down)
]);

/** Messages node-postgres uses for connection trouble (these errors carry no code). */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /connection timeout/i,
  /timeout exceeded when trying to connect/i,
  /client was closed and is not queryable/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /not queryable/i,
];

// Whole SQLSTATE classes that mean "try again later": 08 connection exception, 53 insufficient resources
// (disk full, out of memory, too many connections), 58 system error (I/O).
const UNAVAILABLE_CLASSES = new Set(['08', '53', '58']);
const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovery)
  '57P05', // idle_session_timeout
  '57014', // query_canceled (statement_timeout)
  '55P03', // lock_not_available (lock_timeout)
  '25006', // read_only_sql_transaction (a standby, or a failover in progress)
  '40001', // serialization_failure, after the retries
  '40P01', // deadlock_detected, after the retries
  '25P03', // idle_in_transaction_session_timeout
]);

function isPgError(error: unknown): error is PgErrorShape {
  return error instanceof Error;
}

/** True when the error means the connection itself is broken (the client must not go back to the pool). */
export function isConnectionError(error: unknown): boolean {
  if (!isPgError(error)) return false;
  const code = error.code;
  if (code !== undefined) {
    if (SOCKET_CODES.has(code)) return true;
    if (code.length === 5) return code.startsWith('08') || code.startsWith('57P');
    return false;
  }
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** Errors after which PostgreSQL has rolled the transaction back and running it again may succeed. */
export function isRetryable(error: unknown): boolean {
  const code = isPgError(error) ? error.code : undefined;
  return code === '40001' || code === '40P01';
}

export function mapPgError(error: unknown): unknown {
  if (error instanceof StorageError || !isPgError(error)) return error;
  const code = error.code;
  const text = `postgres: ${error.message}`;
  if (isConnectionError(error)) return new StorageUnavailable(text, { cause: error });
  if (code === undefined || code.length !== 5) return new StorageError(text, { cause: error });
  if (code === '23505') return new AlreadyExists(error.detail ?? error.message, { cause: error });
  if (code === '23503') {
    return new NotFound(`a referenced record does not exist (${error.detail ?? error.message})`, {
      cause: error,
    });
  }
  if (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_CLASSES.has(code.slice(0, 2))) {
    return new StorageUnavailable(text, { cause: error });
  }
  return new StorageError(text, { cause: error });
}
