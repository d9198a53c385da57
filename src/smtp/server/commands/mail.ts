// MAIL FROM (RFC 5321 §4.1.1.2) with SIZE (RFC 1870 §6), BODY (RFC 6152), SMTPUTF8 (RFC 6531 §3.4),
// RET/ENVID (RFC 3461 §4.3, §4.4), AUTH= (RFC 4954 §5, informational). The policy decides who may send.

import { interpretMailParams } from '../../wire/esmtp-params.ts';
import { replies } from '../../wire/reply-table.ts';
import type { CommandHandler, CommandOf } from './table.ts';

export const mail: CommandHandler<CommandOf<'MAIL'>> = {
  needs: 'helo',
  async run(s, c) {
    if (s.state.phase === 'connected') return s.reply(replies.needHelo);
    if (s.state.phase === 'mail') return s.reply(replies.nestedMail);
    const helo = s.state.helo;
    if (c.params.length > 0 && !helo.extended) return s.reply(replies.paramsNeedEhlo);
    const params = interpretMailParams(c.params);
    if (!params.ok) return s.reply(params.reply);
    // RFC 6531 §3.4: a non-ASCII address needs SMTPUTF8 on this MAIL.
    if (c.sender?.utf8 && !params.value.smtputf8) return s.reply(replies.nonAsciiSender);
    if (params.value.size !== null && params.value.size > s.limits.maxMessageSize) {
      return s.reply(replies.sizeExceeded);
    }
    await s.deps.policy.checkSender(s.user, c.sender);
    s.state = {
      phase: 'mail',
      helo,
      tx: { sender: c.sender, params: params.value, recipients: [], bdat: null },
    };
    s.log.debug({ from: c.sender?.address ?? '' }, 'MAIL accepted');
    s.reply(replies.senderOk);
  },
};
