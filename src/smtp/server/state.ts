// The session state (RFC 5321 §3: handshake, mail transaction, closure) as a discriminated union:
// each phase carries only the data valid in it.

import type { InboundRecipient } from '../../delivery/envelope.ts';
import type { BdatAccumulator } from '../wire/bdat.ts';
import type { MailParams } from '../wire/esmtp-params.ts';
import type { Mailbox } from '../wire/path.ts';

export interface Helo {
  domain: string;
  /** EHLO rather than HELO: ESMTP parameters allowed. */
  extended: boolean;
}

export interface Transaction {
  /** null = the null reverse-path <>. */
  sender: Mailbox | null;
  params: MailParams;
  recipients: InboundRecipient[];
  /** Set once a BDAT chunk arrived (RFC 3030); DATA is then refused. */
  bdat: BdatAccumulator | null;
}

export type SessionState =
  /** Greeting sent; EHLO/HELO expected. */
  | { phase: 'connected' }
  /** EHLO/HELO done; no transaction. */
  | { phase: 'ready'; helo: Helo }
  /** MAIL accepted; RCPT, DATA, BDAT expected. */
  | { phase: 'mail'; helo: Helo; tx: Transaction };
