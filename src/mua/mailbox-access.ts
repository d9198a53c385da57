// Selecting a mailbox for a command, and IMAP failures as one line a user can act on.

import type { ImapFlow, MailboxObject } from 'imapflow';
import { UserError } from '../cli/errors.ts';
import { describeImapError } from './imap-connect.ts';
import { resolveMailboxName } from './mailbox-roles.ts';
import type { MailSession } from './session.ts';

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
