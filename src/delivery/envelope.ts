// What the SMTP session hands to delivery: the envelope (RFC 5321 §2.3.1) with each recipient already
// routed (at RCPT time), and what the Received header needs to say about the session (RFC 5321 §4.4).

import type { AccountId, DsnNotify } from '../storage/ports.ts';

/** Where one RCPT address leads: a local account's INBOX, or a remote address for the outgoing queue. */
export type RecipientTarget =
  { kind: 'local'; accountId: AccountId; address: string } | { kind: 'remote'; address: string };

export interface InboundRecipient {
  /** The address as given in RCPT TO (canonical form, domain lower-cased). */
  address: string;
  /** RFC 3461 NOTIFY; empty = not given. */
  notify: DsnNotify[];
  /** RFC 3461 ORCPT as "addr-type;address", or null. */
  orcpt: string | null;
  /** One address can lead to several targets (aliases); never empty. */
  targets: RecipientTarget[];
}

export interface SessionTrace {
  /** The EHLO/HELO argument. */
  helo: string;
  /** The client's IP address. */
  remoteAddress: string;
  /** EHLO (ESMTP) rather than HELO. */
  extended: boolean;
  /** TLS in use, with what the Received comment shows (RFC 3848). */
  tls: { protocol: string | null; cipher: string | null } | null;
  /** The session authenticated (submission). Only the fact goes in the header (RFC 3848 ESMTPA). */
  authenticated: boolean;
}

export interface InboundEnvelope {
  /** Envelope sender; "" is the null reverse-path <>. */
  sender: string;
  recipients: InboundRecipient[];
  /** The client gave SMTPUTF8 on MAIL (RFC 6531). */
  smtputf8: boolean;
  /** BODY= on MAIL (RFC 6152), null when not given. */
  body: '7BIT' | '8BITMIME' | null;
  /** RFC 3461 RET and ENVID. */
  ret: 'FULL' | 'HDRS' | null;
  envId: string | null;
  trace: SessionTrace;
}

export interface AcceptResult {
  /** The queue id: the queue entry's id when remote recipients were queued, else a fresh id of the same form. */
  id: string;
  /** Local accounts the message was delivered to. */
  delivered: number;
  /** Recipients handed to the outgoing queue. */
  queued: number;
}
