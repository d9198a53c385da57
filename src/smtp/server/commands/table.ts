// The command table: each verb's precondition and handler (DESIGN.md §3.2). The session checks
// `needs` before `run`: 'helo' = after EHLO/HELO, 'mail' = inside a mail transaction.

import type { SmtpCommand, SmtpVerb } from '../../wire/command-parser.ts';
import type { SmtpSession } from '../session.ts';
import { auth } from './auth.ts';
import { expn, help, noop, quit, rset, vrfy } from './basic.ts';
import { bdat } from './bdat.ts';
import { data } from './data.ts';
import { hello } from './hello.ts';
import { mail } from './mail.ts';
import { rcpt } from './rcpt.ts';
import { starttls } from './starttls.ts';

export interface CommandHandler<C extends SmtpCommand> {
  needs: 'nothing' | 'helo' | 'mail';
  run(session: SmtpSession, command: C): Promise<void> | void;
}

/** The command variant whose verb can be V. */
export type CommandOf<V extends SmtpVerb> = SmtpCommand extends infer C
  ? C extends { verb: infer W }
    ? V extends W
      ? C
      : never
    : never
  : never;

export const commandTable: { [V in SmtpVerb]: CommandHandler<CommandOf<V>> } = {
  EHLO: hello,
  HELO: hello,
  MAIL: mail,
  RCPT: rcpt,
  DATA: data,
  BDAT: bdat,
  RSET: rset,
  NOOP: noop,
  QUIT: quit,
  VRFY: vrfy,
  EXPN: expn,
  HELP: help,
  STARTTLS: starttls,
  AUTH: auth,
};
