// The SMTP client (RFC 5321 client side): used by the outgoing queue for MX delivery and by the MUA for
// submission. Open a session with connectSmtp(), send with client.send()/sendMessage(), RSET between
// messages on the same session, quit() at the end.
//
//   const client = await connectSmtp({ host, port: 587, localName: 'laptop', tls: 'starttls',
//                                      auth: { username, password } });
//   const result = await sendMessage(client, { from, recipients: [{ address: to }] }, bytes);
//   await client.quit();
//
// result.recipients[i].reply is the deciding reply per recipient (2xx delivered, 4xx retry, 5xx failed).
// Thrown SmtpClientError: kind/phase/status/temporary tell what went wrong where.

export { connectSmtp, type SmtpConnectFn, type SmtpConnectOptions, type TlsMode } from './connect.ts';
export { SmtpClientError, type SmtpErrorKind, type SmtpPhase } from './errors.ts';
export {
  phaseCommand,
  RFC5321_TIMEOUTS,
  SmtpClient,
  type ClientTimeouts,
  type SmtpClientOptions,
  type SmtpCredentials,
  type TlsInfo,
} from './smtp-client.ts';
export {
  sendMessage,
  type EnvelopeRecipient,
  type OutgoingEnvelope,
  type RecipientOutcome,
  type SendOptions,
  type SendResult,
} from './transaction.ts';
export type { SmtpReply } from '../wire/reply-parser.ts';
