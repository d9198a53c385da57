// RCPT TO (RFC 5321 §4.1.1.3) with NOTIFY/ORCPT (RFC 3461 §4.1, §4.2). The policy routes the address
// (local targets, remote, or refusal); the routing is kept with the recipient for delivery.

import { interpretRcptParams } from '../../wire/esmtp-params.ts';
import { replies } from '../../wire/reply-table.ts';
import type { CommandHandler, CommandOf } from './table.ts';

export const rcpt: CommandHandler<CommandOf<'RCPT'>> = {
  needs: 'mail',
  async run(s, c) {
    if (s.state.phase !== 'mail') return s.reply(replies.needMail);
    const { tx, helo } = s.state;
    if (c.params.length > 0 && !helo.extended) return s.reply(replies.paramsNeedEhlo);
    const params = interpretRcptParams(c.params);
    if (!params.ok) return s.reply(params.reply);
    if (c.recipient.utf8 && !tx.params.smtputf8) return s.reply(replies.nonAsciiRecipient);
    // RFC 5321 §4.5.3.1.10: 452 for recipients over the limit; the client sends them in another transaction.
    if (tx.recipients.length >= s.limits.maxRecipients) return s.reply(replies.tooManyRecipients);
    const targets = await s.deps.policy.routeRecipient(s.user, c.recipient);
    tx.recipients.push({
      address: c.recipient.address,
      notify: params.value.notify,
      orcpt: params.value.orcpt,
      targets,
    });
    s.log.debug({ to: c.recipient.address, targets: targets.length }, 'RCPT accepted');
    s.reply(replies.recipientOk);
  },
};
