// IDLE (RFC 9051 §6.3.13, RFC 2177): updates of the selected mailbox are pushed as they happen until DONE.

import { bad, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';

export async function idle(s: ImapSession): Promise<Completion> {
  s.write('+ idling\r\n');
  const selected = s.selected;
  let pushing: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const push = () => {
    pushing = pushing
      .then(() => s.announce({ expunges: true }))
      .catch((error: unknown) => {
        failure ??= error;
        s.transport.destroy(); // ends the read below
      });
  };
  selected?.onPending(push);
  let line: Buffer | null;
  try {
    const read = await s.transport.readLine(s.ctx.config.imap.max_line_length);
    line = read ? read.bytes : null;
  } finally {
    selected?.onPending(null);
  }
  await pushing;
  if (failure) throw failure;
  if (line === null) {
    s.state = { kind: 'logout' };
    return ok('IDLE ended by end of input');
  }
  if (line.toString('latin1').toUpperCase() !== 'DONE') throw bad('Expected DONE');
  return ok('IDLE terminated');
}
