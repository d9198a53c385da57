// A message as the reader shows it: decoded headers, the body as text (HTML turned into readable text
// with link targets shown), attachments with index, type and decoded size. One structure feeds both the
// terminal view and `--json`.

import { createRequire } from 'node:module';
import type * as HtmlToText from 'html-to-text';
import { partBody, partText } from '../../message/body-decode.ts';
import { parseMessage } from '../../message/parse.ts';
import type { EnvelopeAddress, ParsedMessage } from '../../message/types.ts';
import { messageIds } from '../compose/headers.ts';
import { layoutMessage, type AttachmentPart } from './mime-walk.ts';

export interface AttachmentView {
  index: number;
  section: string;
  filename: string | null;
  contentType: string;
  /** Decoded size in octets. */
  size: number;
  disposition: string | null;
}

export interface MessageView {
  parsed: ParsedMessage;
  subject: string;
  date: Date | null;
  from: EnvelopeAddress[];
  sender: EnvelopeAddress[];
  replyTo: EnvelopeAddress[];
  to: EnvelopeAddress[];
  cc: EnvelopeAddress[];
  bcc: EnvelopeAddress[];
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  text: string;
  /** Where the text came from: the plain part, HTML converted, both (mixed), or nothing readable. */
  textSource: 'plain' | 'html' | 'mixed' | 'none';
  attachments: AttachmentView[];
  attachmentParts: AttachmentPart[];
}

// Loaded on first use (its parser is large); synchronous, so reading stays a plain function.
let converter: typeof HtmlToText.convert | null = null;

export function htmlToText(html: string): string {
  converter ??= (createRequire(import.meta.url)('html-to-text') as typeof HtmlToText).convert;
  return converter(html, {
    wordwrap: 100,
    selectors: [
      { selector: 'img', format: 'skip' },
      // The target beside the text of every link: what a reader must see to judge it.
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
      { selector: 'style', format: 'skip' },
      { selector: 'script', format: 'skip' },
    ],
  });
}

function header(parsed: ParsedMessage, name: string): string | null {
  const found = parsed.headers.find(([n]) => n === name);
  return found ? found[1] : null;
}

export function buildMessageView(source: Buffer): MessageView {
  const parsed = parseMessage(source);
  const layout = layoutMessage(parsed.body);
  const texts: string[] = [];
  const kinds = new Set<string>();
  for (const b of layout.body) {
    const decoded = partText(source, b.part);
    texts.push(b.kind === 'html' ? htmlToText(decoded) : decoded.replace(/\r\n/g, '\n'));
    kinds.add(b.kind);
  }
  const env = parsed.envelope;
  return {
    parsed,
    subject: header(parsed, 'subject') ?? '',
    date: parsed.sentDate === null ? null : new Date(parsed.sentDate),
    from: env.from ?? [],
    // ENVELOPE repeats From in Sender and Reply-To when they are absent (RFC 9051 §7.5.2); here they are
    // only what the message really says.
    sender: header(parsed, 'sender') === null ? [] : (env.sender ?? []),
    replyTo: header(parsed, 'reply-to') === null ? [] : (env.replyTo ?? []),
    to: env.to ?? [],
    cc: env.cc ?? [],
    bcc: env.bcc ?? [],
    messageId: messageIds(env.messageId)[0] ?? null,
    inReplyTo: messageIds(env.inReplyTo),
    references: messageIds(header(parsed, 'references')),
    text: texts.map((t) => t.replace(/\s+$/, '')).join('\n\n'),
    textSource: kinds.size === 0 ? 'none' : kinds.size === 2 ? 'mixed' : kinds.has('html') ? 'html' : 'plain',
    attachments: layout.attachments.map((a) => ({
      index: a.index,
      section: a.section,
      filename: a.filename,
      contentType: a.contentType,
      size: partBody(source, a.part).length,
      disposition: a.part.disposition?.type ?? null,
    })),
    attachmentParts: layout.attachments,
  };
}

/** The decoded bytes of attachment `index` (1-based), or null. */
export function attachmentData(source: Buffer, view: MessageView, index: number): Buffer | null {
  const a = view.attachmentParts.find((p) => p.index === index);
  // An encapsulated message/rfc822 comes out whole (header and body), ready to save as .eml.
  return a ? partBody(source, a.part) : null;
}
