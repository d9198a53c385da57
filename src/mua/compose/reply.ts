// Replies and forwards (RFC 5322 §3.6.3, §3.6.4): who gets them, the subject prefix, In-Reply-To and
// References, the quoted or forwarded text. The caller adds the user's own text and builds the message.

import type { EnvelopeAddress } from '../../message/types.ts';
import { addressOf } from '../output/display-address.ts';
import type { MessageView } from '../render/message-view.ts';
import { formatDateHeader, type MailAddress } from './headers.ts';

/** Most Message-IDs kept in References: the first (thread root) and the latest ones. */
const MAX_REFERENCES = 20;

export interface ReplyHeaders {
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  inReplyTo?: string;
  references: string[];
}

function toMailAddresses(list: readonly EnvelopeAddress[]): MailAddress[] {
  const out: MailAddress[] = [];
  for (const a of list) {
    const address = addressOf(a);
    if (address !== null) out.push({ name: a.name ?? '', address });
  }
  return out;
}

function withoutDuplicates(list: MailAddress[], exclude: ReadonlySet<string>): MailAddress[] {
  const seen = new Set(exclude);
  return list.filter((a) => {
    const key = a.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function replySubject(subject: string): string {
  return /^\s*re\s*(\[\d+\])?\s*:/i.test(subject) ? subject.trim() : `Re: ${subject.trim()}`;
}

export function forwardSubject(subject: string): string {
  return /^\s*(fwd?|fw)\s*:/i.test(subject) ? subject.trim() : `Fwd: ${subject.trim()}`;
}

/** References of an answer: the original's References (or its In-Reply-To), then its Message-ID. */
export function referencesFor(original: MessageView): string[] {
  const chain =
    original.references.length > 0 ? [...original.references] : [...original.inReplyTo.slice(0, 1)];
  if (original.messageId) chain.push(original.messageId);
  const unique = chain.filter((id, i) => chain.indexOf(id) === i);
  if (unique.length <= MAX_REFERENCES) return unique;
  return [unique[0]!, ...unique.slice(unique.length - (MAX_REFERENCES - 1))];
}

/**
 * Reply headers. `mine` are the user's own addresses: a reply to one's own message goes to its
 * recipients, and reply-all never sends a copy to oneself.
 */
export function replyHeaders(
  original: MessageView,
  options: { all: boolean; mine: readonly string[] },
): ReplyHeaders {
  const mine = new Set(options.mine.map((a) => a.toLowerCase()));
  const author = toMailAddresses(original.replyTo.length > 0 ? original.replyTo : original.from);
  const fromMe = toMailAddresses(original.from).some((a) => mine.has(a.address.toLowerCase()));
  let to = fromMe ? toMailAddresses(original.to) : author;
  let cc: MailAddress[] = [];
  if (options.all) {
    to = fromMe ? to : [...author, ...toMailAddresses(original.to)];
    cc = toMailAddresses(original.cc);
  }
  to = withoutDuplicates(to, mine);
  if (to.length === 0) to = author; // a message from oneself to oneself
  cc = withoutDuplicates(cc, new Set([...mine, ...to.map((a) => a.address.toLowerCase())]));
  const headers: ReplyHeaders = {
    to,
    cc,
    subject: replySubject(original.subject),
    references: referencesFor(original),
  };
  if (original.messageId) headers.inReplyTo = original.messageId;
  return headers;
}

function plainLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function nameAndAddress(list: readonly EnvelopeAddress[]): string {
  return toMailAddresses(list)
    .map((a) => plainLine(a.name ? `${a.name} <${a.address}>` : a.address))
    .join(', ');
}

/** "On <date>, <author> wrote:" and the original text with "> " before every line. */
export function quoteForReply(original: MessageView): string {
  const when = original.date ? formatDateHeader(original.date) : 'an unknown date';
  const who = nameAndAddress(original.from) || 'someone';
  const quoted = original.text
    .replace(/\s+$/, '')
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : line === '' ? '>' : `> ${line}`))
    .join('\n');
  return `On ${when}, ${who} wrote:\n${quoted}\n`;
}

/** The forwarded message inline: a header block and its text, as most clients write it. */
export function forwardedText(original: MessageView): string {
  const lines = ['---------- Forwarded message ----------', `From: ${nameAndAddress(original.from)}`];
  if (original.date) lines.push(`Date: ${formatDateHeader(original.date)}`);
  lines.push(`Subject: ${plainLine(original.subject)}`);
  if (original.to.length > 0) lines.push(`To: ${nameAndAddress(original.to)}`);
  if (original.cc.length > 0) lines.push(`Cc: ${nameAndAddress(original.cc)}`);
  return `${lines.join('\n')}\n\n${original.text.replace(/\s+$/, '')}\n`;
}
