// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, NAMESPACE (RFC 9051 §6.3.3-8, §6.3.10; RFC 6154 §3 USE).
// Name rules and tree semantics live in MailboxService (src/mailbox/mailbox-service.ts).

import type { CommandOf } from '../command-table.ts';
import { no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';
import type { Account } from '../../../storage/ports.ts';

function accountOf(s: ImapSession): Account {
  if (s.state.kind !== 'authenticated' && s.state.kind !== 'selected') throw no('Authenticate first');
  return s.state.account;
}

// RFC 9051 §6.3.3, RFC 6154 §3 (CREATE-SPECIAL-USE)
export async function create(s: ImapSession, c: CommandOf<'CREATE'>): Promise<Completion> {
  const account = accountOf(s);
  if (c.specialUse.length > 1) throw no('Only one special use per mailbox', 'USEATTR');
  await s.ctx.mailboxes.create(account.id, c.mailbox, c.specialUse[0] ?? null);
  return ok('CREATE completed');
}

// RFC 9051 §6.3.4
export async function deleteMailbox(s: ImapSession, c: CommandOf<'DELETE'>): Promise<Completion> {
  const account = accountOf(s);
  const selected = s.selected;
  if (selected && (await s.ctx.mailboxes.find(account.id, c.mailbox))?.id === selected.mailbox.id) {
    s.deselect();
    s.untagged('OK [CLOSED] Mailbox closed before deletion');
  }
  await s.ctx.mailboxes.delete(account.id, c.mailbox);
  return ok('DELETE completed');
}

// RFC 9051 §6.3.6
export async function rename(s: ImapSession, c: CommandOf<'RENAME'>): Promise<Completion> {
  await s.ctx.mailboxes.rename(accountOf(s).id, c.from, c.to);
  return ok('RENAME completed');
}

// RFC 9051 §6.3.7
export async function subscribe(s: ImapSession, c: CommandOf<'SUBSCRIBE'>): Promise<Completion> {
  await s.ctx.mailboxes.subscribe(accountOf(s).id, c.mailbox, true);
  return ok('SUBSCRIBE completed');
}

// RFC 9051 §6.3.8
export async function unsubscribe(s: ImapSession, c: CommandOf<'UNSUBSCRIBE'>): Promise<Completion> {
  await s.ctx.mailboxes.subscribe(accountOf(s).id, c.mailbox, false);
  return ok('UNSUBSCRIBE completed');
}

// RFC 9051 §6.3.10 (RFC 2342): one personal namespace, no prefix, "/" delimiter.
export async function namespace(s: ImapSession): Promise<Completion> {
  s.untagged('NAMESPACE (("" "/")) NIL NIL');
  return ok('NAMESPACE completed');
}
