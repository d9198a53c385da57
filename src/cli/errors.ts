// How the CLI reports failures: user errors (bad input, bad config, a name that exists or does not)
// become one line on stderr and exit status 1; anything else is a bug and shows its stack.

import { ConfigError } from '../config/validate.ts';
import { StorageError, StorageUnavailable } from '../storage/ports.ts';

/** A mistake in what the user asked for; the message says what and how to fix it. */
export class UserError extends Error {
  override name = 'UserError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Error classes from other modules that carry a message meant for the operator. */
const userErrorNames = new Set([
  'ConfigError',
  'UserError',
  'AccountError',
  'InvalidAddress',
  'InvalidPassword',
  'QueueAdminError',
]);

/** Failures of the environment rather than of Posthorn: a port in use or not allowed, a refused connection. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

export function isUserError(error: unknown): error is Error {
  if (error instanceof UserError || error instanceof ConfigError || isSystemError(error)) return true;
  // NotFound, AlreadyExists, NotEmpty: the store names the thing; StorageUnavailable: the database failed.
  if (error instanceof StorageError) return true;
  return error instanceof Error && userErrorNames.has(error.name);
}

/** Prints the error and returns the exit status. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isUserError(error)) {
    const prefix = error instanceof StorageUnavailable ? 'storage unavailable: ' : '';
    stderr.write(`posthorn: ${prefix}${oneLine(error.message)}\n`);
    return error instanceof UserError ? error.exitCode : 1;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stderr.write(`posthorn: internal error (please report it): ${stack}\n`);
  return 70; // EX_SOFTWARE
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
