// Errors of the SMTP client, as data the queue maps to retry/bounce and the MUA to messages.
// Every error says in which phase it happened (for "in reply to RCPT TO" in DSNs and logs)
// and whether a later attempt may succeed.

import { formatReply, type SmtpReply } from '../wire/reply-parser.ts';

export type SmtpPhase =
  | 'connect'
  | 'greeting'
  | 'ehlo'
  | 'helo'
  | 'starttls'
  | 'tls'
  | 'auth'
  | 'mail'
  | 'rcpt'
  | 'data'
  | 'data-end'
  | 'bdat'
  | 'rset'
  | 'quit';

export type SmtpErrorKind =
  /** TCP connection could not be made (refused, unreachable, timed out). */
  | 'connect'
  /** No reply (or no progress writing) within the phase's timeout. */
  | 'timeout'
  /** The server closed the connection. */
  | 'closed'
  /** A negative reply to a session command (greeting, EHLO, STARTTLS, AUTH, RSET). */
  | 'reply'
  /** Malformed or out-of-place reply. */
  | 'protocol'
  /** TLS handshake failed, or TLS was required and not offered. */
  | 'tls'
  /** Refused before sending: the server cannot take this message (SIZE, SMTPUTF8); the session is still usable. */
  | 'unsupported';

export class SmtpClientError extends Error {
  override name = 'SmtpClientError';
  readonly kind: SmtpErrorKind;
  readonly phase: SmtpPhase;
  readonly reply: SmtpReply | null;
  /** RFC 3463 status for DSNs and queue errors: the reply's enhanced code, or one chosen for the kind. */
  readonly status: string;

  constructor(
    kind: SmtpErrorKind,
    phase: SmtpPhase,
    message: string,
    opts: { reply?: SmtpReply; status?: string } = {},
  ) {
    super(message);
    this.kind = kind;
    this.phase = phase;
    this.reply = opts.reply ?? null;
    this.status = opts.status ?? statusFor(kind, this.reply);
  }

  /** A later attempt may succeed: everything except permanent replies and unsupported requirements. */
  get temporary(): boolean {
    if (this.kind === 'unsupported') return false;
    if (this.reply) return this.reply.code < 500;
    return true;
  }
}

function statusFor(kind: SmtpErrorKind, reply: SmtpReply | null): string {
  if (reply) return reply.enhanced ?? `${String(reply.code)[0]}.0.0`;
  switch (kind) {
    case 'connect':
      return '4.4.1'; // no answer from host
    case 'timeout':
    case 'closed':
      return '4.4.2'; // bad connection
    case 'tls':
      return '4.7.5'; // cryptographic failure
    case 'protocol':
      return '4.5.0';
    default:
      return '4.0.0';
  }
}

export function describeReply(reply: SmtpReply): string {
  return formatReply(reply);
}
