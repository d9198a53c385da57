// The one command table (DESIGN.md §3.2): each command with the states it is allowed in and its handler.
// The session's gate checks the state before `run`; `expunges` says whether untagged EXPUNGE may follow the
// command (RFC 9051 §7.5.1: not after FETCH, STORE or SEARCH by sequence number).

import type { Command, CommandName } from '../wire/command-types.ts';
import { authenticate, login, starttls } from './commands/auth.ts';
import { capability, enable, id, logout, noop } from './commands/any-state.ts';
import { append } from './commands/append.ts';
import { copyOrMove } from './commands/copy-move.ts';
import { fetch } from './commands/fetch.ts';
import { idle } from './commands/idle.ts';
import { list, lsub } from './commands/list.ts';
import { create, deleteMailbox, namespace, rename, subscribe, unsubscribe } from './commands/mailboxes.ts';
import { search } from './commands/search.ts';
import { select } from './commands/select.ts';
import { check, close, expunge, uidExpunge, unselect } from './commands/selected.ts';
import { status } from './commands/status.ts';
import { store } from './commands/store.ts';
import type { Completion } from './reply.ts';
import type { ImapSession } from './session.ts';
import { ANY, AUTHENTICATED, NOT_AUTHENTICATED, SELECTED, type StateKind } from './state.ts';

/** The member of the Command union with this name. */
export type CommandOf<N extends CommandName> = Command extends infer C
  ? C extends { name: infer M }
    ? N extends M
      ? C
      : never
    : never
  : never;

export interface CommandSpec<C> {
  allowedIn: readonly StateKind[];
  expunges?: (command: C) => boolean;
  run(session: ImapSession, command: C, tag: string): Promise<Completion>;
}

const byUidOnly = (command: { uid: boolean }) => command.uid;

export const COMMANDS: { [N in CommandName]: CommandSpec<CommandOf<N>> } = {
  CAPABILITY: { allowedIn: ANY, run: capability },
  NOOP: { allowedIn: ANY, run: noop },
  LOGOUT: { allowedIn: ANY, run: logout },
  ID: { allowedIn: ANY, run: id },
  STARTTLS: { allowedIn: NOT_AUTHENTICATED, run: starttls },
  AUTHENTICATE: { allowedIn: NOT_AUTHENTICATED, run: authenticate },
  LOGIN: { allowedIn: NOT_AUTHENTICATED, run: login },
  // RFC 9051 §6.3.1: ENABLE only before a mailbox is selected.
  ENABLE: { allowedIn: ['authenticated'], run: enable },
  SELECT: { allowedIn: AUTHENTICATED, run: select },
  EXAMINE: { allowedIn: AUTHENTICATED, run: select },
  CREATE: { allowedIn: AUTHENTICATED, run: create },
  DELETE: { allowedIn: AUTHENTICATED, run: deleteMailbox },
  RENAME: { allowedIn: AUTHENTICATED, run: rename },
  SUBSCRIBE: { allowedIn: AUTHENTICATED, run: subscribe },
  UNSUBSCRIBE: { allowedIn: AUTHENTICATED, run: unsubscribe },
  LIST: { allowedIn: AUTHENTICATED, run: list },
  LSUB: { allowedIn: AUTHENTICATED, run: lsub },
  NAMESPACE: { allowedIn: AUTHENTICATED, run: namespace },
  STATUS: { allowedIn: AUTHENTICATED, run: status },
  APPEND: { allowedIn: AUTHENTICATED, run: append },
  IDLE: { allowedIn: AUTHENTICATED, run: idle },
  CHECK: { allowedIn: SELECTED, run: check },
  CLOSE: { allowedIn: SELECTED, run: close },
  UNSELECT: { allowedIn: SELECTED, run: unselect },
  EXPUNGE: { allowedIn: SELECTED, run: expunge },
  'UID EXPUNGE': { allowedIn: SELECTED, run: uidExpunge },
  SEARCH: { allowedIn: SELECTED, run: search, expunges: byUidOnly },
  FETCH: { allowedIn: SELECTED, run: fetch, expunges: byUidOnly },
  STORE: { allowedIn: SELECTED, run: store, expunges: byUidOnly },
  COPY: { allowedIn: SELECTED, run: copyOrMove },
  MOVE: { allowedIn: SELECTED, run: copyOrMove },
};

export function specFor(command: Command): CommandSpec<Command> {
  return COMMANDS[command.name] as unknown as CommandSpec<Command>;
}
