// RSET, NOOP, QUIT, VRFY, EXPN, HELP (RFC 5321 §4.1.1.5 - §4.1.1.10).

import { replies } from '../../wire/reply-table.ts';
import type { CommandHandler, CommandOf } from './table.ts';

// RFC 5321 §4.1.1.5: RSET is allowed at any time, also before EHLO.
export const rset: CommandHandler<CommandOf<'RSET'>> = {
  needs: 'nothing',
  run(s) {
    s.resetTransaction();
    s.reply(replies.ok);
  },
};

export const noop: CommandHandler<CommandOf<'NOOP'>> = {
  needs: 'nothing',
  run(s) {
    s.reply(replies.ok);
  },
};

export const quit: CommandHandler<CommandOf<'QUIT'>> = {
  needs: 'nothing',
  run(s) {
    s.reply(replies.closing);
    s.close();
  },
};

// RFC 5321 §3.5.3: 252 when we will not verify; no user enumeration (DESIGN.md §4.8).
export const vrfy: CommandHandler<CommandOf<'VRFY'>> = {
  needs: 'nothing',
  run(s) {
    s.reply(replies.cannotVrfy);
  },
};

// RFC 5321 §3.5.2: EXPN is optional; list membership is not disclosed.
export const expn: CommandHandler<CommandOf<'EXPN'>> = {
  needs: 'nothing',
  run(s) {
    s.reply(replies.notImplemented);
  },
};

export const help: CommandHandler<CommandOf<'HELP'>> = {
  needs: 'nothing',
  run(s) {
    s.reply(replies.help);
  },
};
