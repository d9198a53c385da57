// Which parts of a message are its readable body and which are attachments, the way a reader expects:
// in multipart/alternative the text/plain version wins (HTML only when there is no plain text); in
// multipart/mixed (and any other multipart) every inline text part is body, everything else is an
// attachment numbered from 1 in document order. Each attachment carries its IMAP section ("2", "1.2") so it
// can be fetched alone.

import { decodeEncodedWords } from '../../message/encoded-words.ts';
import type { MimePart } from '../../message/types.ts';

export interface BodyPart {
  part: MimePart;
  kind: 'plain' | 'html';
}

export interface AttachmentPart {
  index: number;
  section: string;
  part: MimePart;
  filename: string | null;
  contentType: string;
}

export interface MessageLayout {
  body: BodyPart[];
  attachments: AttachmentPart[];
}

export function layoutMessage(root: MimePart): MessageLayout {
  const layout: MessageLayout = { body: [], attachments: [] };
  // A message that is not multipart has one part, numbered 1 (RFC 9051 §6.4.5).
  if (root.type === 'multipart') visit(root, [], layout);
  else visitLeaf(root, [1], layout);
  return layout;
}

export function partFilename(part: MimePart): string | null {
  const raw = part.disposition?.params['filename'] ?? part.params['name'] ?? null;
  if (raw === null || raw.trim() === '') return null;
  // RFC 2047 words inside parameters are not standard, but common; decode them for display.
  const name = decodeEncodedWords(raw).trim();
  return name === '' ? null : name;
}

function visit(part: MimePart, path: number[], layout: MessageLayout): void {
  if (part.subtype === 'alternative') {
    const chosen = chooseAlternative(part);
    if (chosen) {
      const i = part.children.indexOf(chosen);
      if (chosen.type === 'multipart') visit(chosen, [...path, i + 1], layout);
      else visitLeaf(chosen, [...path, i + 1], layout);
    }
    return;
  }
  part.children.forEach((child, i) => {
    const childPath = [...path, i + 1];
    if (child.type === 'multipart') visit(child, childPath, layout);
    else visitLeaf(child, childPath, layout);
  });
}

function visitLeaf(part: MimePart, path: number[], layout: MessageLayout): void {
  const attachment = part.disposition?.type === 'attachment';
  const readable = part.type === 'text' && (part.subtype === 'plain' || part.subtype === 'html');
  if (readable && !attachment) {
    layout.body.push({ part, kind: part.subtype === 'html' ? 'html' : 'plain' });
    return;
  }
  layout.attachments.push({
    index: layout.attachments.length + 1,
    section: path.join('.'),
    part,
    filename: partFilename(part),
    contentType: `${part.type}/${part.subtype}`,
  });
}

/** RFC 2046 §5.1.4: alternatives in increasing faithfulness; we prefer plain text, then the richest other. */
function chooseAlternative(part: MimePart): MimePart | null {
  const children = part.children.filter((c) => c.disposition?.type !== 'attachment');
  const plain = children.find((c) => c.type === 'text' && c.subtype === 'plain');
  if (plain) return plain;
  const nested = children.find((c) => c.type === 'multipart' && containsPlain(c));
  if (nested) return nested;
  const html = [...children]
    .reverse()
    .find((c) => (c.type === 'text' && c.subtype === 'html') || c.type === 'multipart');
  return html ?? children[children.length - 1] ?? null;
}

function containsPlain(part: MimePart): boolean {
  if (part.type === 'text' && part.subtype === 'plain') return part.disposition?.type !== 'attachment';
  return part.children.some(containsPlain);
}
