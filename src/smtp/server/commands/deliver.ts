// End of a mail transaction (DATA's final dot, BDAT LAST): hand the message to delivery and answer
// 250 with the queue id only once delivery has committed it (DESIGN.md §4.1).

import type { InboundEnvelope } from '../../../delivery/envelope.ts';
import { replies } from '../../wire/reply-table.ts';
import type { SmtpSession } from '../session.ts';
import type { Helo, Transaction } from '../state.ts';

export async function deliverTransaction(
  s: SmtpSession,
  helo: Helo,
  tx: Transaction,
  bytes: Buffer,
): Promise<void> {
  const envelope: InboundEnvelope = {
    sender: tx.sender?.address ?? '',
    recipients: tx.recipients,
    smtputf8: tx.params.smtputf8,
    body: tx.params.body,
    ret: tx.params.ret,
    envId: tx.params.envId,
    trace: {
      helo: helo.domain,
      remoteAddress: s.facts.remoteAddress,
      extended: helo.extended,
      tls: s.tlsInfo(),
      authenticated: s.user !== null,
    },
  };
  try {
    const result = await s.deps.delivery.acceptMessage(envelope, bytes, { log: s.log });
    s.log.info(
      {
        queueId: result.id,
        from: envelope.sender,
        to: tx.recipients.map((r) => r.address),
        size: bytes.length,
        delivered: result.delivered,
        queued: result.queued,
      },
      'message accepted',
    );
    s.reply(replies.queued(result.id));
  } catch (err) {
    s.replyError(err, { from: envelope.sender, size: bytes.length });
  } finally {
    s.resetTransaction();
  }
}
