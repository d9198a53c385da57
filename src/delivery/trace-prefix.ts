// Per-delivery trace fields for local delivery (Return-Path, RFC 5322 §3.6.7 / RFC 5321 §4.4; Delivered-To,
// the de-facto Postfix/qmail field naming the mailbox delivered to) and the parsed index of the prefixed
// message, derived from the one parse of the shared message by shifting its byte offsets.

import { parseMessage } from '../message/parse.ts';
import { prependHeaders } from '../message/trace-headers.ts';
import type { MimePart, ParsedMessage } from '../message/types.ts';

export function localTraceFields(sender: string, deliveredTo: string): string[] {
  return [`Return-Path: <${sender}>`, `Delivered-To: ${deliveredTo}`];
}

/** The message with `fields` prepended, and its parsed index (no reparse of the message itself). */
export function prependWithIndex(
  message: Buffer,
  parsed: ParsedMessage,
  fields: readonly string[],
): { bytes: Buffer; parsed: ParsedMessage } {
  const bytes = prependHeaders(message, fields);
  const prefixLength = bytes.length - message.length;
  // Only the few prefix fields are parsed, to get their searchable header entries exactly as the parser makes them.
  const prefixHeaders = parseMessage(
    Buffer.concat([bytes.subarray(0, prefixLength), Buffer.from('\r\n')]),
  ).headers;
  const prefixEightBit = bytes.subarray(0, prefixLength).some((b) => b >= 0x80);
  return {
    bytes,
    parsed: {
      ...parsed,
      size: parsed.size + prefixLength,
      body: shiftPart(parsed.body, prefixLength, true),
      headers: [...prefixHeaders, ...parsed.headers],
      eightBit: parsed.eightBit || prefixEightBit,
    },
  };
}

/** Moves a part's offsets by `n`; the top-level header still starts at 0 (the prefix joins it). */
function shiftPart(part: MimePart, n: number, top = false): MimePart {
  return {
    ...part,
    headerStart: top ? part.headerStart : part.headerStart + n,
    bodyStart: part.bodyStart + n,
    bodyEnd: part.bodyEnd + n,
    children: part.children.map((c) => shiftPart(c, n)),
    message: part.message ? { envelope: part.message.envelope, body: shiftPart(part.message.body, n) } : null,
  };
}
