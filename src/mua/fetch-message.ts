// Fetching one whole message by UID for reading, replying, forwarding and saving attachments.

import { UserError } from '../cli/errors.ts';
import { openMailbox } from './mailbox-access.ts';
import { buildMessageView, type MessageView } from './render/message-view.ts';
import type { MailSession } from './session.ts';

export interface FetchedMessage {
  mailbox: string;
  uid: number;
  flags: string[];
  size: number;
  received: Date | null;
  source: Buffer;
  view: MessageView;
}

export async function fetchMessage(
  session: MailSession,
  mailboxName: string,
  uid: number,
  options: { markSeen: boolean },
): Promise<FetchedMessage> {
  const { client, path } = await openMailbox(session, mailboxName, !options.markSeen);
  const message = await client.fetchOne(
    String(uid),
    { uid: true, flags: true, size: true, internalDate: true, source: true },
    { uid: true },
  );
  if (!message || !message.source) throw new UserError(`no message with UID ${uid} in ${path}`);
  const flags = new Set(message.flags ?? []);
  if (options.markSeen && !flags.has('\\Seen')) {
    await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    flags.add('\\Seen');
  }
  const received = message.internalDate ? new Date(message.internalDate) : null;
  return {
    mailbox: path,
    uid,
    flags: [...flags].sort(),
    size: message.size ?? message.source.length,
    received: received && !Number.isNaN(received.getTime()) ? received : null,
    source: message.source,
    view: buildMessageView(message.source),
  };
}
