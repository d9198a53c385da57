// "Byte-identical apart from trace headers": a delivered message must be the submitted bytes with only
// trace fields put in front (RFC 5321 §4.4 Received/Return-Path, and what MTAs add the same way:
// Authentication-Results, DKIM/ARC signatures, Delivered-To, X-Original-To).

import assert from 'node:assert/strict';

const TRACE_FIELDS = new Set([
  'return-path',
  'received',
  'delivered-to',
  'x-original-to',
  'authentication-results',
  'dkim-signature',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
]);

export interface TraceField {
  name: string;
  /** The whole field, unfolded (CRLF + WSP → single space). */
  value: string;
}

/**
 * Asserts that `delivered` is `original` with trace fields prepended; returns those fields, top first.
 * `original` is compared as the bytes the sender meant (CRLF line ends).
 */
export function assertTracePrefixOnly(delivered: Buffer, original: Buffer, what = 'message'): TraceField[] {
  const at = delivered.length - original.length;
  assert.ok(at >= 0, `${what}: delivered copy (${delivered.length} octets) is shorter than the original`);
  if (!delivered.subarray(at).equals(original)) {
    const firstDiff = firstDifference(delivered.subarray(at), original);
    assert.fail(
      `${what}: delivered bytes differ from the original at octet ${firstDiff} of ${original.length}:\n` +
        `  original: ${JSON.stringify(original.subarray(Math.max(0, firstDiff - 40), firstDiff + 40).toString('latin1'))}\n` +
        `  delivered: ${JSON.stringify(delivered.subarray(at + Math.max(0, firstDiff - 40), at + firstDiff + 40).toString('latin1'))}`,
    );
  }
  const prefix = delivered.subarray(0, at).toString('utf8');
  assert.ok(prefix === '' || prefix.endsWith('\r\n'), `${what}: the prepended part ends with CRLF`);
  const fields = prefix === '' ? [] : prefix.slice(0, -2).split(/\r\n(?![ \t])/);
  return fields.map((field) => {
    const colon = field.indexOf(':');
    assert.ok(colon > 0, `${what}: prepended line is not a header field: ${JSON.stringify(field)}`);
    const name = field.slice(0, colon).toLowerCase();
    assert.ok(TRACE_FIELDS.has(name), `${what}: prepended field is not a trace field: ${field.slice(0, 80)}`);
    return { name, value: field.replace(/\r\n[ \t]+/g, ' ') };
  });
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
