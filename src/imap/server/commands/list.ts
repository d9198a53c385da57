// LIST with LIST-EXTENDED selection/return options (RFC 9051 §6.3.9, RFC 5258), SPECIAL-USE (RFC 6154),
// LIST-STATUS (RFC 5819), CHILDREN (RFC 3348); and LSUB for IMAP4rev1 clients (RFC 3501 §6.3.9).
// Attributes: \HasChildren/\HasNoChildren always; \Noselect for names that exist only as parents; \Subscribed
// with SUBSCRIBED; special-use attributes always (RFC 6154 §2) unless the client asked for none of them.

import { compareNames, type MailboxEntry } from '../../../mailbox/mailbox-service.ts';
import { parentNames } from '../../../mailbox/names.ts';
import type { CommandOf } from '../command-table.ts';
import { listPattern, patternMatcher } from '../list-pattern.ts';
import { no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';
import { writeStatus } from './status.ts';

interface Row {
  name: string;
  attributes: string[];
  childInfo: boolean;
  entry: MailboxEntry | null;
}

export async function list(s: ImapSession, c: CommandOf<'LIST'>): Promise<Completion> {
  if (s.state.kind !== 'authenticated' && s.state.kind !== 'selected') throw no('Authenticate first');
  const account = s.state.account;
  // RFC 9051 §6.3.9: LIST "" "" asks for the delimiter.
  if (c.patterns.length === 1 && c.patterns[0] === '' && !c.extended) {
    s.untagged('LIST (\\Noselect) "/" ""');
    return ok('LIST completed');
  }
  const matchers = c.patterns.filter((p) => p !== '').map((p) => patternMatcher(listPattern(c.reference, p)));
  const matches = (name: string) => matchers.some((m) => m(name));
  const tree = await s.ctx.mailboxes.tree(account.id);
  const wantSubscribed = c.select.subscribed || c.return.subscribed;
  const subscribed = wantSubscribed ? await s.ctx.mailboxes.subscriptions(account.id) : new Set<string>();
  const byName = new Map(tree.map((e) => [e.name, e]));

  const rows: Row[] = [];
  if (c.select.subscribed) {
    // RFC 5258 §3.1: subscribed names, existing or not; RECURSIVEMATCH adds parents with CHILDINFO.
    const names = new Set([...subscribed].filter(matches));
    const childInfo = new Set<string>();
    if (c.select.recursiveMatch) {
      for (const name of subscribed) {
        for (const parent of parentNames(name))
          if (!names.has(parent) && matches(parent)) childInfo.add(parent);
      }
    }
    for (const name of [...names, ...childInfo].sort(compareNames)) {
      const entry = byName.get(name) ?? null;
      const attributes = attributesOf(entry);
      if (subscribed.has(name)) attributes.push('\\Subscribed');
      rows.push({ name, attributes, childInfo: childInfo.has(name), entry });
    }
  } else {
    for (const entry of tree) {
      if (!matches(entry.name)) continue;
      if (c.select.specialUse && !entry.mailbox?.specialUse) continue;
      const attributes = attributesOf(entry);
      if (c.return.subscribed && subscribed.has(entry.name)) attributes.push('\\Subscribed');
      rows.push({ name: entry.name, attributes, childInfo: false, entry });
    }
  }
  for (const row of rows) {
    const extra = row.childInfo ? ' (CHILDINFO ("SUBSCRIBED"))' : '';
    s.untagged(`LIST (${row.attributes.join(' ')}) "/" ${s.encodeMailbox(row.name)}${extra}`);
    // RFC 5819: STATUS right after the LIST of each selectable mailbox.
    if (c.return.status && row.entry?.mailbox) await writeStatus(s, row.entry.mailbox, c.return.status);
  }
  return ok('LIST completed');
}

function attributesOf(entry: MailboxEntry | null): string[] {
  if (!entry) return ['\\NonExistent'];
  const attributes: string[] = [];
  if (!entry.mailbox) attributes.push('\\Noselect');
  attributes.push(entry.hasChildren ? '\\HasChildren' : '\\HasNoChildren');
  if (entry.mailbox?.specialUse) attributes.push(entry.mailbox.specialUse);
  return attributes;
}

// RFC 3501 §6.3.9: LSUB lists subscribed names; a parent matched only through "%" is shown as \Noselect.
export async function lsub(s: ImapSession, c: CommandOf<'LSUB'>): Promise<Completion> {
  if (s.state.kind !== 'authenticated' && s.state.kind !== 'selected') throw no('Authenticate first');
  const account = s.state.account;
  const matches = patternMatcher(listPattern(c.reference, c.pattern));
  const subscribed = await s.ctx.mailboxes.subscriptions(account.id);
  const rows = new Map<string, string>();
  for (const name of subscribed) {
    if (matches(name)) rows.set(name, '');
    else if (c.pattern.endsWith('%')) {
      for (const parent of parentNames(name)) {
        if (!subscribed.has(parent) && matches(parent)) rows.set(parent, '\\Noselect');
      }
    }
  }
  for (const [name, attributes] of [...rows].sort(([a], [b]) => compareNames(a, b))) {
    s.untagged(`LSUB (${attributes}) "/" ${s.encodeMailbox(name)}`);
  }
  return ok('LSUB completed');
}
