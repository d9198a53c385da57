// posthorn mail reply UID [--all] and posthorn mail forward UID --to …: answers with In-Reply-To and
// References (RFC 5322 §3.6.4), "Re:"/"Fwd:" subjects, the quoted or forwarded text below the user's own;
// afterwards the original gets \Answered or $Forwarded.

import type { Command } from 'commander';
import { UserError } from '../../cli/errors.ts';
import {
  forwardedText,
  forwardSubject,
  quoteForReply,
  referencesFor,
  replyHeaders,
} from '../compose/reply.ts';
import { fetchMessage, type FetchedMessage } from '../fetch-message.ts';
import { composeDraft, dispatchDraft, type ComposeOptions } from '../outgoing.ts';
import { attachmentData } from '../render/message-view.ts';
import { withSession, type MailSession, type MuaIo } from '../session.ts';
import { accountOption, mailboxOption, singleUid, type MailboxOptions } from './common.ts';
import { composeOptions } from './send.ts';
import type { Attachment } from '../compose/mime-build.ts';

async function markOriginal(session: MailSession, m: FetchedMessage, flag: string): Promise<void> {
  try {
    const client = await session.imap();
    await client.mailboxOpen(m.mailbox);
    await client.messageFlagsAdd(String(m.uid), [flag], { uid: true });
  } catch (err) {
    session.warn(`could not set ${flag} on the original: ${(err as Error).message}`);
  }
}

function originalAttachments(m: FetchedMessage): Attachment[] {
  return m.view.attachments.map((a) => ({
    filename: a.filename ?? `attachment-${a.index}${a.contentType === 'message/rfc822' ? '.eml' : ''}`,
    contentType: a.contentType,
    data: attachmentData(m.source, m.view, a.index)!,
  }));
}

export function registerReplyCommands(mail: Command, io: MuaIo): void {
  composeOptions(
    mailboxOption(
      accountOption(
        mail
          .command('reply')
          .description('reply to a message (to its author; --all: to everyone it went to)')
          .argument('<uid>', 'message UID'),
      ),
    ),
  )
    .option('--all', 'reply to all recipients')
    .option('--no-quote', 'do not quote the original')
    .action(
      async (
        uidArg: string,
        options: ComposeOptions & MailboxOptions & { all?: boolean; quote: boolean },
      ) => {
        const uid = singleUid(uidArg);
        await withSession(io, options.account, async (session) => {
          const m = await fetchMessage(session, options.mailbox, uid, { markSeen: true });
          const headers = replyHeaders(m.view, {
            all: options.all === true,
            mine: [session.profile.address],
          });
          const base = {
            to: headers.to,
            cc: headers.cc,
            bcc: [],
            subject: headers.subject,
            references: headers.references,
            attachments: [],
            ...(headers.inReplyTo ? { inReplyTo: headers.inReplyTo } : {}),
            ...(options.quote ? { appendix: quoteForReply(m.view) } : {}),
          };
          const draft = await composeDraft(session, base, options);
          const result = await dispatchDraft(session, draft, options);
          if (result.action === 'sent') await markOriginal(session, m, '\\Answered');
        });
      },
    );

  composeOptions(
    mailboxOption(
      accountOption(
        mail
          .command('forward')
          .description('forward a message with its attachments (or whole, with --as-attachment)')
          .argument('<uid>', 'message UID'),
      ),
    ),
  )
    .option('--as-attachment', 'attach the original message as message/rfc822 instead of inline')
    .action(async (uidArg: string, options: ComposeOptions & MailboxOptions & { asAttachment?: boolean }) => {
      const uid = singleUid(uidArg);
      if (!options.to?.length && !options.edit && !options.draft && io.stdin.isTTY !== true) {
        throw new UserError('forward: give --to (or --edit)');
      }
      await withSession(io, options.account, async (session) => {
        const m = await fetchMessage(session, options.mailbox, uid, { markSeen: true });
        const attachments: Attachment[] = options.asAttachment
          ? [
              {
                filename: `${(m.view.subject || 'message').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 80)}.eml`,
                contentType: 'message/rfc822',
                data: m.source,
              },
            ]
          : originalAttachments(m);
        const base = {
          to: [],
          cc: [],
          bcc: [],
          subject: forwardSubject(m.view.subject),
          // Not an answer, so no In-Reply-To; References keeps the forward in the same conversation.
          references: referencesFor(m.view),
          attachments,
          ...(options.asAttachment ? {} : { appendix: forwardedText(m.view) }),
        };
        const draft = await composeDraft(session, base, options);
        const result = await dispatchDraft(session, draft, options);
        if (result.action === 'sent') await markOriginal(session, m, '$Forwarded');
      });
    });
}
