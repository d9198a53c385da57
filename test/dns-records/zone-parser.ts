// A small, strict master-file parser (RFC 1035 §5.1) for the record types `posthorn dns records` prints:
// $ORIGIN, $TTL, "@", relative names, omitted owners, TTL and class fields, parentheses, comments, quoted
// character-strings with escapes. Anything it does not understand is an error, and every record is
// encoded with dns-packet, so a record that could not go on the wire fails the test too.

import { isIPv4, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { ServedRecord } from '../support/dns-server-records.ts';

export interface ZoneRecord extends ServedRecord {
  ttl: number | null;
  line: number;
}

interface Token {
  text: string;
  quoted: boolean;
}

interface LogicalLine {
  tokens: Token[];
  ownerOmitted: boolean;
  line: number;
}

export function parseZone(text: string, options: { origin?: string } = {}): ZoneRecord[] {
  let origin = options.origin ? absolute(options.origin, null, 0) : null;
  let defaultTtl: number | null = null;
  let lastOwner: string | null = null;
  const records: ZoneRecord[] = [];

  for (const { tokens, ownerOmitted, line } of logicalLines(text)) {
    if (tokens.length === 0) continue;
    const fail = (why: string): never => {
      throw new Error(`zone line ${line}: ${why}: ${tokens.map((t) => t.text).join(' ')}`);
    };
    const first = tokens[0]!;
    if (!first.quoted && first.text.startsWith('$')) {
      if (first.text === '$ORIGIN' && tokens.length === 2) origin = absolute(tokens[1]!.text, null, line);
      else if (first.text === '$TTL' && tokens.length === 2 && /^\d+$/.test(tokens[1]!.text))
        defaultTtl = Number(tokens[1]!.text);
      else fail('unknown or malformed directive');
      continue;
    }
    let i = 0;
    let owner: string;
    if (ownerOmitted) {
      if (lastOwner === null) fail('no previous owner name');
      owner = lastOwner!;
    } else {
      owner =
        first.text === '@' ? (origin ?? fail('"@" without $ORIGIN')) : absolute(first.text, origin, line);
      i = 1;
    }
    lastOwner = owner;
    let ttl = defaultTtl;
    for (let k = 0; k < 2; k++) {
      const t = tokens[i]?.text;
      if (t !== undefined && /^\d+$/.test(t)) {
        ttl = Number(t);
        i++;
      } else if (t === 'IN') i++;
    }
    const type = tokens[i++]?.text ?? fail('missing type');
    const rdata = tokens.slice(i);
    const words = () => rdata.map((t) => (t.quoted ? fail('unexpected quoted string') : t.text));
    const int = (s: string | undefined, max: number): number =>
      s !== undefined && /^\d+$/.test(s) && Number(s) <= max ? Number(s) : fail(`bad number "${s}"`);
    let data: unknown;
    switch (type) {
      case 'A':
        data = words().length === 1 && isIPv4(rdata[0]!.text) ? rdata[0]!.text : fail('bad IPv4 address');
        break;
      case 'AAAA':
        data = words().length === 1 && isIPv6(rdata[0]!.text) ? rdata[0]!.text : fail('bad IPv6 address');
        break;
      case 'CNAME':
        data = words().length === 1 ? trimDot(absolute(rdata[0]!.text, origin, line)) : fail('bad CNAME');
        break;
      case 'MX': {
        const [pref, exchange] = words();
        if (words().length !== 2) fail('MX needs preference and exchange');
        data = { preference: int(pref, 65535), exchange: trimDot(absolute(exchange!, origin, line)) };
        break;
      }
      case 'SRV': {
        const w = words();
        if (w.length !== 4) fail('SRV needs priority, weight, port and target');
        data = {
          priority: int(w[0], 65535),
          weight: int(w[1], 65535),
          port: int(w[2], 65535),
          target: w[3] === '.' ? '.' : trimDot(absolute(w[3]!, origin, line)),
        };
        break;
      }
      case 'TXT': {
        if (rdata.length === 0 || rdata.some((t) => !t.quoted)) fail('TXT data must be quoted strings');
        for (const t of rdata) if (Buffer.byteLength(t.text, 'latin1') > 255) fail('string longer than 255');
        data = rdata.map((t) => t.text);
        break;
      }
      default:
        fail(`unsupported type ${type}`);
    }
    const record: ZoneRecord = { name: trimDot(owner), type: type as ZoneRecord['type'], data, ttl, line };
    try {
      dnsPacket.encode({
        type: 'response',
        // encode() turns TXT strings into Buffers in place: it gets a copy.
        answers: [
          {
            name: record.name,
            type: record.type,
            class: 'IN',
            ttl: ttl ?? 0,
            data: structuredClone(data),
          } as dnsPacket.Answer,
        ],
      });
    } catch (err) {
      fail(`dns-packet cannot encode it (${(err as Error).message})`);
    }
    records.push(record);
  }
  return records;
}

function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let tokens: Token[] = [];
  let depth = 0;
  let line = 1;
  let startLine = 1;
  let atLineStart = true;
  let ownerOmitted = false;
  let i = 0;
  const flush = () => {
    out.push({ tokens, ownerOmitted, line: startLine });
    tokens = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (atLineStart && depth === 0) {
      ownerOmitted = c === ' ' || c === '\t';
      startLine = line;
      atLineStart = false;
    }
    if (c === '\n') {
      line++;
      i++;
      if (depth === 0) {
        flush();
        atLineStart = true;
      }
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      if (depth === 0) throw new Error(`zone line ${line}: unbalanced ")"`);
      depth--;
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length || text[i] === '\n') throw new Error(`zone line ${line}: unterminated string`);
        const ch = text[i]!;
        if (ch === '"') break;
        if (ch === '\\') {
          const digits = /^\d{3}/.exec(text.slice(i + 1, i + 4));
          if (digits) {
            value += String.fromCharCode(Number(digits[0]));
            i += 4;
          } else {
            value += text[i + 1];
            i += 2;
          }
        } else {
          value += ch;
          i++;
        }
      }
      i++;
      tokens.push({ text: value, quoted: true });
    } else {
      let word = '';
      while (i < text.length && !/[\s;()"]/.test(text[i]!)) word += text[i++];
      tokens.push({ text: word, quoted: false });
    }
  }
  if (depth !== 0) throw new Error('zone: unbalanced "("');
  flush();
  return out;
}

function absolute(name: string, origin: string | null, line: number): string {
  const full = name.endsWith('.') ? name : origin ? `${name}.${origin}` : null;
  if (full === null) throw new Error(`zone line ${line}: relative name "${name}" without $ORIGIN`);
  const labels = full.slice(0, -1).split('.');
  if (
    full.length > 254 ||
    labels.some((l) => l.length === 0 || l.length > 63 || !/^[A-Za-z0-9_-]+$/.test(l))
  ) {
    throw new Error(`zone line ${line}: bad domain name "${name}"`);
  }
  return full.toLowerCase();
}

function trimDot(name: string): string {
  return name.replace(/\.$/, '');
}
