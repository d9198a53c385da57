// The one place where errors become SMTP replies (DESIGN.md §3.3). Infrastructure faults are always 4xx.

import {
  AuthenticationRequired,
  MailLoop,
  RelayDenied,
  SenderNotAllowed,
  UnknownRecipient,
} from '../../delivery/errors.ts';
import { StorageUnavailable } from '../../storage/ports.ts';
import type { SmtpReply } from '../wire/reply-parser.ts';
import { replies } from '../wire/reply-table.ts';

export interface ErrorReply {
  reply: SmtpReply;
  /** Not a domain refusal: log it with the session id at error level. */
  unexpected: boolean;
  /** How loudly to log it: refusals are routine, infrastructure faults are not. */
  level: 'info' | 'warn' | 'error';
}

export function replyForError(err: unknown): ErrorReply {
  if (err instanceof UnknownRecipient)
    return { reply: replies.unknownUser, unexpected: false, level: 'info' };
  if (err instanceof RelayDenied) return { reply: replies.relayDenied, unexpected: false, level: 'info' };
  if (err instanceof SenderNotAllowed)
    return { reply: replies.senderNotOwned, unexpected: false, level: 'info' };
  if (err instanceof AuthenticationRequired)
    return { reply: replies.authRequired, unexpected: false, level: 'info' };
  if (err instanceof MailLoop) return { reply: replies.mailLoop, unexpected: false, level: 'info' };
  if (err instanceof StorageUnavailable)
    return { reply: replies.storageUnavailable, unexpected: false, level: 'warn' };
  return { reply: replies.temporaryFailure, unexpected: true, level: 'error' };
}
