// posthorn mail read UID: the headers that matter, the text (plain preferred, HTML as text), and the
// attachments with index, type and size; --json for scripts (docs/mua.md), --raw for the message itself.
// posthorn mail attachment save UID [INDEX]: writes attachments to files.

import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../cli/errors.ts';
import type { EnvelopeAddress } from '../../message/types.ts';
import { formatDateHeader } from '../compose/headers.ts';
import { fetchMessage, type FetchedMessage } from '../fetch-message.ts';
import { addressOf, displayAddressList } from '../output/display-address.ts';
import { paint } from '../output/style.ts';
import { safeLine, safeText } from '../output/terminal-safe.ts';
import { attachmentData } from '../render/message-view.ts';
import { withSession, type MailSession, type MuaIo } from '../session.ts';
import { humanSize, type JsonAddress } from '../summaries.ts';
import { accountOption, jsonOption, mailboxOption, singleUid, type MailboxOptions } from './common.ts';

export function jsonAddressList(list: readonly EnvelopeAddress[]): JsonAddress[] {
  const out: JsonAddress[] = [];
  for (const a of list) {
    const address = addressOf(a);
    if (address !== null) out.push({ name: a.name && a.name !== '' ? a.name : null, address });
  }
  return out;
}

export function messageJson(session: MailSession, m: FetchedMessage) {
  const v = m.view;
  return {
    account: session.profile.name,
    mailbox: m.mailbox,
    uid: m.uid,
    flags: m.flags,
    size: m.size,
    received: m.received?.toISOString() ?? null,
    date: v.date?.toISOString() ?? null,
    subject: v.subject,
    from: jsonAddressList(v.from),
    sender: jsonAddressList(v.sender),
    replyTo: jsonAddressList(v.replyTo),
    to: jsonAddressList(v.to),
    cc: jsonAddressList(v.cc),
    bcc: jsonAddressList(v.bcc),
    messageId: v.messageId,
    inReplyTo: v.inReplyTo[0] ?? null,
    references: v.references,
    textSource: v.textSource,
    text: v.text,
    attachments: v.attachments,
  };
}

function printMessage(session: MailSession, m: FetchedMessage): void {
  const v = m.view;
  const t = session.terminal;
  const field = (name: string, value: string) => {
    if (value !== '') session.out(`${paint(name.padEnd(9), 'bold', t)}${value}`);
  };
  field('From:', displayAddressList(v.from));
  const fromAddresses = new Set(jsonAddressList(v.from).map((a) => a.address.toLowerCase()));
  if (jsonAddressList(v.sender).some((a) => !fromAddresses.has(a.address.toLowerCase()))) {
    field('Sender:', displayAddressList(v.sender));
  }
  if (jsonAddressList(v.replyTo).some((a) => !fromAddresses.has(a.address.toLowerCase()))) {
    field('Reply-To:', displayAddressList(v.replyTo));
  }
  field('To:', displayAddressList(v.to));
  field('Cc:', displayAddressList(v.cc));
  field('Bcc:', displayAddressList(v.bcc));
  field('Date:', v.date ? formatDateHeader(v.date) : '');
  field('Subject:', safeLine(v.subject));
  if (v.attachments.length > 0) {
    session.out(paint('Attachments:', 'bold', t));
    for (const a of v.attachments) {
      session.out(
        `  [${a.index}] ${safeLine(a.filename ?? '(no name)')}  ${safeLine(a.contentType)}  ${humanSize(a.size)}`,
      );
    }
  }
  session.out('');
  if (v.textSource === 'none') session.out(paint('(no text part; see the attachments)', 'dim', t));
  else session.out(safeText(v.text));
}

/** A file name from a message made safe: no directories, no control characters, no leading dots. */
export function safeFileName(name: string | null, fallback: string): string {
  const base = basename((name ?? '').replace(/\\/g, '/'))
    .replace(/[\u0000-\u001f\u007f-\u009f/]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  return base === '' ? fallback : base;
}

export function registerReadCommands(mail: Command, io: MuaIo): void {
  jsonOption(
    mailboxOption(
      accountOption(
        mail
          .command('read')
          .description('show a message (marks it read unless --peek)')
          .argument('<uid>', 'message UID (see list)'),
      ),
    ),
  )
    .option('--peek', 'do not mark the message as read')
    .option('--raw', 'print the message source as stored')
    .action(
      async (uidArg: string, options: MailboxOptions & { json?: boolean; peek?: boolean; raw?: boolean }) => {
        const uid = singleUid(uidArg);
        await withSession(io, options.account, async (session) => {
          const m = await fetchMessage(session, options.mailbox, uid, { markSeen: !options.peek });
          if (options.raw) {
            // Raw bytes to a pipe; on a terminal still with escapes made visible.
            if (session.io.stdout.isTTY) session.io.stdout.write(safeText(m.source.toString('utf8')));
            else session.io.stdout.write(m.source);
          } else if (options.json) session.json(messageJson(session, m));
          else printMessage(session, m);
        });
      },
    );

  const attachment = mail.command('attachment').description('attachments of a message');
  mailboxOption(
    accountOption(
      attachment
        .command('save')
        .description('save one attachment (or all when INDEX is left out) to files')
        .argument('<uid>', 'message UID')
        .argument('[index]', 'attachment number as `read` shows it'),
    ),
  )
    .option('-o, --output <path>', 'file (or "-" for stdout) for one attachment; directory for all')
    .option('-f, --force', 'overwrite existing files')
    .action(
      async (
        uidArg: string,
        indexArg: string | undefined,
        options: MailboxOptions & { output?: string; force?: boolean },
      ) => {
        const uid = singleUid(uidArg);
        await withSession(io, options.account, async (session) => {
          const m = await fetchMessage(session, options.mailbox, uid, { markSeen: false });
          const wanted =
            indexArg === undefined
              ? m.view.attachments
              : m.view.attachments.filter((a) => String(a.index) === indexArg);
          if (wanted.length === 0) {
            throw new UserError(
              indexArg === undefined
                ? `message ${uid} has no attachments`
                : `message ${uid} has no attachment ${indexArg} (it has ${m.view.attachments.length})`,
            );
          }
          for (const a of wanted) {
            const data = attachmentData(m.source, m.view, a.index)!;
            if (indexArg !== undefined && options.output === '-') {
              session.io.stdout.write(data);
              continue;
            }
            const fallback = `attachment-${uid}-${a.index}${a.contentType === 'message/rfc822' ? '.eml' : ''}`;
            const name = safeFileName(a.filename, fallback);
            const target =
              indexArg !== undefined && options.output ? options.output : join(options.output ?? '.', name);
            if (existsSync(target) && !options.force)
              throw new UserError(`${target} exists; use --force to overwrite`);
            writeFileSync(target, data);
            session.io.stderr.write(`Saved ${safeLine(target)} (${humanSize(data.length)})\n`);
          }
        });
      },
    );
}
