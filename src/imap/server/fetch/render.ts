// FETCH response rendering (RFC 9051 §6.4.5, §7.5.2): a pure function of the requested items, the message
// record and lazily loaded message data (the parsed index, the stored octets). Nothing here writes or changes
// state; the FETCH handler sets \Seen and adds FLAGS before calling it.

import type { ParsedMessage } from '../../../message/types.ts';
import type { MessageRecord } from '../../../storage/ports.ts';
import type { FetchAttribute, FetchPartial, Section } from '../../wire/command-types.ts';
import { formatDateTime } from '../../wire/date-time.ts';
import { atom, binaryLiteral, literal, type ImapValue } from '../../wire/encode.ts';
import { bodyStructureValue, envelopeValue } from '../../wire/encode-body-structure.ts';
import { fetchItemName, fetchResponse } from '../../wire/untagged.ts';
import { binaryBytes, sectionBytes } from './sections.ts';

export interface FetchMessage {
  seq: number;
  record: MessageRecord;
  parsed(): Promise<ParsedMessage>;
  bytes(): Promise<Buffer>;
}

export interface RenderOptions {
  /** The client accepts UTF-8 (IMAP4rev2 / UTF8=ACCEPT). */
  utf8: boolean;
}

/**
 * Does the item need the parsed index (part offsets, ENVELOPE, BODYSTRUCTURE)? Lets the handler batch-load it
 * only then: the whole message (BODY[], RFC822, BINARY[]) is the stored octets as they are.
 */
export function needsParsed(attr: FetchAttribute): boolean {
  switch (attr.kind) {
    case 'ENVELOPE':
    case 'BODYSTRUCTURE':
    case 'BODY':
    case 'RFC822.HEADER':
    case 'RFC822.TEXT':
      return true;
    case 'BODY[]':
      return !isWholeMessage(attr.section);
    case 'BINARY[]':
    case 'BINARY.SIZE':
      return attr.part.length > 0;
    default:
      return false;
  }
}

/**
 * BODY[] names the whole message: the root entity runs from the first octet to the last (src/message/parse.ts),
 * so its octets are the stored ones and need no part offsets.
 */
function isWholeMessage(section: Section): boolean {
  return section.part.length === 0 && section.text === null;
}

/** Items that set \Seen when fetched (RFC 9051 §6.4.5: BODY[...] without .PEEK, BINARY[...], RFC822, RFC822.TEXT). */
export function setsSeen(attr: FetchAttribute): boolean {
  return (
    ((attr.kind === 'BODY[]' || attr.kind === 'BINARY[]') && !attr.peek) ||
    attr.kind === 'RFC822' ||
    attr.kind === 'RFC822.TEXT'
  );
}

const SIMPLE = new Set(['FLAGS', 'UID', 'RFC822.SIZE', 'INTERNALDATE', 'MODSEQ']);

/** True when every item is a plain value from the record (the common FETCH 1:* (UID FLAGS) of a resync). */
export function isSimple(attributes: readonly FetchAttribute[]): boolean {
  return attributes.every((a) => SIMPLE.has(a.kind));
}

/** The same response as renderFetch for simple items, built as one string (fast path for large mailboxes). */
export function renderSimpleFetch(
  attributes: readonly FetchAttribute[],
  seq: number,
  r: MessageRecord,
): string {
  let line = `* ${seq} FETCH (`;
  for (let i = 0; i < attributes.length; i++) {
    if (i > 0) line += ' ';
    switch (attributes[i]!.kind) {
      case 'FLAGS':
        line += `FLAGS (${r.flags.join(' ')})`;
        break;
      case 'UID':
        line += `UID ${r.uid}`;
        break;
      case 'RFC822.SIZE':
        line += `RFC822.SIZE ${r.size}`;
        break;
      case 'INTERNALDATE':
        line += `INTERNALDATE "${formatDateTime(r.internalDate)}"`;
        break;
      case 'MODSEQ':
        line += `MODSEQ (${r.modSeq})`;
        break;
    }
  }
  return line + ')\r\n';
}

export async function renderFetch(
  attributes: readonly FetchAttribute[],
  m: FetchMessage,
  options: RenderOptions,
): Promise<Buffer[]> {
  const items: Array<[string, ImapValue]> = [];
  for (const attr of attributes) items.push([fetchItemName(attr), await itemValue(attr, m, options)]);
  return fetchResponse(m.seq, items, { utf8: options.utf8 });
}

async function itemValue(attr: FetchAttribute, m: FetchMessage, options: RenderOptions): Promise<ImapValue> {
  const encode = { utf8: options.utf8 };
  switch (attr.kind) {
    case 'FLAGS':
      return m.record.flags.map(atom);
    case 'INTERNALDATE':
      return formatDateTime(m.record.internalDate);
    case 'RFC822.SIZE':
      return m.record.size;
    case 'UID':
      return m.record.uid;
    case 'MODSEQ':
      return [m.record.modSeq];
    case 'ENVELOPE':
      return envelopeValue((await m.parsed()).envelope, encode);
    case 'BODYSTRUCTURE':
      return bodyStructureValue((await m.parsed()).body, true, encode);
    case 'BODY':
      return bodyStructureValue((await m.parsed()).body, false, encode);
    case 'RFC822':
      return literal(await m.bytes());
    case 'RFC822.HEADER': {
      const root = (await m.parsed()).body;
      return literal((await m.bytes()).subarray(root.headerStart, root.bodyStart));
    }
    case 'RFC822.TEXT': {
      const root = (await m.parsed()).body;
      return literal((await m.bytes()).subarray(root.bodyStart, root.bodyEnd));
    }
    case 'BODY[]': {
      if (isWholeMessage(attr.section)) return literal(partial(await m.bytes(), attr.partial));
      const bytes = sectionBytes(await m.bytes(), (await m.parsed()).body, attr.section);
      return bytes === null ? null : literal(partial(bytes, attr.partial));
    }
    case 'BINARY[]': {
      // BINARY[] of the whole message is its octets as stored (as binaryBytes in sections.ts answers it).
      if (attr.part.length === 0) return binaryLiteral(partial(await m.bytes(), attr.partial));
      const bytes = binaryBytes(await m.bytes(), (await m.parsed()).body, attr.part);
      return bytes === null ? null : binaryLiteral(partial(bytes, attr.partial));
    }
    case 'BINARY.SIZE': {
      if (attr.part.length === 0) return (await m.bytes()).length;
      const bytes = binaryBytes(await m.bytes(), (await m.parsed()).body, attr.part);
      return bytes === null ? null : bytes.length;
    }
  }
}

/** `<offset.length>`: an offset past the end gives the empty string (RFC 9051 §6.4.5). */
function partial(bytes: Buffer, p: FetchPartial | null): Buffer {
  if (!p) return bytes;
  return bytes.subarray(Math.min(p.offset, bytes.length), Math.min(p.offset + p.length, bytes.length));
}
