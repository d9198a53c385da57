// What one attempt did for one recipient, and how that is stored in the queue row and shown to people.
// Stored errors read "<status> <text>" (RFC 3463 status first), e.g.
//   "4.4.1 connect to mx.hamburger.edu[192.0.2.1]:25 failed: ECONNREFUSED"
//   "5.1.1 mx.hamburger.edu[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO)"
// so a later DSN (expiry, operator bounce) can recover the status from the row alone.

import type { RecipientResult } from '../storage/ports.ts';
import { phaseCommand } from '../smtp/client/smtp-client.ts';
import type { SmtpPhase } from '../smtp/client/errors.ts';
import { formatReply, type SmtpReply } from '../smtp/wire/reply-parser.ts';
import type { Candidate } from './next-hop.ts';

export interface DeliveryOutcome {
  address: string;
  state: 'delivered' | 'failed' | 'pending';
  /** RFC 3463 status, "x.y.z". */
  status: string;
  /** One line for people: what happened where. */
  text: string;
  /** The remote reply as one line ("550 5.1.1 no such user"), for DSN Diagnostic-Code "smtp; …". */
  smtpReply: string | null;
  /** Host name of the remote MTA that answered (DSN Remote-MTA). */
  remoteMta: string | null;
  /** The remote MTA took over DSN duties (it offered DSN and got NOTIFY/ORCPT), so no "relayed" DSN from us. */
  dsnPassedOn?: boolean;
}

export function describeCandidate(c: Candidate): string {
  const address = c.address.includes(':') ? `[${c.address}]` : c.address;
  return c.hostname === c.address ? address : `${c.hostname}[${c.address}]`;
}

export function outcomeFromReply(
  address: string,
  reply: SmtpReply,
  phase: SmtpPhase,
  candidate: Candidate,
  dsnPassedOn = false,
): DeliveryOutcome {
  const said = formatReply(reply);
  const state = reply.code < 300 ? 'delivered' : reply.code < 500 ? 'pending' : 'failed';
  return {
    address,
    state,
    status: reply.enhanced ?? `${String(reply.code)[0]}.0.0`,
    text: `${describeCandidate(candidate)} said: ${said} (in reply to ${phaseCommand(phase)})`,
    smtpReply: said,
    remoteMta: candidate.hostname,
    dsnPassedOn,
  };
}

export function outcomeFromError(
  address: string,
  status: string,
  text: string,
  extra: { remoteMta?: string | null; smtpReply?: string | null } = {},
): DeliveryOutcome {
  return {
    address,
    state: status.startsWith('5') ? 'failed' : 'pending',
    status,
    text,
    smtpReply: extra.smtpReply ?? null,
    remoteMta: extra.remoteMta ?? null,
  };
}

/** The queue row update for an outcome. */
export function toRecipientResult(o: DeliveryOutcome): RecipientResult {
  const line = `${o.status} ${o.text}`;
  if (o.state === 'delivered')
    return { address: o.address, state: 'delivered', error: null, finalReply: line };
  if (o.state === 'failed') return { address: o.address, state: 'failed', error: line, finalReply: line };
  return { address: o.address, state: 'pending', error: line, finalReply: null };
}

const STATUS = /^([245]\.\d{1,3}\.\d{1,3}) (.*)$/s;

/** Splits a stored "<status> <text>" line; the status defaults to `fallback` for free text. */
export function parseStoredError(line: string | null, fallback: string): { status: string; text: string } {
  if (!line) return { status: fallback, text: 'no details recorded' };
  const m = STATUS.exec(line);
  return m ? { status: m[1]!, text: m[2]! } : { status: fallback, text: line };
}

/** The remote reply inside a stored text ("… said: 550 5.1.1 … (in reply to …)"), or null. */
export function smtpReplyOf(text: string): string | null {
  const m = / said: (\d{3}\b.*?) \(in reply to [^)]*\)$/.exec(text);
  return m ? m[1]! : null;
}
