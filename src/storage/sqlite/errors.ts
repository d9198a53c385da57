// SQLite failures mapped to the storage port's errors. Constraint violations that the code does not check
// first become AlreadyExists / NotFound; anything about the database being unreachable, busy, full or
// damaged becomes StorageUnavailable so protocols answer with a temporary error (DESIGN.md §4.7).

import { AlreadyExists, NotFound, StorageError, StorageUnavailable } from '../ports.ts';

interface SqliteErrorShape {
  code: string;
  errcode?: number;
  errstr?: string;
  message: string;
}

// Primary result codes, https://sqlite.org/rescode.html
const SQLITE_CONSTRAINT = 19;
const UNAVAILABLE_CODES = new Set([
  5, // BUSY
  6, // LOCKED
  7, // NOMEM
  8, // READONLY
  10, // IOERR
  11, // CORRUPT
  13, // FULL
  14, // CANTOPEN
  15, // PROTOCOL
  26, // NOTADB
]);
const CONSTRAINT_UNIQUE = 2067;
const CONSTRAINT_PRIMARYKEY = 1555;
const CONSTRAINT_FOREIGNKEY = 787;

function isSqliteError(error: unknown): error is SqliteErrorShape {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

export function mapSqliteError(error: unknown): unknown {
  if (error instanceof StorageError || !isSqliteError(error)) return error;
  if (error.code === 'ERR_INVALID_STATE') {
    return new StorageUnavailable(`sqlite: ${error.message}`, { cause: error });
  }
  if (error.code !== 'ERR_SQLITE_ERROR' || error.errcode === undefined) return error;
  const primary = error.errcode & 0xff;
  if (error.errcode === CONSTRAINT_UNIQUE || error.errcode === CONSTRAINT_PRIMARYKEY) {
    return new AlreadyExists(error.message, { cause: error });
  }
  if (error.errcode === CONSTRAINT_FOREIGNKEY) {
    return new NotFound(`a referenced record does not exist (${error.message})`, { cause: error });
  }
  if (primary === SQLITE_CONSTRAINT) return new StorageError(error.message, { cause: error });
  if (UNAVAILABLE_CODES.has(primary)) {
    return new StorageUnavailable(`sqlite: ${error.message}`, { cause: error });
  }
  return new StorageError(`sqlite: ${error.message}`, { cause: error });
}
