// The header block of one entity (RFC 5322 §2.2, §3.6): fields with exact byte ranges, folded lines joined.
// A line ends at LF (CRLF or bare LF both accepted); the block ends at the first empty line, at a multipart
// boundary line (the line break before it then belongs to the boundary), or at the end of the data.
import { decodeUnlabelled } from './charset.ts';
import type { BoundaryHit, BoundaryStack } from './boundaries.ts';

export interface HeaderField {
  /** Field name as written, e.g. "Content-Type". */
  name: string;
  /** Lower-case name, for lookups. */
  key: string;
  /** Offset of the field's first byte. */
  start: number;
  /** Offset just after the colon. */
  valueStart: number;
  /** Offset after the field's last line break (folded lines included). */
  end: number;
}

export interface HeaderBlock {
  fields: HeaderField[];
  /** Where the body starts: after the empty line, else where the header stopped. */
  end: number;
  /** The block was larger than the limit; fields past it were not read. */
  truncated: boolean;
  /** The boundary line that cut the header short, if any. */
  boundaryHit: BoundaryHit | null;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

/** Reads the header block starting at `start` (a line start). Never reads a field past `maxBytes`. */
export function readHeaderBlock(
  buf: Buffer,
  start: number,
  maxBytes: number = Number.POSITIVE_INFINITY,
  boundaries?: BoundaryStack,
): HeaderBlock {
  const fields: HeaderField[] = [];
  const limit = start + maxBytes;
  let current: HeaderField | null = null;
  let truncated = false;
  let previousBreak = 0;
  let pos = start;
  while (pos < buf.length) {
    const newline = buf.indexOf(LF, pos);
    const lineEnd = newline < 0 ? buf.length : newline + 1;
    if (buf[pos] === LF) return { fields, end: pos + 1, truncated, boundaryHit: null };
    if (buf[pos] === CR && buf[pos + 1] === LF) return { fields, end: pos + 2, truncated, boundaryHit: null };
    const hit = boundaries && boundaries.size > 0 ? boundaries.matchLine(buf, pos) : null;
    if (hit) return { fields, end: Math.max(start, pos - previousBreak), truncated, boundaryHit: hit };

    if (lineEnd > limit) truncated = true;
    if (pos >= limit) {
      current = null;
    } else if (buf[pos] === SP || buf[pos] === TAB) {
      if (current) current.end = Math.min(lineEnd, limit);
    } else {
      current = fieldAt(buf, pos, lineEnd, Math.min(lineEnd, limit));
      if (current) fields.push(current);
    }
    previousBreak = newline < 0 ? 0 : newline > pos && buf[newline - 1] === CR ? 2 : 1;
    pos = lineEnd;
  }
  return { fields, end: buf.length, truncated, boundaryHit: null };
}

/** Splits an already delimited header range (e.g. a part's header for BODY[n.HEADER.FIELDS]) into fields. */
export function headerFieldsIn(buf: Buffer, start: number, end: number): HeaderField[] {
  const block = readHeaderBlock(buf.subarray(0, end), start);
  return block.fields;
}

/** The field's value unfolded (line breaks removed, RFC 5322 §2.2.3), trimmed, not decoded. */
export function rawFieldValue(buf: Buffer, field: HeaderField): string {
  const text = decodeUnlabelled(buf.subarray(field.valueStart, field.end));
  return trimWsp(text.replace(/[\r\n]+/g, ''));
}

/** Strips spaces and tabs at both ends (a loop: the regex form is quadratic on long inner runs). */
export function trimWsp(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(start, end);
}

// field-name = 1*ftext, ftext = %d33-57 / %d59-126; obsolete syntax allows WSP before the colon (§4.5).
function fieldAt(buf: Buffer, pos: number, lineEnd: number, clippedEnd: number): HeaderField | null {
  const colonInLine = buf.subarray(pos, lineEnd).indexOf(COLON);
  const colon = colonInLine < 0 ? -1 : pos + colonInLine;
  if (colon < 0 || colon >= clippedEnd) return null;
  let nameEnd = colon;
  while (nameEnd > pos && (buf[nameEnd - 1] === SP || buf[nameEnd - 1] === TAB)) nameEnd--;
  if (nameEnd === pos) return null;
  for (let i = pos; i < nameEnd; i++) {
    const b = buf[i] ?? 0;
    if (b < 33 || b > 126) return null;
  }
  const name = buf.toString('latin1', pos, nameEnd);
  return { name, key: name.toLowerCase(), start: pos, valueStart: colon + 1, end: clippedEnd };
}
