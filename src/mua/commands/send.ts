// posthorn mail send / draft: a new message from flags (text from --body, --body-file, stdin) or written
// in $EDITOR; `draft` saves it to Drafts instead. `send --from-draft UID` sends a saved draft, files it in
// Sent and removes it from Drafts.

import type { Command } from 'commander';
import { UserError } from '../../cli/errors.ts';
import { readHeaderBlock } from '../../message/header-block.ts';
import { fetchMessage } from '../fetch-message.ts';
import { asciiDomainAddress, needsSmtpUtf8 } from '../compose/headers.ts';
import { roleMailbox } from '../mailbox-roles.ts';
import { composeDraft, dispatchDraft, reportResult, saveSentCopy, type ComposeOptions } from '../outgoing.ts';
import { jsonAddressList } from './read.ts';
import { withSession, type MailSession, type MuaIo } from '../session.ts';
import { accountOption, jsonOption, singleUid, type AccountOptions } from './common.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The options every composing command has. */
export function composeOptions(cmd: Command, withRecipients = true): Command {
  if (withRecipients) {
    cmd
      .option('--to <addresses>', 'recipient(s), repeatable or comma-separated', collect)
      .option('--cc <addresses>', 'copy recipient(s)', collect)
      .option('--bcc <addresses>', 'blind copy recipient(s)', collect);
  }
  return jsonOption(
    cmd
      .option('--attach <file>', 'attach a file (repeatable)', collect)
      .option('--body <text>', 'the text of the message')
      .option('--body-file <file>', 'read the text from a file ("-" = stdin)')
      .option('-e, --edit', 'write the message in $EDITOR (the default on a terminal without --body)')
      .option('--draft', 'save to Drafts instead of sending'),
  );
}

/** Removes Bcc fields from a message's header (RFC 5322 §3.6.3: recipients must not see them). */
export function stripBcc(source: Buffer): Buffer {
  const { fields } = readHeaderBlock(source, 0);
  const kept = fields.filter((f) => f.key !== 'bcc').map((f) => source.subarray(f.start, f.end));
  // After the last field: the empty line and the body, unchanged.
  return Buffer.concat([...kept, source.subarray(fields.at(-1)?.end ?? 0)]);
}

async function sendSavedDraft(session: MailSession, uid: number, json: boolean): Promise<void> {
  const client = await session.imap();
  const drafts = await roleMailbox(client, 'drafts', session.profile.folders);
  const m = await fetchMessage(session, drafts, uid, { markSeen: false });
  const recipients = [
    ...jsonAddressList(m.view.to),
    ...jsonAddressList(m.view.cc),
    ...jsonAddressList(m.view.bcc),
  ]
    .map((a) => asciiDomainAddress(a.address))
    .filter((a, i, all) => all.findIndex((b) => b.toLowerCase() === a.toLowerCase()) === i);
  if (recipients.length === 0) throw new UserError(`draft ${uid} has no recipients`);
  const from = jsonAddressList(m.view.from)[0]?.address ?? session.profile.address;
  const transmitted = stripBcc(m.source);
  const outcome = await (
    await session.submitter()
  ).submit(
    {
      from: asciiDomainAddress(from),
      recipients,
      smtputf8: [from, ...recipients].some(needsSmtpUtf8),
      eightBit: m.source.some((b) => b > 0x7f),
    },
    transmitted,
  );
  if (outcome.accepted.length === 0) {
    throw new UserError(`not sent: ${outcome.rejected.map((r) => `${r.address}: ${r.reply}`).join('; ')}`);
  }
  const savedTo = await saveSentCopy(session, m.source, session.io.now());
  // The draft has become a sent message: out of Drafts.
  await client.mailboxOpen(drafts);
  await client.messageDelete(String(uid), { uid: true });
  reportResult(session, { messageId: m.view.messageId ?? '', action: 'sent', ...outcome, savedTo }, json);
}

export function registerSendCommands(mail: Command, io: MuaIo): void {
  composeOptions(accountOption(mail.command('send').description('send a new message (appended to Sent)')))
    .option('-s, --subject <text>', 'subject')
    .option('--from-draft <uid>', 'send the draft with this UID from Drafts')
    .action(async (options: ComposeOptions & AccountOptions & { fromDraft?: string }) => {
      await withSession(io, options.account, async (session) => {
        if (options.fromDraft !== undefined) {
          await sendSavedDraft(session, singleUid(options.fromDraft), options.json === true);
          return;
        }
        const draft = await composeDraft(
          session,
          { to: [], cc: [], bcc: [], subject: options.subject ?? '', attachments: [] },
          options,
        );
        await dispatchDraft(session, draft, options);
      });
    });

  composeOptions(
    accountOption(mail.command('draft').description('write a new message and save it to Drafts')),
  )
    .option('-s, --subject <text>', 'subject')
    .action(async (options: ComposeOptions & AccountOptions) => {
      await withSession(io, options.account, async (session) => {
        const draft = await composeDraft(
          session,
          { to: [], cc: [], bcc: [], subject: options.subject ?? '', attachments: [] },
          { ...options, draft: true },
        );
        await dispatchDraft(session, draft, { ...options, draft: true });
      });
    });
}
