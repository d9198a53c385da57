// Pieces every `posthorn mail` command shares: the -a/--account and -m/--mailbox options, UID arguments,
// selecting a mailbox, and the JSON writer.

import type { Command } from 'commander';
import type { ImapFlow, MailboxObject } from 'imapflow';
import { UserError } from '../../cli/errors.ts';
import { describeImapError } from '../imap-connect.ts';
import { resolveMailboxName } from '../mailbox-roles.ts';
import { safeJson } from '../output/terminal-safe.ts';
import type { MailSession } from '../session.ts';

export interface AccountOptions {
  account?: string;
}
export interface MailboxOptions extends AccountOptions {
  mailbox: string;
}

export function accountOption(cmd: Command): Command {
  return cmd.option('-a, --account <name>', 'account name or address (default: the first in mail.toml)');
}

export function mailboxOption(cmd: Command): Command {
  return cmd.option('-m, --mailbox <name>', 'mailbox the UIDs belong to', 'INBOX');
}

export function jsonOption(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable output (see docs/mua.md)');
}

/** "3", "3,5", "3:7", "10:*" or several such words → an IMAP UID set. */
export function uidSet(words: readonly string[]): string {
  const parts = words.flatMap((w) => w.split(',')).filter((w) => w !== '');
  if (parts.length === 0) throw new UserError('no message UID given');
  for (const p of parts) {
    if (!/^([1-9]\d*|\*)(:([1-9]\d*|\*))?$/.test(p)) throw new UserError(`not a message UID: "${p}"`);
  }
  return parts.join(',');
}

export function singleUid(word: string): number {
  if (!/^[1-9]\d*$/.test(word)) throw new UserError(`not a message UID: "${word}"`);
  return Number(word);
}

/** SELECT (or EXAMINE when read-only) the named mailbox, resolving role names such as "sent". */
export async function openMailbox(
  session: MailSession,
  name: string,
  readOnly: boolean,
): Promise<{ client: ImapFlow; mailbox: MailboxObject; path: string }> {
  const client = await session.imap();
  const path = await resolveMailboxName(client, name, session.profile.folders);
  try {
    const mailbox = await client.mailboxOpen(path, { readOnly });
    return { client, mailbox, path };
  } catch (err) {
    throw imapFailure(err, session, `cannot open mailbox "${path}"`);
  }
}

/** An IMAP command that failed, as one line (the server's text when it gave one). */
export function imapFailure(err: unknown, session: MailSession, what: string): Error {
  if (err instanceof UserError) return err;
  const e = err as { responseText?: string; serverResponseCode?: string; message?: string };
  if (e.responseText || e.serverResponseCode) {
    return new UserError(
      `${what}: ${e.serverResponseCode ? `[${e.serverResponseCode}] ` : ''}${e.responseText ?? ''}`.trim(),
    );
  }
  return describeImapError(err, session.profile.imap);
}

export function printJson(session: MailSession, value: unknown): void {
  session.io.stdout.write(safeJson(value) + '\n');
}
