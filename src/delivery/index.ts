// Inbound delivery: what happens to a message once the SMTP session has it all (end of DATA / BDAT LAST).
//
//   acceptMessage(envelope, bytes)
//     1. hop count: too many Received fields → MailLoop (554 5.4.6)
//     2. prepend our Received field (RFC 5321 §4.4, RFC 3848 with-protocol)
//     3. parse once (parseMessage)
//     4. remote targets → the shared message stored once (store.mail.putBlob) and one queue entry
//        (store.queue.enqueue) with DSN NOTIFY/ORCPT/RET/ENVID, SMTPUTF8, 8BITMIME
//     5. local targets → each account's INBOX, with Return-Path and Delivered-To prepended: body, message row
//        and mailbox counters in one store call (store.mail.deliver), so one commit per recipient
//     6. return the queue id; only then does the session answer "250 2.0.0 Ok: queued as <id>"
//
// Invariants:
// - Every store call that returns has committed (DESIGN.md §4.1), so the 250 follows durable storage.
// - Local delivery is one store call and one transaction per account (atomic per recipient: the body, the
//   message row and the mailbox counters commit together); an account reached through several
//   addresses (aliases, +tags) gets the message once.
// - The message is parsed once. The shared message (Received + original) is stored once when anything is
//   queued, and is what the queue sends. Local copies differ only by their Return-Path/Delivered-To prefix,
//   and the store keeps whole messages, so each receiving account gets its own blob of prefix + shared message
//   (its index derived from the one parse by shifting offsets). Identical copies are stored once by the
//   store's content addressing.
// - One queue id per message, chosen before anything is stored: it is in our Received field's id clause, the
//   250 reply ("queued as"), every log line, and (when anything was queued) the queue entry, so `posthorn
//   queue` and the message's own headers name the same id.

import type { Clock } from '../app/context.ts';
import type { Logger } from '../log/logger.ts';
import { parseMessage } from '../message/parse.ts';
import type { ParsedMessage } from '../message/types.ts';
import type { AccountId, DsnNotify, MailStore, QueueStore } from '../storage/ports.ts';
import { newQueueId } from '../storage/queue-id.ts';
import type { AcceptResult, InboundEnvelope } from './envelope.ts';
import { MailLoop } from './errors.ts';
import { countReceivedFields } from './hop-count.ts';
import { deliverToMailbox } from './local-delivery.ts';
import { receivedField } from './received-header.ts';
import type { MessageAuth } from './message-auth.ts';
import { localTraceFields, prependWithIndex } from './trace-prefix.ts';

export type * from './envelope.ts';
export * from './errors.ts';

/** The parts of the store delivery uses (so tests can hand in small fakes). */
export interface DeliveryStore {
  mail: Pick<MailStore, 'putBlob' | 'deliver'>;
  queue: Pick<QueueStore, 'enqueue'>;
}

export interface DeliveryOptions {
  store: DeliveryStore;
  hostname: string;
  clock: Clock;
  log: Logger;
  /** Received fields at or above which a message is taken to loop (config smtp.max_received_headers). */
  maxReceivedHeaders: number;
  /** Called after a queue entry is committed, so the queue worker can wake up. */
  onQueued?: (id: string) => void;
  /** Inbound verification and DKIM signing (src/auth); none when absent. */
  auth?: MessageAuth;
  /** Parser (injectable for tests); parseMessage by default. */
  parse?: (bytes: Buffer) => ParsedMessage;
}

export class Delivery {
  readonly #o: DeliveryOptions;
  readonly #parse: (bytes: Buffer) => ParsedMessage;

  constructor(options: DeliveryOptions) {
    this.#o = options;
    this.#parse = options.parse ?? ((bytes) => parseMessage(bytes));
  }

  /**
   * Takes responsibility for the message: returns once it is committed to every local INBOX and to the
   * outgoing queue. Throws MailLoop, StorageUnavailable or other errors (nothing is acknowledged then).
   */
  async acceptMessage(
    envelope: InboundEnvelope,
    bytes: Buffer,
    context: { log?: Logger } = {},
  ): Promise<AcceptResult> {
    const log = context.log ?? this.#o.log;
    const hops = countReceivedFields(bytes);
    if (hops >= this.#o.maxReceivedHeaders) {
      throw new MailLoop(`${hops} Received fields (limit ${this.#o.maxReceivedHeaders})`);
    }
    const now = this.#o.clock.now();
    const queueId = newQueueId(now);
    const allRecipients = envelope.recipients.map((r) => r.address);
    const received = receivedField(
      {
        trace: envelope.trace,
        hostname: this.#o.hostname,
        smtputf8: envelope.smtputf8,
        id: queueId,
        forRecipient: allRecipients.length === 1 ? allRecipients[0]! : null,
        date: now,
      },
      usesBareLf(bytes) ? '\n' : '\r\n',
    );
    const auth = this.#o.auth;
    const check = auth
      ? await auth.checkInbound({
          message: bytes,
          mailFrom: envelope.sender,
          helo: envelope.trace.helo,
          remoteAddress: envelope.trace.remoteAddress,
          authenticated: envelope.trace.authenticated,
        })
      : { authResults: null, junk: false };
    let message: Buffer = Buffer.concat([Buffer.from(received, 'utf8'), bytes]);
    if (auth && check.authResults) message = auth.withAuthResults(message, check.authResults);
    let parsed = this.#parse(message);
    if (auth) {
      const signed = await auth.signOutgoing(message, fromDomainOf(parsed), envelope.trace.authenticated);
      if (signed !== message) {
        message = signed;
        parsed = this.#parse(message);
      }
    }

    // Targets: local accounts once each; remote addresses once each, keeping the first RCPT's DSN options.
    const local = new Map<AccountId, string>();
    const remote = new Map<string, { address: string; orcpt: string | null; notify: DsnNotify[] }>();
    for (const rcpt of envelope.recipients) {
      for (const target of rcpt.targets) {
        if (target.kind === 'local') {
          if (!local.has(target.accountId)) local.set(target.accountId, target.address);
        } else if (!remote.has(target.address)) {
          // RFC 3461 §5.2.1 (alias expansion): keep the original recipient as ORCPT.
          const orcpt = rcpt.orcpt ?? (target.address !== rcpt.address ? `rfc822;${rcpt.address}` : null);
          remote.set(target.address, { address: target.address, orcpt, notify: rcpt.notify });
        }
      }
    }

    let id: string;
    if (remote.size > 0) {
      const blobId = await this.#o.store.mail.putBlob(message, parsed);
      const entry = await this.#o.store.queue.enqueue({
        id: queueId,
        blobId,
        sender: envelope.sender,
        recipients: [...remote.values()],
        size: message.length,
        envId: envelope.envId,
        ret: envelope.ret,
        smtputf8: envelope.smtputf8 && needsSmtputf8(envelope, message, parsed),
        eightBit: envelope.body === '8BITMIME' || parsed.eightBit,
        nextAttemptAt: now,
      });
      id = entry.id;
      log.info({ queueId: id, recipients: remote.size, size: message.length }, 'queued for remote delivery');
      this.#o.onQueued?.(id);
    } else {
      id = queueId;
    }

    for (const [accountId, address] of local) {
      const copy = prependWithIndex(message, parsed, localTraceFields(envelope.sender, address));
      const mailbox = check.junk ? 'Junk' : 'INBOX';
      const { uid } = await deliverToMailbox(this.#o.store.mail, accountId, copy, now, mailbox);
      log.info(
        { queueId: id, mailbox: `${address}/${mailbox}`, uid, size: copy.bytes.length },
        'delivered locally',
      );
    }
    return { id, delivered: local.size, queued: remote.size };
  }
}

/**
 * RFC 6531: the next hop must support SMTPUTF8 only if an envelope address or a header field is non-ASCII
 * (an 8-bit body needs only 8BITMIME).
 */
function needsSmtputf8(envelope: InboundEnvelope, message: Buffer, parsed: ParsedMessage): boolean {
  const nonAscii = (s: string) => /[^\x00-\x7f]/.test(s);
  const addresses = envelope.recipients.flatMap((r) => [r.address, ...r.targets.map((t) => t.address)]);
  if (nonAscii(envelope.sender) || addresses.some(nonAscii)) return true;
  return message.subarray(0, parsed.body.bodyStart).some((b) => b >= 0x80);
}

/** The domain of the first From address, for DKIM signing (RFC 6376 §6.1.1 d= must align with From for DMARC). */
function fromDomainOf(parsed: ParsedMessage): string | null {
  const host = parsed.envelope.from?.find((a) => a.host)?.host;
  return host ? host.toLowerCase() : null;
}

/** The message's own line ending convention (a BDAT message may use bare LF); trace fields follow it. */
function usesBareLf(message: Buffer): boolean {
  const newline = message.indexOf(0x0a);
  return newline >= 0 && (newline === 0 || message[newline - 1] !== 0x0d);
}
