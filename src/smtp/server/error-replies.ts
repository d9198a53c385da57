// The one place where errors become SMTP replies (DESIGN.md §3.3). Infrastructure faults are always 4xx.

import {
  AuthenticationRequired,
  MailLoop,
  PolicyRefusal,
  RelayDenied,
  SenderNotAllowed,
  UnknownRecipient,
} from '../../delivery/errors.ts';
import { StorageUnavailable } from '../../storage/ports.ts';
import type { SmtpReply } from '../wire/reply-parser.ts';
import { reply } from '../wire/reply.ts';
import { replies } from '../wire/reply-table.ts';

export interface ErrorReply {
  reply: SmtpReply;
  /** How loudly to log it: refusals are routine, infrastructure faults are not, unexpected errors are bugs. */
  level: 'info' | 'warn' | 'error';
}

export function replyForError(err: unknown): ErrorReply {
  if (err instanceof UnknownRecipient) return { reply: replies.unknownUser, level: 'info' };
  if (err instanceof RelayDenied) return { reply: replies.relayDenied, level: 'info' };
  if (err instanceof SenderNotAllowed) return { reply: replies.senderNotOwned, level: 'info' };
  if (err instanceof AuthenticationRequired) return { reply: replies.authRequired, level: 'info' };
  if (err instanceof MailLoop) return { reply: replies.mailLoop, level: 'info' };
  if (err instanceof PolicyRefusal) {
    const r = err.reply;
    return { reply: reply(r.code, r.enhanced, r.text), level: r.code >= 500 ? 'info' : 'warn' };
  }
  if (err instanceof StorageUnavailable) return { reply: replies.storageUnavailable, level: 'warn' };
  return { reply: replies.temporaryFailure, level: 'error' };
}
