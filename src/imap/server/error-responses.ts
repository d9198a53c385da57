// Domain errors -> tagged replies, in one place (DESIGN.md §3.3). Unexpected errors become NO [SERVERBUG] and
// are logged with the session id, so a user's report can be matched to the log line.

import type { Logger } from '../../log/logger.ts';
import {
  InvalidMailboxName,
  MailboxHasChildren,
  MailboxNotSelectable,
  MailboxOperationRefused,
} from '../../mailbox/errors.ts';
import { AlreadyExists, NotEmpty, NotFound, StorageUnavailable } from '../../storage/ports.ts';
import { ImapParseError } from '../wire/errors.ts';
import { ImapReply, type Completion } from './reply.ts';

export function errorCompletion(error: unknown, log: Logger, sessionId: string): Completion {
  if (error instanceof ImapReply) return error.completion;
  if (error instanceof ImapParseError) {
    const code = error.code ? formatParseCode(error.code.name, error.code.args) : null;
    return { status: error.status, code, text: error.message };
  }
  if (error instanceof NotFound) return { status: 'NO', code: 'NONEXISTENT', text: 'No such mailbox' };
  if (error instanceof AlreadyExists)
    return { status: 'NO', code: 'ALREADYEXISTS', text: 'Mailbox already exists' };
  if (error instanceof MailboxHasChildren) {
    return { status: 'NO', code: 'HASCHILDREN', text: 'Mailbox has inferior hierarchical names' };
  }
  if (error instanceof MailboxNotSelectable) {
    return { status: 'NO', code: 'CANNOT', text: 'Mailbox is not selectable (\\Noselect)' };
  }
  if (error instanceof InvalidMailboxName || error instanceof MailboxOperationRefused) {
    return { status: 'NO', code: 'CANNOT', text: error.message };
  }
  if (error instanceof NotEmpty) return { status: 'NO', code: 'CANNOT', text: error.message };
  if (error instanceof StorageUnavailable) {
    log.warn({ err: error, session: sessionId }, 'storage unavailable');
    return { status: 'NO', code: 'UNAVAILABLE', text: 'Temporary failure, try again later' };
  }
  log.error({ err: error, session: sessionId }, 'unexpected error in IMAP command');
  return { status: 'NO', code: 'SERVERBUG', text: `Internal error (session ${sessionId})` };
}

function formatParseCode(name: string, args: ReadonlyArray<string | number | readonly string[]>): string {
  const parts = args.map((a) => (Array.isArray(a) ? `(${a.join(' ')})` : String(a)));
  return [name, ...parts].join(' ');
}
