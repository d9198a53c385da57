// DATA (RFC 5321 §4.1.1.4, §4.5.2): 354, then content up to CRLF.CRLF, dot-unstuffed by the Transport.
// A bare CR or LF never ends the data; by configuration it rejects the message (554 5.5.2) or is
// normalised to CRLF (smtp.bare_line_endings).

import { normalizeCrlf } from '../../wire/data-encoder.ts';
import { replies } from '../../wire/reply-table.ts';
import { deliverTransaction } from './deliver.ts';
import type { CommandHandler, CommandOf } from './table.ts';

export const data: CommandHandler<CommandOf<'DATA'>> = {
  needs: 'mail',
  async run(s) {
    if (s.state.phase !== 'mail') return s.reply(replies.needMail);
    const { tx, helo } = s.state;
    // RFC 3030 §3: DATA may not follow BDAT in one transaction.
    if (tx.bdat) {
      s.resetTransaction();
      return s.reply(replies.dataAfterBdat);
    }
    // RFC 5321 §3.3: no valid recipients → 554 (and no 354, so a pipelining client's data is not taken in).
    if (tx.recipients.length === 0) return s.reply(replies.noValidRecipients);
    s.reply(replies.startMailInput);
    const content = await s.readData();
    if (!content) return;
    if (content.tooBig) {
      s.resetTransaction();
      return s.reply(replies.sizeExceeded);
    }
    let bytes = content.data;
    if (content.bareLf || content.bareCr) {
      if (s.limits.bareLineEndings === 'reject') {
        s.log.info(
          { bareLf: content.bareLf, bareCr: content.bareCr },
          'message with bare line endings refused',
        );
        s.resetTransaction();
        return s.reply(replies.bareLineEndingInData);
      }
      bytes = normalizeCrlf(bytes);
    }
    await deliverTransaction(s, helo, tx, bytes);
  },
};
