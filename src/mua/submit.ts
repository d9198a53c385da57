// Submission (RFC 6409) through Posthorn's own SMTP client (src/smtp/client): implicit TLS on 465
// (RFC 8314), required STARTTLS on 587, or plain for local set-ups; AUTH with the account's password.
// Submitter is the seam the send commands use, so tests can stand in for the network.

import { hostname } from 'node:os';
import { UserError } from '../cli/errors.ts';
import {
  connectSmtp,
  sendMessage,
  SmtpClientError,
  type SmtpClient,
  type TlsMode as SmtpTlsMode,
} from '../smtp/client/index.ts';
import { formatReply } from '../smtp/wire/reply-parser.ts';
import { tlsOptionsFor } from './imap-connect.ts';
import type { MailProfile } from './profile.ts';

export interface SubmitEnvelope {
  from: string;
  recipients: string[];
  smtputf8: boolean;
  eightBit: boolean;
}

export interface SubmitOutcome {
  accepted: string[];
  rejected: Array<{ address: string; reply: string }>;
}

export interface Submitter {
  submit(envelope: SubmitEnvelope, message: Buffer): Promise<SubmitOutcome>;
  /** Connects, secures and logs in, then quits: does the account work? */
  check(): Promise<void>;
}

const TLS_MODE: Record<MailProfile['smtp']['tls'], SmtpTlsMode> = {
  tls: 'implicit',
  starttls: 'starttls',
  none: 'none',
};

/** Our name in EHLO: the host name when it looks like a domain, else an address literal (RFC 5321 §4.1.4). */
export function ehloName(name = hostname()): string {
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(
    name,
  )
    ? name
    : '[127.0.0.1]';
}

export function smtpSubmitter(profile: MailProfile, password: string): Submitter {
  const server = profile.smtp;
  const where = `SMTP ${server.host}:${server.port}`;
  const connect = async (): Promise<SmtpClient> => {
    try {
      return await connectSmtp({
        host: server.host,
        port: server.port,
        localName: ehloName(),
        tls: TLS_MODE[server.tls],
        tlsOptions: tlsOptionsFor(profile),
        auth: { username: server.user, password },
        timeouts: { connectMs: 30_000, greetingMs: 60_000, commandMs: 120_000 },
      });
    } catch (err) {
      throw describeSmtpError(err, where);
    }
  };
  return {
    async check() {
      const client = await connect();
      await client.quit().catch(() => client.destroy());
    },
    async submit(envelope, message) {
      const client = await connect();
      try {
        const result = await sendMessage(
          client,
          {
            from: envelope.from,
            recipients: envelope.recipients.map((address) => ({ address })),
            smtputf8: envelope.smtputf8,
            eightBit: envelope.eightBit,
          },
          message,
        );
        const outcome: SubmitOutcome = { accepted: [], rejected: [] };
        for (const r of result.recipients) {
          if (r.reply.code >= 200 && r.reply.code < 300) outcome.accepted.push(r.address);
          else
            outcome.rejected.push({
              address: r.address,
              reply: formatReply(r.reply).replace(/\r?\n/g, ' ').trim(),
            });
        }
        return outcome;
      } catch (err) {
        throw describeSmtpError(err, where);
      } finally {
        if (client.usable) await client.quit().catch(() => {});
        else client.destroy();
      }
    },
  };
}

function describeSmtpError(err: unknown, where: string): Error {
  if (err instanceof SmtpClientError) {
    if (err.phase === 'auth') return new UserError(`${where}: login failed: ${err.message}`);
    return new UserError(`${where}: ${err.message}`);
  }
  if (err instanceof UserError) return err;
  return new UserError(`${where}: ${(err as Error).message}`);
}
