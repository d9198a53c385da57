// Talking to one destination: connect to the first next-hop address that answers (every address of every
// MX in order, RFC 5321 §5.1), then send jobs over that session. Each job is one queue entry's recipients
// for this destination; its outcome says per recipient delivered / failed / retry.

import type { Logger } from '../log/logger.ts';
import type { QueueEntry, QueueRecipient } from '../storage/ports.ts';
import { SmtpClientError } from '../smtp/client/errors.ts';
import type { SmtpConnectFn } from '../smtp/client/connect.ts';
import type { ClientTimeouts, SmtpClient } from '../smtp/client/smtp-client.ts';
import { sendMessage } from '../smtp/client/transaction.ts';
import { formatReply } from '../smtp/wire/reply-parser.ts';
import type { Candidate, NextHop } from './next-hop.ts';
import { describeCandidate, outcomeFromError, outcomeFromReply, type DeliveryOutcome } from './outcome.ts';

export interface Job {
  entry: QueueEntry;
  /** The recipient domain (any of them for a static route destination). */
  domain: string;
  recipients: QueueRecipient[];
  /** The message bytes (loaded once per entry). */
  body(): Promise<Buffer>;
}

export interface ConnectSettings {
  connect: SmtpConnectFn;
  localName: string;
  verifyTls: boolean;
  timeouts: ClientTimeouts;
  log: Logger;
}

export type ConnectResult =
  | { ok: true; client: SmtpClient; candidate: Candidate }
  | { ok: false; failure: (address: string) => DeliveryOutcome; summary: string };

export async function connectToNextHop(hop: NextHop, s: ConnectSettings): Promise<ConnectResult> {
  let last: { candidate: Candidate; err: unknown } | null = null;
  for (const candidate of hop.candidates) {
    const attempt = (tls: 'starttls' | 'opportunistic' | 'none') =>
      s.connect({
        host: candidate.address,
        port: candidate.port,
        servername: candidate.hostname,
        localName: s.localName,
        tls,
        verifyCertificate: s.verifyTls,
        timeouts: s.timeouts,
        log: s.log.child({ remote: `${describeCandidate(candidate)}:${candidate.port}` }),
      });
    try {
      return { ok: true, client: await attempt(hop.requireTls ? 'starttls' : 'opportunistic'), candidate };
    } catch (err) {
      s.log.info(
        { remote: describeCandidate(candidate), err: (err as Error).message },
        'next-hop address failed',
      );
      last = { candidate, err };
      // Opportunistic TLS that breaks in the handshake: like Postfix's "may" level, try the same host
      // again in plain text rather than never delivering (RFC 7435). Not when TLS is required or verified.
      if (
        err instanceof SmtpClientError &&
        err.kind === 'tls' &&
        err.phase === 'tls' &&
        !hop.requireTls &&
        !s.verifyTls
      ) {
        try {
          return { ok: true, client: await attempt('none'), candidate };
        } catch (again) {
          last = { candidate, err: again };
        }
      }
    }
  }
  if (!last)
    return {
      ok: false,
      failure: (a) => outcomeFromError(a, '4.4.4', 'no next-hop address'),
      summary: 'no address',
    };
  const { candidate, err } = last;
  const text = err instanceof Error ? err.message : String(err);
  if (err instanceof SmtpClientError) {
    // A permanent refusal by the last host tried (e.g. 554 greeting) bounces; anything else is retried.
    const status = err.temporary ? temporaryStatus(err.status) : err.status;
    const smtpReply = err.reply ? formatReply(err.reply) : null;
    return {
      ok: false,
      failure: (a) => outcomeFromError(a, status, text, { remoteMta: candidate.hostname, smtpReply }),
      summary: text,
    };
  }
  return {
    ok: false,
    failure: (a) => outcomeFromError(a, '4.4.1', text, { remoteMta: candidate.hostname }),
    summary: text,
  };
}

/** Sends one job over an open session. Never throws: every recipient gets an outcome. */
export async function deliverJob(
  client: SmtpClient,
  candidate: Candidate,
  job: Job,
  options: { chunking: boolean },
): Promise<DeliveryOutcome[]> {
  const { entry } = job;
  try {
    const body = await job.body();
    const result = await sendMessage(
      client,
      {
        from: entry.sender,
        recipients: job.recipients.map((r) => ({ address: r.address, notify: r.notify, orcpt: r.orcpt })),
        smtputf8: entry.smtputf8,
        eightBit: entry.eightBit,
        ret: entry.ret,
        envId: entry.envId,
      },
      body,
      { chunking: options.chunking },
    );
    return result.recipients.map((r) =>
      outcomeFromReply(r.address, r.reply, r.phase, candidate, result.dsnPassedOn),
    );
  } catch (err) {
    if (err instanceof SmtpClientError) {
      const status = err.temporary ? temporaryStatus(err.status) : err.status;
      const text = `${describeCandidate(candidate)}: ${err.message}`;
      const smtpReply = err.reply ? formatReply(err.reply) : null;
      return job.recipients.map((r) =>
        outcomeFromError(r.address, status, text, { remoteMta: candidate.hostname, smtpReply }),
      );
    }
    client.markBroken();
    const text = `local error while sending: ${(err as Error).message}`;
    return job.recipients.map((r) => outcomeFromError(r.address, '4.3.0', text));
  }
}

/** A temporary failure must carry a 4.x.x status (some errors come with a 5.x.x code of their kind). */
function temporaryStatus(status: string): string {
  return status.startsWith('4') ? status : `4${status.slice(1)}`;
}
