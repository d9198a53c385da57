// posthorn mail mailboxes (the list with message and unseen counts) and
// posthorn mail mailbox create|rename|delete.

import type { Command } from 'commander';
import type { ListResponse } from 'imapflow';
import { renderTable } from '../output/table.ts';
import { withSession, type MuaIo } from '../session.ts';
import { accountOption, imapFailure, jsonOption, type AccountOptions } from './common.ts';

export interface MailboxJson {
  name: string;
  delimiter: string | null;
  specialUse: string | null;
  flags: string[];
  subscribed: boolean;
  messages: number | null;
  unseen: number | null;
}

function toJson(m: ListResponse): MailboxJson {
  return {
    name: m.path,
    delimiter: m.delimiter || null,
    specialUse: m.specialUse ?? null,
    flags: [...m.flags].sort(),
    subscribed: m.subscribed,
    messages: m.status?.messages ?? null,
    unseen: m.status?.unseen ?? null,
  };
}

// INBOX first, then the special-use mailboxes in the order people expect, then the rest by name.
const ROLE_ORDER = ['\\Inbox', '\\Drafts', '\\Sent', '\\Archive', '\\Junk', '\\Trash'];
function rank(m: MailboxJson): number {
  if (m.name.toUpperCase() === 'INBOX') return 0;
  const i = m.specialUse ? ROLE_ORDER.indexOf(m.specialUse) : -1;
  return i < 0 ? 100 : i + 1;
}

export function registerMailboxCommands(mail: Command, io: MuaIo): void {
  jsonOption(
    accountOption(mail.command('mailboxes').description('list mailboxes with message and unseen counts')),
  ).action(async (options: AccountOptions & { json?: boolean }) => {
    await withSession(io, options.account, async (session) => {
      const client = await session.imap();
      const list = await client.list({ statusQuery: { messages: true, unseen: true } });
      const rows = list
        .filter((m) => !m.flags.has('\\Noselect') && !m.flags.has('\\NonExistent'))
        .map(toJson)
        .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
      if (options.json) return session.json({ account: session.profile.name, mailboxes: rows });
      const lines = renderTable(
        rows,
        [
          { header: 'mailbox', value: (m) => m.name, flex: 1, min: 10 },
          { header: 'role', value: (m) => (m.specialUse ?? '').replace('\\', '').toLowerCase() },
          { header: 'messages', value: (m) => String(m.messages ?? ''), align: 'right' },
          {
            header: 'unseen',
            value: (m) => (m.unseen ? String(m.unseen) : ''),
            align: 'right',
            style: (m) => (m.unseen ? 'bold' : null),
          },
        ],
        session.terminal,
      );
      session.out(lines.join('\n'));
    });
  });

  const mailbox = mail.command('mailbox').description('create, rename or delete a mailbox');
  accountOption(mailbox.command('create').argument('<name>').description('create a mailbox')).action(
    async (name: string, options: AccountOptions) => {
      await withSession(io, options.account, async (session) => {
        const client = await session.imap();
        await client.mailboxCreate(name).catch((err: unknown) => {
          throw imapFailure(err, session, `cannot create "${name}"`);
        });
        session.io.stderr.write(`Created ${name}\n`);
      });
    },
  );
  accountOption(
    mailbox.command('rename').argument('<name>').argument('<new-name>').description('rename a mailbox'),
  ).action(async (name: string, newName: string, options: AccountOptions) => {
    await withSession(io, options.account, async (session) => {
      const client = await session.imap();
      await client.mailboxRename(name, newName).catch((err: unknown) => {
        throw imapFailure(err, session, `cannot rename "${name}"`);
      });
      session.io.stderr.write(`Renamed ${name} to ${newName}\n`);
    });
  });
  accountOption(
    mailbox.command('delete').argument('<name>').description('delete a mailbox and the messages in it'),
  ).action(async (name: string, options: AccountOptions) => {
    await withSession(io, options.account, async (session) => {
      const client = await session.imap();
      await client.mailboxDelete(name).catch((err: unknown) => {
        throw imapFailure(err, session, `cannot delete "${name}"`);
      });
      session.io.stderr.write(`Deleted ${name}\n`);
    });
  });
}
