// Finding the Sent, Drafts, Trash and Archive mailboxes of an account: the profile's [folders] setting
// first, then the server's special-use attributes (RFC 6154; imapflow also recognises usual localised
// names), then the usual English name. A missing Sent or Drafts is created, as other clients do.

import type { ImapFlow, ListResponse } from 'imapflow';
import type { FolderSettings } from './profile.ts';

export type MailboxRole = keyof FolderSettings & ('sent' | 'drafts' | 'trash' | 'archive');

const SPECIAL_USE: Record<MailboxRole, string> = {
  sent: '\\Sent',
  drafts: '\\Drafts',
  trash: '\\Trash',
  archive: '\\Archive',
};
const DEFAULT_NAME: Record<MailboxRole, string> = {
  sent: 'Sent',
  drafts: 'Drafts',
  trash: 'Trash',
  archive: 'Archive',
};

export function findRoleMailbox(
  list: readonly ListResponse[],
  role: MailboxRole,
  folders: FolderSettings,
): string | null {
  const configured = folders[role];
  if (configured) return configured;
  const bySpecialUse = list.find((m) => m.specialUse === SPECIAL_USE[role]);
  if (bySpecialUse) return bySpecialUse.path;
  const byName = list.find((m) => m.path.toLowerCase() === DEFAULT_NAME[role].toLowerCase());
  return byName ? byName.path : null;
}

/** The role's mailbox, created (with its special-use attribute where the server allows) when missing. */
export async function roleMailbox(
  client: ImapFlow,
  role: MailboxRole,
  folders: FolderSettings,
): Promise<string> {
  const list = await client.list();
  const found = findRoleMailbox(list, role, folders);
  if (found) {
    if (!list.some((m) => m.path === found)) await client.mailboxCreate(found).catch(() => {});
    return found;
  }
  const name = DEFAULT_NAME[role];
  await client.mailboxCreate(name);
  return name;
}

/**
 * A mailbox named on the command line: an existing name as it is, else (case-insensitively) a name or a
 * role such as "sent" or "trash", so `-m sent` works on servers that call it "Sent Items".
 */
export async function resolveMailboxName(
  client: ImapFlow,
  wanted: string,
  folders: FolderSettings,
): Promise<string> {
  if (wanted.toUpperCase() === 'INBOX') return 'INBOX';
  const list = await client.list();
  if (list.some((m) => m.path === wanted)) return wanted;
  const lower = wanted.toLowerCase();
  const byName = list.find((m) => m.path.toLowerCase() === lower);
  if (byName) return byName.path;
  if (lower in SPECIAL_USE) {
    const byRole = findRoleMailbox(list, lower as MailboxRole, folders);
    if (byRole) return byRole;
  }
  return wanted;
}
