// Organising messages by UID: move, copy, delete (to Trash; --expunge removes for good), flag/unflag,
// mark-read/mark-unread. UIDs: "3", "3,5", "3:7"; several words allowed.

import type { Command } from 'commander';
import type { CopyResponseObject } from 'imapflow';
import { UserError } from '../../cli/errors.ts';
import { findRoleMailbox, resolveMailboxName } from '../mailbox-roles.ts';
import { safeLine } from '../output/terminal-safe.ts';
import { withSession, type MailSession, type MuaIo } from '../session.ts';
import {
  accountOption,
  imapFailure,
  jsonOption,
  mailboxOption,
  openMailbox,
  uidSet,
  type MailboxOptions,
} from './common.ts';

const SYSTEM_FLAGS: Record<string, string> = {
  seen: '\\Seen',
  read: '\\Seen',
  flagged: '\\Flagged',
  answered: '\\Answered',
  draft: '\\Draft',
  deleted: '\\Deleted',
  forwarded: '$Forwarded',
  junk: '$Junk',
};

export function flagName(name: string): string {
  const system = SYSTEM_FLAGS[name.replace(/^\\/, '').toLowerCase()];
  if (system) return system;
  if (!/^\\?[^\s(){%*"\\\]]+$/.test(name)) throw new UserError(`not a valid flag name: "${name}"`);
  return name;
}

function uidMapJson(result: CopyResponseObject | false): Array<{ uid: number; newUid: number | null }> {
  if (!result || !result.uidMap) return [];
  return [...result.uidMap.entries()].map(([uid, newUid]) => ({ uid, newUid }));
}

async function transfer(
  session: MailSession,
  kind: 'move' | 'copy',
  words: string[],
  options: MailboxOptions & { json?: boolean },
): Promise<void> {
  if (words.length < 2) throw new UserError(`${kind}: give the UID(s) and then the target mailbox`);
  const targetName = words[words.length - 1]!;
  const uids = uidSet(words.slice(0, -1));
  const { client, path } = await openMailbox(session, options.mailbox, false);
  const target = await resolveMailboxName(client, targetName, session.profile.folders);
  let result: CopyResponseObject | false;
  try {
    result =
      kind === 'move'
        ? await client.messageMove(uids, target, { uid: true })
        : await client.messageCopy(uids, target, { uid: true });
  } catch (err) {
    throw imapFailure(err, session, `cannot ${kind} to "${target}"`);
  }
  if (!result) throw new UserError(`no message ${uids} in ${path}`);
  const mapped = uidMapJson(result);
  if (options.json) {
    session.json({ action: kind, from: path, to: target, messages: mapped });
    return;
  }
  const verb = kind === 'move' ? 'Moved' : 'Copied';
  const details = mapped.map((m) => `${m.uid}→${m.newUid ?? '?'}`).join(', ');
  session.io.stderr.write(`${verb} to ${safeLine(target)}${details ? ` (UIDs ${details})` : ''}\n`);
}

async function remove(
  session: MailSession,
  words: string[],
  options: MailboxOptions & { expunge?: boolean; json?: boolean },
): Promise<void> {
  const uids = uidSet(words);
  const { client, path } = await openMailbox(session, options.mailbox, false);
  const trash = findRoleMailbox(await client.list(), 'trash', session.profile.folders);
  if (options.expunge || trash === null || trash === path) {
    // \Deleted, then UID EXPUNGE of just these (RFC 4315) when the server has UIDPLUS.
    const done = await client.messageDelete(uids, { uid: true });
    if (!done) throw new UserError(`no message ${uids} in ${path}`);
    if (options.json) session.json({ action: 'expunge', from: path, uids });
    else session.io.stderr.write(`Deleted ${uids} from ${safeLine(path)} for good\n`);
    return;
  }
  const result = await client.messageMove(uids, trash, { uid: true });
  if (!result) throw new UserError(`no message ${uids} in ${path}`);
  if (options.json) session.json({ action: 'move', from: path, to: trash, messages: uidMapJson(result) });
  else
    session.io.stderr.write(
      `Moved ${uids} to ${safeLine(trash)} (delete --expunge there to remove for good)\n`,
    );
}

async function setFlags(
  session: MailSession,
  words: string[],
  options: MailboxOptions,
  change: 'add' | 'remove',
  flags: string[],
): Promise<void> {
  const uids = uidSet(words);
  const { client, path } = await openMailbox(session, options.mailbox, false);
  try {
    const ok =
      change === 'add'
        ? await client.messageFlagsAdd(uids, flags, { uid: true })
        : await client.messageFlagsRemove(uids, flags, { uid: true });
    if (!ok) throw new UserError(`could not change flags of ${uids} in ${path}`);
  } catch (err) {
    throw imapFailure(err, session, 'cannot change flags');
  }
  session.io.stderr.write(`${change === 'add' ? 'Set' : 'Cleared'} ${flags.join(' ')} on ${uids}\n`);
}

export function registerOrganiseCommands(mail: Command, io: MuaIo): void {
  for (const kind of ['move', 'copy'] as const) {
    jsonOption(
      mailboxOption(
        accountOption(
          mail
            .command(kind)
            .description(`${kind} messages to another mailbox`)
            .argument('<uids-and-target...>', 'UID(s), then the target mailbox (e.g. 3 5 Archive)'),
        ),
      ),
    ).action(async (words: string[], options: MailboxOptions & { json?: boolean }) => {
      await withSession(io, options.account, (session) => transfer(session, kind, words, options));
    });
  }

  jsonOption(
    mailboxOption(
      accountOption(
        mail
          .command('delete')
          .description('move messages to Trash (in Trash, or with --expunge: remove them for good)')
          .argument('<uids...>', 'message UID(s)'),
      ),
    ),
  )
    .option('--expunge', 'remove for good instead of moving to Trash')
    .action(async (words: string[], options: MailboxOptions & { expunge?: boolean; json?: boolean }) => {
      await withSession(io, options.account, (session) => remove(session, words, options));
    });

  const flagCommands: Array<[string, string, 'add' | 'remove', string | null]> = [
    ['flag', 'set a flag (default \\Flagged)', 'add', null],
    ['unflag', 'clear a flag (default \\Flagged)', 'remove', null],
    ['mark-read', 'mark messages as read (\\Seen)', 'add', '\\Seen'],
    ['mark-unread', 'mark messages as unread', 'remove', '\\Seen'],
  ];
  for (const [name, description, change, fixed] of flagCommands) {
    const cmd = mailboxOption(
      accountOption(mail.command(name).description(description).argument('<uids...>', 'message UID(s)')),
    );
    if (fixed === null)
      cmd.option('--name <flag>', 'flag: flagged, seen, answered, draft, or a keyword', 'flagged');
    cmd.action(async (words: string[], options: MailboxOptions & { name?: string }) => {
      const flag = fixed ?? flagName(options.name ?? 'flagged');
      await withSession(io, options.account, (session) => setFlags(session, words, options, change, [flag]));
    });
  }
}
