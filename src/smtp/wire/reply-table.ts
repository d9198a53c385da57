// Every reply the SMTP server sends, named, in one table (DESIGN.md §5). Codes: RFC 5321 §4.2.2/§4.2.3;
// enhanced codes: RFC 3463 (and RFC 4954 §6 for AUTH, RFC 6531 for SMTPUTF8, RFC 3030 for BDAT).

import { reply as r } from './reply.ts';

export const replies = {
  // ---- 2xx
  greeting: (hostname: string) => r(220, null, `${hostname} ESMTP Posthorn`),
  startTls: r(220, '2.0.0', 'Ready to start TLS'),
  closing: r(221, '2.0.0', 'Bye'),
  help: r(214, '2.0.0', [
    'Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH',
    'See RFC 5321',
  ]),
  helo: (hostname: string) => r(250, null, hostname),
  ehlo: (lines: readonly string[]) => r(250, null, lines),
  ok: r(250, '2.0.0', 'Ok'),
  senderOk: r(250, '2.1.0', 'Sender ok'),
  recipientOk: r(250, '2.1.5', 'Recipient ok'),
  queued: (id: string) => r(250, '2.0.0', `Ok: queued as ${id}`),
  chunkReceived: (octets: number) => r(250, '2.0.0', `${octets} octets received`),
  authSucceeded: r(235, '2.7.0', 'Authentication successful'),
  cannotVrfy: r(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery'),

  // ---- 3xx
  startMailInput: r(354, null, 'End data with <CR><LF>.<CR><LF>'),
  authChallenge: (base64: string) => r(334, null, base64),

  // ---- 4xx
  shuttingDown: r(421, '4.3.2', 'Service shutting down, closing connection'),
  timeout: r(421, '4.4.2', 'Timeout exceeded, closing connection'),
  tooManyErrors: r(421, '4.7.0', 'Too many errors, closing connection'),
  tooManyConnections: r(421, '4.7.0', 'Too many connections, try again later'),
  tooManyAuthFailures: r(421, '4.7.0', 'Too many authentication failures, closing connection'),
  tlsFailed: r(421, '4.7.0', 'TLS negotiation failed'),
  temporaryFailure: r(451, '4.3.0', 'Temporary failure, please try again later'),
  storageUnavailable: r(451, '4.3.0', 'Mail store temporarily unavailable, please try again later'),
  tooManyRecipients: r(452, '4.5.3', 'Too many recipients'),
  authTemporaryFailure: r(454, '4.7.0', 'Temporary authentication failure'),
  tlsNotAvailable: r(454, '4.7.0', 'TLS not available'),

  // ---- 5xx: syntax and sequence
  commandUnrecognized: r(500, '5.5.1', 'Command not recognized'),
  lineTooLong: r(500, '5.5.2', 'Line too long'),
  bareLineEnding: r(500, '5.5.2', 'Bare CR or LF in command; lines must end with CRLF'),
  invalidUtf8: r(500, '5.5.2', 'Invalid UTF-8 in command'),
  authLineTooLong: r(500, '5.5.6', 'Authentication exchange line is too long'),
  syntax: (usage: string) => r(501, '5.5.4', `Syntax: ${usage}`),
  badSenderSyntax: (why: string) => r(501, '5.1.7', `Bad sender address syntax: ${why}`),
  badRecipientSyntax: (why: string) => r(501, '5.1.3', `Bad recipient address syntax: ${why}`),
  authCancelled: r(501, '5.0.0', 'Authentication cancelled'),
  authBadBase64: r(501, '5.5.2', 'Invalid base64 data'),
  authMalformed: r(501, '5.5.2', 'Malformed authentication data'),
  notImplemented: r(502, '5.5.1', 'Command not implemented'),
  authNotAvailable: r(502, '5.5.1', 'Authentication not available on this service'),
  needHelo: r(503, '5.5.1', 'Send EHLO or HELO first'),
  needMail: r(503, '5.5.1', 'Need MAIL command first'),
  needRcpt: r(503, '5.5.1', 'Need RCPT command first'),
  nestedMail: r(503, '5.5.1', 'Sender already specified'),
  alreadyAuthenticated: r(503, '5.5.1', 'Already authenticated'),
  authInTransaction: r(503, '5.5.1', 'AUTH not permitted during a mail transaction'),
  alreadySecure: r(503, '5.5.1', 'TLS already active'),
  dataAfterBdat: r(503, '5.5.1', 'DATA not permitted after BDAT in the same transaction'),
  badSequence: r(503, '5.5.1', 'Bad sequence of commands'),
  mechanismUnknown: r(504, '5.5.4', 'Unrecognized authentication mechanism'),
  paramNotRecognized: (name: string) => r(555, '5.5.4', `Unsupported parameter ${name}`),
  paramInvalid: (name: string) => r(501, '5.5.4', `Invalid value for parameter ${name}`),
  paramDuplicate: (name: string) => r(501, '5.5.4', `Parameter ${name} given twice`),
  paramsNeedEhlo: r(555, '5.5.4', 'ESMTP parameters require EHLO'),

  // ---- 5xx: policy
  authRequired: r(530, '5.7.0', 'Authentication required'),
  authInvalid: r(535, '5.7.8', 'Authentication credentials invalid'),
  encryptionRequired: r(538, '5.7.11', 'Encryption required for requested authentication mechanism'),
  unknownUser: r(550, '5.1.1', 'Recipient address rejected: user unknown'),
  relayDenied: r(554, '5.7.1', 'Relay access denied'),
  senderNotOwned: r(553, '5.7.1', 'Sender address rejected: not owned by the authenticated user'),
  nonAsciiSender: r(553, '5.6.7', 'Non-ASCII sender address requires SMTPUTF8'),
  nonAsciiRecipient: r(553, '5.6.7', 'Non-ASCII recipient address requires SMTPUTF8'),
  sizeExceeded: r(552, '5.3.4', 'Message size exceeds fixed maximum message size'),
  noValidRecipients: r(554, '5.5.1', 'No valid recipients'),
  mailLoop: r(554, '5.4.6', 'Too many hops: mail loop detected'),
  bareLineEndingInData: r(554, '5.5.2', 'Message contains bare CR or LF; lines must end with CRLF'),
  mailboxUnavailable: r(550, '5.2.1', 'Mailbox unavailable'),
} as const;
