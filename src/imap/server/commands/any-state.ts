// Commands valid in every state, and ENABLE (RFC 9051 §6.1, §6.3.1; RFC 2971 ID; RFC 5161 ENABLE).

import type { CommandOf } from '../command-table.ts';
import { ENABLEABLE } from '../capabilities.ts';
import { idResponse } from '../../wire/untagged.ts';
import { ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';

// RFC 9051 §6.1.1
export async function capability(s: ImapSession): Promise<Completion> {
  s.untagged(`CAPABILITY ${s.capabilities().join(' ')}`);
  return ok('CAPABILITY completed');
}

// RFC 9051 §6.1.2: the session announces pending mailbox updates before the tagged reply.
export async function noop(): Promise<Completion> {
  return ok('NOOP completed');
}

// RFC 9051 §6.1.3
export async function logout(s: ImapSession): Promise<Completion> {
  s.untagged('BYE Logging out');
  s.deselect();
  s.state = { kind: 'logout' };
  return ok('LOGOUT completed');
}

// RFC 2971 §3.1: the client's fields are logged; we answer with ours.
export async function id(s: ImapSession, c: CommandOf<'ID'>): Promise<Completion> {
  if (c.params) s.log.info({ clientId: Object.fromEntries(c.params) }, 'client ID');
  const fields: Array<[string, string | null]> = [
    ['name', 'Posthorn'],
    ['vendor', 'Posthorn'],
    ['support-url', null],
  ];
  s.write(idResponse(fields));
  return ok('ID completed');
}

// RFC 5161 §3.1 (RFC 9051 §6.3.1): unknown capabilities are ignored; QRESYNC implies CONDSTORE (RFC 7162 §3.2.3;
// the session's `condstore` getter checks both).
export async function enable(s: ImapSession, c: CommandOf<'ENABLE'>): Promise<Completion> {
  const newly: string[] = [];
  for (const cap of c.capabilities) {
    if (!ENABLEABLE.has(cap) || s.enabled.has(cap)) continue;
    s.enabled.add(cap);
    newly.push(cap === 'IMAP4REV2' ? 'IMAP4rev2' : cap);
  }
  s.untagged(`ENABLED${newly.map((n) => ' ' + n).join('')}`);
  return ok('ENABLE completed');
}
