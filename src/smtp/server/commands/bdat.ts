// BDAT (RFC 3030 CHUNKING): "BDAT <size> [LAST]" followed by exactly <size> octets.
// The octets are always consumed, whatever the answer, so chunk data is never read as commands.
// Any refused chunk ends the transaction; later pipelined chunks are consumed and answered 503.

import { BdatAccumulator } from '../../wire/bdat.ts';
import type { SmtpReply } from '../../wire/reply-parser.ts';
import { replies } from '../../wire/reply-table.ts';
import { deliverTransaction } from './deliver.ts';
import type { CommandHandler, CommandOf } from './table.ts';

export const bdat: CommandHandler<CommandOf<'BDAT'>> = {
  needs: 'nothing',
  async run(s, c) {
    const state = s.state;
    let refusal: SmtpReply | null = null;
    if (state.phase === 'connected') refusal = replies.needHelo;
    else if (state.phase !== 'mail') refusal = replies.needMail;
    else if (state.tx.recipients.length === 0) refusal = replies.noValidRecipients;
    if (refusal || state.phase !== 'mail') {
      if ((await s.readChunk(c.size, false)) === null) return;
      s.resetTransaction();
      return s.reply(refusal ?? replies.needMail);
    }
    const { tx, helo } = state;
    tx.bdat ??= new BdatAccumulator(s.limits.maxMessageSize);
    const accumulator = tx.bdat;
    const keep = !accumulator.wouldExceed(c.size);
    const chunk = await s.readChunk(c.size, keep);
    if (chunk === null) return;
    if (chunk === 'skipped') {
      accumulator.addSize(c.size);
      s.resetTransaction();
      return s.reply(replies.sizeExceeded);
    }
    accumulator.add(chunk);
    if (!c.last) return s.reply(replies.chunkReceived(c.size));
    await deliverTransaction(s, helo, tx, accumulator.message());
  },
};
