// STARTTLS (RFC 3207): 220, handshake, then a fresh session: the client must EHLO again, and anything
// it pipelined after STARTTLS is discarded (§4.2; the Transport drops its buffer at the upgrade).

import { replies } from '../../wire/reply-table.ts';
import type { CommandHandler, CommandOf } from './table.ts';

export const starttls: CommandHandler<CommandOf<'STARTTLS'>> = {
  needs: 'helo',
  async run(s) {
    if (s.secure) return s.reply(replies.alreadySecure);
    if (!s.deps.tls) return s.reply(replies.tlsNotAvailable);
    s.reply(replies.startTls);
    await s.startTls(s.deps.tls);
  },
};
