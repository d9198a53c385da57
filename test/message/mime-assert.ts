// Shared helpers for the message tests: fixture loading, byte slicing, and the structural invariants every
// ParsedMessage must keep (offsets ordered and nested, sizes consistent, multipart/message shapes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { MimePart, ParsedMessage } from '../../src/message/types.ts';

const FIXTURES = new URL('../fixtures/mime/', import.meta.url);

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

/** Bytes of [start, end) as a latin1 string (one char per byte, exact). */
export function bytesOf(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end);
}

export function bodyOf(buf: Buffer, part: MimePart): string {
  return bytesOf(buf, part.bodyStart, part.bodyEnd);
}

export function headerOf(buf: Buffer, part: MimePart): string {
  return bytesOf(buf, part.headerStart, part.bodyStart);
}

export function mimeType(part: MimePart): string {
  return `${part.type}/${part.subtype}`;
}

/** Throws (via assert) when any structural invariant is broken; returns the number of parts visited. */
export function assertInvariants(parsed: ParsedMessage, buf: Buffer): number {
  assert.equal(parsed.size, buf.length);
  assert.equal(parsed.body.headerStart, 0);
  assert.equal(parsed.body.bodyEnd, buf.length, 'BODY[TEXT] runs to the end of the message');
  // lineFeedsBefore[i] = number of LF bytes in buf[0, i), so any range is counted in O(1).
  const lineFeedsBefore = new Uint32Array(buf.length + 1);
  for (let i = 0; i < buf.length; i++)
    lineFeedsBefore[i + 1] = (lineFeedsBefore[i] ?? 0) + (buf[i] === 0x0a ? 1 : 0);
  return checkPart(parsed.body, 0, buf.length, lineFeedsBefore);
}

function checkPart(part: MimePart, low: number, high: number, lineFeedsBefore: Uint32Array): number {
  const where = `${mimeType(part)} [${part.headerStart},${part.bodyStart},${part.bodyEnd}] in [${low},${high}]`;
  assert.ok(Number.isInteger(part.headerStart) && Number.isInteger(part.bodyEnd), where);
  assert.ok(low <= part.headerStart, `headerStart below parent: ${where}`);
  assert.ok(part.headerStart <= part.bodyStart, `header after body: ${where}`);
  assert.ok(part.bodyStart <= part.bodyEnd, `body reversed: ${where}`);
  assert.ok(part.bodyEnd <= high, `bodyEnd past parent: ${where}`);
  assert.equal(part.size, part.bodyEnd - part.bodyStart, where);
  assert.equal(part.type, part.type.toLowerCase(), where);
  assert.equal(part.subtype, part.subtype.toLowerCase(), where);
  assert.equal(part.encoding, part.encoding.toUpperCase(), where);
  if (part.type === 'text' || part.message) {
    const lfCount = (lineFeedsBefore[part.bodyEnd] ?? 0) - (lineFeedsBefore[part.bodyStart] ?? 0);
    assert.equal(part.lines, lfCount, `lines: ${where}`);
  }
  let count = 1;
  if (part.type === 'multipart') {
    assert.ok(part.children.length >= 1, `multipart without children: ${where}`);
    let previousEnd = part.bodyStart;
    for (const child of part.children) {
      assert.ok(child.headerStart >= previousEnd, `children overlap or out of order: ${where}`);
      count += checkPart(child, part.bodyStart, part.bodyEnd, lineFeedsBefore);
      previousEnd = child.bodyEnd;
    }
  } else {
    assert.equal(part.children.length, 0, `leaf with children: ${where}`);
  }
  const isMessage = part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global');
  assert.equal(part.message !== null, isMessage, `message presence: ${where}`);
  if (part.message) {
    assert.equal(part.message.body.headerStart, part.bodyStart, `encapsulated message start: ${where}`);
    count += checkPart(part.message.body, part.bodyStart, part.bodyEnd, lineFeedsBefore);
  }
  return count;
}
