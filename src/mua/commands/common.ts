// Pieces every `posthorn mail` command shares: the -a/--account, -m/--mailbox and --json options, and UID
// arguments. Selecting a mailbox is in mailbox-access.ts.

import type { Command } from 'commander';
import { UserError } from '../../cli/errors.ts';

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

export { imapFailure, openMailbox } from '../mailbox-access.ts';
