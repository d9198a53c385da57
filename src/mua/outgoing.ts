// The way out for every composed message (send, draft, reply, forward): body from --body, --body-file,
// stdin or $EDITOR; attachments from files; then either submitted over SMTP and appended to Sent with
// \Seen, or appended to Drafts with \Draft. Submission failure means nothing is saved to Sent; a Sent
// append failure after a successful submission is a warning, never a failure (the mail has left).

import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import libmime from 'libmime';
import { UserError } from '../cli/errors.ts';
import { editInEditor, parseTemplate, renderTemplate } from './compose/editor-template.ts';
import { formatMailAddress, newMessageId, parseRecipients, type MailAddress } from './compose/headers.ts';
import { buildMessage, envelopeRecipients, type Attachment, type Draft } from './compose/mime-build.ts';
import { roleMailbox } from './mailbox-roles.ts';
import { safeLine } from './output/terminal-safe.ts';
import type { MailSession } from './session.ts';

/** Attachments larger than this are refused before anything is sent (servers rarely take more). */
const MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024;

export interface ComposeOptions {
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
  body?: string;
  bodyFile?: string;
  attach?: string[];
  edit?: boolean;
  draft?: boolean;
  json?: boolean;
}

/** What a command prepares before the user's text: recipients, subject, threading, extra text and files. */
export interface ComposeBase {
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  subject: string;
  inReplyTo?: string;
  references?: string[];
  /** Text after the user's own (the quote of a reply, the forwarded message). */
  appendix?: string;
  attachments: Attachment[];
}

export interface SentResult {
  messageId: string;
  action: 'sent' | 'draft';
  accepted: string[];
  rejected: Array<{ address: string; reply: string }>;
  savedTo: { mailbox: string; uid: number | null } | null;
}

export function loadAttachment(path: string): Attachment {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new UserError(
      `cannot attach ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  if (size > MAX_ATTACHMENT_BYTES) throw new UserError(`cannot attach ${path}: larger than 50 MB`);
  return { filename: basename(path), contentType: libmime.detectMimeType(path), data: readFileSync(path) };
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The user's text, or null when it is to be written in the editor. */
async function userText(session: MailSession, options: ComposeOptions): Promise<string | null> {
  if (options.body !== undefined) return options.body;
  if (options.bodyFile === '-') return readStdin(session.io.stdin);
  if (options.bodyFile !== undefined) {
    try {
      return readFileSync(options.bodyFile, 'utf8');
    } catch (err) {
      throw new UserError(`cannot read ${options.bodyFile}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  if (options.edit) return null;
  if (!session.io.stdin.isTTY) return readStdin(session.io.stdin);
  return null;
}

function joinText(own: string, appendix: string | undefined): string {
  const text = own.replace(/\s+$/, '');
  if (!appendix) return text + '\n';
  return text === '' ? appendix : `${text}\n\n${appendix}`;
}

function fromAddress(session: MailSession): MailAddress {
  return { name: session.profile.displayName ?? '', address: session.profile.address };
}

/** Builds the draft from the base and the options, through $EDITOR when there is no text yet. */
export async function composeDraft(
  session: MailSession,
  base: ComposeBase,
  options: ComposeOptions,
): Promise<Draft> {
  const from = fromAddress(session);
  const files = (options.attach ?? []).map(loadAttachment);
  const own = await userText(session, options);
  let draft: Draft = {
    from,
    to: [...base.to, ...parseRecipients(options.to ?? [])],
    cc: [...base.cc, ...parseRecipients(options.cc ?? [])],
    bcc: [...base.bcc, ...parseRecipients(options.bcc ?? [])],
    subject: options.subject ?? base.subject,
    text: joinText(own ?? '', base.appendix),
    attachments: [...base.attachments, ...files],
    messageId: newMessageId(from.address),
    date: session.io.now(),
  };
  if (base.inReplyTo) draft.inReplyTo = base.inReplyTo;
  if (base.references) draft.references = base.references;
  if (own === null) draft = await editDraft(session, draft, options.attach ?? [], base.attachments);
  if (draft.to.length + draft.cc.length + draft.bcc.length === 0 && !options.draft) {
    throw new UserError('no recipients: give --to (or To: in the editor)');
  }
  return draft;
}

async function editDraft(
  session: MailSession,
  draft: Draft,
  attachPaths: string[],
  kept: Attachment[],
): Promise<Draft> {
  const list = (a: MailAddress[]) => a.map((x) => formatMailAddress(x, true)).join(', ');
  const template = renderTemplate({
    from: formatMailAddress(draft.from, true),
    to: list(draft.to),
    cc: list(draft.cc),
    bcc: list(draft.bcc),
    subject: draft.subject,
    attach: attachPaths,
    // The user writes at the top; a quote or forwarded text waits below.
    body: draft.text.trim() === '' ? '' : `\n\n${draft.text}`,
  });
  const edited = await editInEditor(template, session.io.env);
  if (edited === null) throw new UserError('message unchanged: nothing sent');
  const fields = parseTemplate(edited);
  const from = parseRecipients([fields.from])[0] ?? draft.from;
  return {
    ...draft,
    from,
    to: parseRecipients([fields.to]),
    cc: parseRecipients([fields.cc]),
    bcc: parseRecipients([fields.bcc]),
    subject: fields.subject,
    text: fields.body.replace(/^\n+/, ''),
    attachments: [...kept, ...fields.attach.map(loadAttachment)],
  };
}

/** Sends (or saves as draft) and reports; returns what happened. */
export async function dispatchDraft(
  session: MailSession,
  draft: Draft,
  options: ComposeOptions,
): Promise<SentResult> {
  const result = options.draft ? await saveDraft(session, draft) : await sendDraft(session, draft);
  reportResult(session, result, options.json === true);
  return result;
}

/** Exit status when some recipients were refused and others accepted: sent, but not to everyone. */
export const EXIT_PARTIALLY_SENT = 3;

export function reportResult(session: MailSession, result: SentResult, json: boolean): void {
  if (result.rejected.length > 0) process.exitCode = EXIT_PARTIALLY_SENT;
  if (json) return session.json(result);
  const where = result.savedTo ? safeLine(result.savedTo.mailbox) : null;
  if (result.action === 'draft') {
    const uid = result.savedTo?.uid ? ` (UID ${result.savedTo.uid})` : '';
    session.io.stderr.write(`Saved draft ${result.messageId} in ${where}${uid}\n`);
    return;
  }
  session.io.stderr.write(`Sent ${result.messageId} to ${result.accepted.join(', ')}\n`);
  for (const r of result.rejected) session.warn(`not accepted for ${r.address}: ${safeLine(r.reply)}`);
  if (where) session.io.stderr.write(`Copy saved in ${where}\n`);
}

async function saveDraft(session: MailSession, draft: Draft): Promise<SentResult> {
  const client = await session.imap();
  const mailbox = await roleMailbox(client, 'drafts', session.profile.folders);
  const { bytes } = buildMessage(draft, { includeBcc: true });
  const appended = await client.append(mailbox, bytes, ['\\Draft', '\\Seen'], draft.date);
  return {
    messageId: draft.messageId,
    action: 'draft',
    accepted: [],
    rejected: [],
    savedTo: { mailbox, uid: appended ? (appended.uid ?? null) : null },
  };
}

export async function sendDraft(session: MailSession, draft: Draft): Promise<SentResult> {
  const transmitted = buildMessage(draft, { includeBcc: false });
  const submitter = await session.submitter();
  const outcome = await submitter.submit(
    {
      from: draft.from.address,
      recipients: envelopeRecipients(draft),
      smtputf8: transmitted.smtputf8,
      eightBit: transmitted.eightBit,
    },
    transmitted.bytes,
  );
  if (outcome.accepted.length === 0) {
    throw new UserError(`not sent: ${outcome.rejected.map((r) => `${r.address}: ${r.reply}`).join('; ')}`);
  }
  return {
    messageId: draft.messageId,
    action: 'sent',
    ...outcome,
    savedTo: await saveSentCopy(session, buildMessage(draft, { includeBcc: true }).bytes, draft.date),
  };
}

/** Appends to Sent with \Seen; a failure here is only a warning (the message is already on its way). */
export async function saveSentCopy(
  session: MailSession,
  bytes: Buffer,
  date: Date,
): Promise<{ mailbox: string; uid: number | null } | null> {
  try {
    const client = await session.imap();
    const mailbox = await roleMailbox(client, 'sent', session.profile.folders);
    const appended = await client.append(mailbox, bytes, ['\\Seen'], date);
    return { mailbox, uid: appended ? (appended.uid ?? null) : null };
  } catch (err) {
    session.warn(`sent, but not saved to Sent: ${(err as Error).message}`);
    return null;
  }
}
