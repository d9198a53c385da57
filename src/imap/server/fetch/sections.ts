// The octets of a BODY[section] (RFC 9051 §6.4.5) and of a BINARY[section] (RFC 3516 / RFC 9051 §6.4.5),
// cut from the stored message using the part offsets of its parsed index. Null when the part does not exist.

import { headerFieldsIn } from '../../../message/header-block.ts';
import { decodeTransferEncoding } from '../../../message/body-decode.ts';
import { partAt } from '../../../message/sections.ts';
import type { MimePart } from '../../../message/types.ts';
import type { Section } from '../../wire/command-types.ts';

export function sectionBytes(bytes: Buffer, root: MimePart, section: Section): Buffer | null {
  const text = section.text;
  if (section.part.length === 0) return entitySection(bytes, root, text === 'MIME' ? null : text);
  const part = partAt(root, section.part);
  if (!part) return null;
  if (text === null) return bytes.subarray(part.bodyStart, part.bodyEnd);
  if (text === 'MIME') {
    // The MIME header of part 1 of a non-multipart message is the message header itself.
    return bytes.subarray(part.headerStart, part.bodyStart);
  }
  // HEADER, TEXT and HEADER.FIELDS of a part refer to its encapsulated message (message/rfc822).
  if (!part.message) return null;
  return entitySection(bytes, part.message.body, text);
}

function entitySection(bytes: Buffer, entity: MimePart, text: Section['text']): Buffer {
  if (text === null) return bytes.subarray(entity.headerStart, entity.bodyEnd);
  if (text === 'HEADER') return bytes.subarray(entity.headerStart, entity.bodyStart);
  if (text === 'TEXT') return bytes.subarray(entity.bodyStart, entity.bodyEnd);
  if (text === 'MIME') return bytes.subarray(entity.headerStart, entity.bodyStart);
  return headerFields(bytes, entity, text.fields, text.not);
}

/** HEADER.FIELDS (.NOT): the chosen fields as they were written, then the empty line (RFC 9051 §6.4.5). */
function headerFields(bytes: Buffer, entity: MimePart, names: string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const kept: Buffer[] = [];
  for (const field of headerFieldsIn(bytes, entity.headerStart, entity.bodyStart)) {
    if (wanted.has(field.key) !== not) {
      const raw = bytes.subarray(field.start, field.end);
      kept.push(raw);
      if (raw.length > 0 && raw[raw.length - 1] !== 0x0a) kept.push(Buffer.from('\r\n'));
    }
  }
  kept.push(Buffer.from('\r\n'));
  return Buffer.concat(kept);
}

export class UnknownTransferEncoding extends Error {
  override name = 'UnknownTransferEncoding';
}

const KNOWN_CTE = new Set(['7BIT', '8BIT', 'BINARY', 'BASE64', 'QUOTED-PRINTABLE']);

/** BINARY[part]: the part's body with its transfer encoding undone; [] is the whole message as stored. */
export function binaryBytes(bytes: Buffer, root: MimePart, path: number[]): Buffer | null {
  if (path.length === 0) return bytes;
  const part = partAt(root, path);
  if (!part) return null;
  if (part.type === 'multipart' || part.message) return bytes.subarray(part.bodyStart, part.bodyEnd);
  const encoding = part.encoding.toUpperCase();
  if (!KNOWN_CTE.has(encoding)) throw new UnknownTransferEncoding(encoding);
  return decodeTransferEncoding(bytes.subarray(part.bodyStart, part.bodyEnd), encoding);
}
