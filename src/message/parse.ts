// parseMessage: bytes -> ParsedMessage (the MIME tree with exact byte offsets, envelopes, searchable headers).
// Invariants, relied on by IMAP:
// - Never throws; any input yields a usable structure (warnings say what was given up).
// - 0 <= headerStart <= bodyStart <= bodyEnd <= size for every part; children lie inside their parent's body,
//   in order, without overlap. BODY[s.MIME] = bytes[headerStart, bodyStart), BODY[s] = bytes[bodyStart, bodyEnd).
// - A part of type multipart has at least one child; a message/rfc822 or message/global part has `message`.
//   Where the parser cannot descend (limits, a multipart without usable boundary, an encoded message/rfc822)
//   the part is made a leaf of a type that needs no children (see toLeaf) and a warning is recorded.
// Line endings: CRLF and bare LF are both accepted; offsets always refer to the bytes as stored.
import { isAscii, isUtf8 } from 'node:buffer';
import { BoundaryStack, endBeforeBoundary, type BoundaryHit } from './boundaries.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { parseDate } from './date.ts';
import { buildEnvelope, emptyEnvelope, type FieldLookup } from './envelope.ts';
import { rawFieldValue, readHeaderBlock, type HeaderField } from './header-block.ts';
import { describePart } from './part-headers.ts';
import type { MimePart, ParsedMessage } from './types.ts';

export interface ParseLimits {
  /** Deepest nesting of multipart / message/rfc822 levels that is descended into (default 20). */
  maxDepth?: number;
  /** Most MIME parts in one message, encapsulated messages included (default 1000). */
  maxParts?: number;
  /** Most bytes of one header block that are read (default 1 MiB); later fields are ignored. */
  maxHeaderBytes?: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<Required<ParseLimits>> = {
  maxDepth: 20,
  maxParts: 1000,
  maxHeaderBytes: 1024 * 1024,
};

// Keeps recursion (about two frames per level) far from the JS stack limit whatever the caller passes.
const HARD_MAX_DEPTH = 500;
const LF = 0x0a;
const DESCENDABLE_MESSAGE_ENCODINGS = new Set(['7BIT', '8BIT', 'BINARY']);

export function parseMessage(bytes: Buffer, limits?: ParseLimits): ParsedMessage {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  try {
    return new MessageParser(buf, normalizeLimits(limits)).parse();
  } catch (error) {
    return fallbackParse(buf, error);
  }
}

interface EntityResult {
  part: MimePart;
  field: FieldLookup;
  fields: HeaderField[];
  stop: BoundaryHit | null;
}

class MessageParser {
  private readonly buf: Buffer;
  private readonly limits: Required<ParseLimits>;
  private readonly boundaries = new BoundaryStack();
  private readonly warnings = new Set<string>();
  private readonly lineFeeds = new WeakMap<MimePart, number>();
  private partCount = 0;

  constructor(buf: Buffer, limits: Required<ParseLimits>) {
    this.buf = buf;
    this.limits = limits;
  }

  parse(): ParsedMessage {
    const top = this.parseEntity(0, 0, false);
    const headers: Array<[string, string]> = top.fields.map((f) => [
      f.key,
      decodeEncodedWords(rawFieldValue(this.buf, f)),
    ]);
    return {
      size: this.buf.length,
      envelope: buildEnvelope(top.field),
      body: top.part,
      headers,
      sentDate: parseDate(top.field('date')),
      eightBit: !isAscii(this.buf),
      warnings: [...this.warnings],
    };
  }

  /** One entity (header + body) starting at `start`; returns where it stopped (the next boundary line). */
  private parseEntity(start: number, depth: number, inDigest: boolean): EntityResult {
    this.partCount++;
    const { buf } = this;
    const header = readHeaderBlock(buf, start, this.limits.maxHeaderBytes, this.boundaries);
    if (header.truncated) this.warn(`header block over ${this.limits.maxHeaderBytes} bytes: rest ignored`);
    const field = fieldLookup(buf, header.fields);
    const part: MimePart = {
      headerStart: start,
      bodyStart: header.end,
      bodyEnd: header.end,
      ...describePart(field, inDigest),
      size: 0,
      lines: 0,
      children: [],
      message: null,
    };
    const result: EntityResult = { part, field, fields: header.fields, stop: header.boundaryHit };
    if (header.boundaryHit) {
      // Cut short by a boundary: no body, so nothing to descend into.
      if (part.type === 'multipart') toLeaf(part, 'text');
      else if (isMessageType(part)) toLeaf(part, 'opaque');
      return this.finish(result);
    }

    const canDescend = this.canDescend(depth, header.truncated);
    if (part.type === 'multipart') {
      const boundary = part.params['boundary'];
      if (boundary === undefined || boundary === '') {
        this.warn('multipart without boundary parameter: read as text/plain');
        toLeaf(part, 'text');
      } else if (!canDescend) {
        toLeaf(part, 'opaque');
      } else {
        result.stop = this.parseMultipartBody(part, boundaryBytes(buf, header.fields, boundary), depth);
        if (part.children.length === 0) {
          this.warn('multipart boundary never found: read as text/plain');
          toLeaf(part, 'text');
        }
        return this.finish(result);
      }
    } else if (isMessageType(part)) {
      if (!DESCENDABLE_MESSAGE_ENCODINGS.has(part.encoding)) {
        this.warn(`message/${part.subtype} with ${part.encoding} encoding: not descended`);
        toLeaf(part, 'opaque');
      } else if (!canDescend) {
        toLeaf(part, 'opaque');
      } else {
        const inner = this.parseEntity(part.bodyStart, depth + 1, false);
        part.message = { envelope: buildEnvelope(inner.field), body: inner.part };
        result.stop = inner.stop;
        return this.finish(result);
      }
    }
    result.stop = this.boundaries.findFrom(buf, part.bodyStart);
    return this.finish(result);
  }

  /** RFC 2046 §5.1.1: preamble, body parts between delimiters, epilogue after the close delimiter. */
  private parseMultipartBody(part: MimePart, boundary: Buffer, depth: number): BoundaryHit | null {
    const { buf, boundaries } = this;
    const own = boundaries.push(boundary);
    const inDigest = part.subtype === 'digest';
    let hit = boundaries.findFrom(buf, part.bodyStart);
    while (hit && hit.index >= own) {
      if (hit.close) {
        boundaries.truncate(own);
        return boundaries.findFrom(buf, hit.lineEnd); // the epilogue runs to an outer boundary
      }
      if (this.partCount >= this.limits.maxParts) {
        this.warn(`more than ${this.limits.maxParts} MIME parts: rest not parsed`);
        hit = boundaries.findFrom(buf, hit.lineEnd);
        continue;
      }
      const child = this.parseEntity(hit.lineEnd, depth + 1, inDigest);
      part.children.push(child.part);
      hit = child.stop;
    }
    // Missing close delimiter: the part ends at an outer boundary or the end of the message.
    boundaries.truncate(own);
    return hit;
  }

  private canDescend(depth: number, headerTruncated: boolean): boolean {
    if (headerTruncated) return false;
    if (depth >= this.limits.maxDepth) {
      this.warn(`MIME nesting deeper than ${this.limits.maxDepth}: not descended`);
      return false;
    }
    if (this.partCount >= this.limits.maxParts) {
      this.warn(`more than ${this.limits.maxParts} MIME parts: rest not parsed`);
      return false;
    }
    return true;
  }

  private finish(result: EntityResult): EntityResult {
    const { part } = result;
    // Children never reach past their parent, even when the line break before a boundary (which the
    // boundary owns) was the blank line closing an inner header.
    const lastChild = part.children.at(-1)?.bodyEnd ?? 0;
    const inner = part.message?.body.bodyEnd ?? 0;
    part.bodyEnd = endBeforeBoundary(this.buf, result.stop, Math.max(part.bodyStart, lastChild, inner));
    part.size = part.bodyEnd - part.bodyStart;
    const lineFeeds = this.countBodyLineFeeds(part);
    this.lineFeeds.set(part, lineFeeds);
    part.lines = countsLines(part) ? lineFeeds : 0;
    return result;
  }

  /** Line feeds in the body, reusing the counts of children so every byte is scanned once however deep. */
  private countBodyLineFeeds(part: MimePart): number {
    const { buf } = this;
    const inner = part.message ? [part.message.body] : part.children;
    let total = 0;
    let position = part.bodyStart;
    for (const child of inner) {
      total += countLines(buf, position, child.bodyStart) + (this.lineFeeds.get(child) ?? 0);
      position = child.bodyEnd;
    }
    return total + countLines(buf, position, part.bodyEnd);
  }

  private warn(message: string): void {
    this.warnings.add(message);
  }
}

/**
 * Makes a part that will not be descended into a leaf whose type needs no children: 'text' for a multipart that
 * is really just text (RFC 2045 §5.2 default), 'opaque' (application/octet-stream) for content left unparsed.
 */
function toLeaf(part: MimePart, as: 'text' | 'opaque'): void {
  if (as === 'text') {
    part.type = 'text';
    part.subtype = 'plain';
    part.params = { charset: 'us-ascii' };
  } else {
    part.type = 'application';
    part.subtype = 'octet-stream';
  }
}

function isMessageType(part: MimePart): boolean {
  return part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global');
}

function countsLines(part: MimePart): boolean {
  return part.type === 'text' || (part.type === 'message' && part.message !== null);
}

/** IMAP body lines: the number of line feeds in the body. */
function countLines(buf: Buffer, start: number, end: number): number {
  let lines = 0;
  if (start >= end) return 0;
  let pos = buf.indexOf(LF, start);
  while (pos >= 0 && pos < end) {
    lines++;
    pos = buf.indexOf(LF, pos + 1);
  }
  return lines;
}

function fieldLookup(buf: Buffer, fields: HeaderField[]): FieldLookup {
  const cache = new Map<string, string | null>();
  return (key) => {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const found = fields.find((f) => f.key === key);
    const value = found ? rawFieldValue(buf, found) : null;
    cache.set(key, value);
    return value;
  };
}

/** The boundary as the bytes it was written with (raw 8-bit header text was read as UTF-8 or Latin-1). */
function boundaryBytes(buf: Buffer, fields: HeaderField[], boundary: string): Buffer {
  const field = fields.find((f) => f.key === 'content-type');
  const utf8 = field ? isUtf8(buf.subarray(field.valueStart, field.end)) : true;
  return Buffer.from(boundary, utf8 ? 'utf8' : 'latin1');
}

function normalizeLimits(limits: ParseLimits | undefined): Required<ParseLimits> {
  const pick = (value: number | undefined, fallback: number, min: number, max: number): number =>
    typeof value === 'number' && Number.isFinite(value)
      ? Math.min(max, Math.max(min, Math.floor(value)))
      : fallback;
  const d = DEFAULT_PARSE_LIMITS;
  return {
    maxDepth: pick(limits?.maxDepth, d.maxDepth, 0, HARD_MAX_DEPTH),
    maxParts: pick(limits?.maxParts, d.maxParts, 1, Number.MAX_SAFE_INTEGER),
    maxHeaderBytes: pick(limits?.maxHeaderBytes, d.maxHeaderBytes, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** Last resort if the parser itself fails: the whole message as one text/plain body. */
function fallbackParse(buf: Buffer, error: unknown): ParsedMessage {
  const body: MimePart = {
    headerStart: 0,
    bodyStart: 0,
    bodyEnd: buf.length,
    type: 'text',
    subtype: 'plain',
    params: { charset: 'us-ascii' },
    id: null,
    description: null,
    encoding: '7BIT',
    size: buf.length,
    lines: countLines(buf, 0, buf.length),
    md5: null,
    disposition: null,
    language: null,
    location: null,
    children: [],
    message: null,
  };
  const reason = error instanceof Error ? error.message : String(error);
  return {
    size: buf.length,
    envelope: emptyEnvelope(),
    body,
    headers: [],
    sentDate: null,
    eightBit: !isAscii(buf),
    warnings: [`parser failed, message kept as plain text: ${reason}`],
  };
}
