// Where DSNs go once built. Bounces to local senders are delivered locally and to remote senders through the
// queue (sender <>, so a bounce never bounces): deliveryBounceSink does exactly that through inbound delivery
// (src/delivery), the same path a received message takes; storeBounceSink wires it to a whole store.
// queueBounceSink puts every bounce in the outgoing queue (no local delivery).

import { AccountService } from '../accounts/index.ts';
import type { Clock } from '../app/context.ts';
import type { AcceptResult, InboundEnvelope, RecipientTarget } from '../delivery/envelope.ts';
import { Delivery } from '../delivery/index.ts';
import type { Logger } from '../log/logger.ts';
import { parseMessage } from '../message/parse.ts';
import type { MailStore, QueueStore, Store } from '../storage/ports.ts';

export interface Bounce {
  /** The original envelope sender: the DSN's recipient (never ""). */
  recipient: string;
  bytes: Buffer;
  /** The DSN needs SMTPUTF8 (RFC 6533 forms, or a non-ASCII recipient). */
  smtputf8: boolean;
  /** Queue id of the message the DSN reports on (logs). */
  aboutQueueId: string;
}

/** Takes a DSN; resolves once it is durable (in an INBOX or the queue). */
export type BounceSink = (bounce: Bounce) => Promise<void>;

export function queueBounceSink(
  store: { mail: Pick<MailStore, 'putBlob'>; queue: Pick<QueueStore, 'enqueue'> },
  clock: Clock,
  onQueued?: (id: string) => void,
): BounceSink {
  return async (bounce) => {
    const parsed = parseMessage(bounce.bytes);
    const blobId = await store.mail.putBlob(bounce.bytes, parsed);
    const entry = await store.queue.enqueue({
      blobId,
      sender: '',
      recipients: [{ address: bounce.recipient, orcpt: null, notify: ['NEVER'] }],
      size: bounce.bytes.length,
      envId: null,
      ret: null,
      smtputf8: bounce.smtputf8,
      eightBit: parsed.eightBit,
      nextAttemptAt: clock.now(),
    });
    onQueued?.(entry.id);
  };
}

/** Where an address leads: local targets, 'remote' (not our domain) or 'unknown' (ours, but nobody). */
export type AddressRouter = (address: string) => Promise<RecipientTarget[] | 'remote' | 'unknown'>;

export function deliveryBounceSink(
  delivery: { acceptMessage(envelope: InboundEnvelope, bytes: Buffer): Promise<AcceptResult> },
  route: AddressRouter,
  hostname: string,
): BounceSink {
  return async (bounce) => {
    const routed = await route(bounce.recipient);
    if (routed === 'unknown') {
      // The local sender no longer exists: nobody to tell (Postfix sends such double bounces to postmaster).
      return;
    }
    const targets: RecipientTarget[] =
      routed === 'remote' ? [{ kind: 'remote', address: bounce.recipient }] : routed;
    await delivery.acceptMessage(
      {
        sender: '',
        recipients: [{ address: bounce.recipient, notify: ['NEVER'], orcpt: null, targets }],
        smtputf8: bounce.smtputf8,
        body: '8BITMIME',
        ret: null,
        envId: null,
        trace: {
          helo: hostname,
          remoteAddress: '127.0.0.1',
          extended: true,
          tls: null,
          authenticated: false,
        },
      },
      bounce.bytes,
    );
  };
}

/**
 * The bounce sink for a whole store: DSNs to senders in our domains go to their INBOX (through inbound
 * delivery, like any received message), DSNs to other domains into the outgoing queue. Used by the queue
 * worker by default and by `posthorn queue bounce`.
 */
export function storeBounceSink(
  store: Store,
  options: {
    hostname: string;
    clock: Clock;
    log: Logger;
    maxReceivedHeaders: number;
    onQueued?: (id: string) => void;
  },
): BounceSink {
  const accounts = new AccountService(store.accounts);
  const delivery = new Delivery({
    store,
    hostname: options.hostname,
    clock: options.clock,
    log: options.log,
    maxReceivedHeaders: options.maxReceivedHeaders,
    onQueued: options.onQueued,
  });
  const route: AddressRouter = async (address) => {
    const r = await accounts.resolveRecipient(address);
    if (r.kind === 'non-local') return 'remote';
    if (r.kind !== 'account' && r.kind !== 'alias') return 'unknown';
    if (r.targets.length === 0) return 'unknown';
    return r.targets.map((t): RecipientTarget =>
      t.kind === 'local' ? { kind: 'local', accountId: t.account.id, address: t.address } : t,
    );
  };
  return deliveryBounceSink(delivery, route, options.hostname);
}
