// Printing a DnsRecordSet. Both forms are valid master-file syntax (RFC 1035 §5.1), so either can be pasted
// into a zone; the readable form uses absolute names, the zone form ($ORIGIN, $TTL, relative names) is a
// snippet for the domain's own zone file. A ";" comment above each record says why it is there.

import type { DnsRecord, DnsRecordSet } from './records.ts';

export interface FormatOptions {
  /** Zone-file snippet: $ORIGIN/$TTL header and names relative to the domain. */
  zone?: boolean;
  /** TTL for the zone form. */
  ttl?: number;
}

const COMMENT_WIDTH = 100;

export function formatDnsRecords(set: DnsRecordSet, options: FormatOptions = {}): string {
  const origin = `${set.domain}.`;
  const ownerOf = (r: DnsRecord) => (options.zone ? relativeName(r.name, origin) : r.name);
  const width = Math.max(...set.records.map((r) => ownerOf(r).length));
  const out: string[] = [];

  if (options.zone) {
    out.push(
      `; Zone-file snippet for ${set.domain}, mail served by ${set.hostname} (posthorn dns records --zone).`,
      `$ORIGIN ${origin}`,
      `$TTL ${options.ttl ?? 3600}`,
    );
  } else {
    out.push(
      `; DNS records for ${set.domain}, mail served by ${set.hostname} (posthorn dns records).`,
      '; TXT values longer than 255 characters are split into several quoted strings; a web DNS panel',
      '; usually wants them joined into one.',
    );
  }

  const sections: [string, DnsRecord[]][] = [
    [`Once per mail server (${set.hostname})`, set.records.filter((r) => r.scope === 'host')],
    [`For ${set.domain}`, set.records.filter((r) => r.scope === 'domain')],
  ];
  for (const [title, records] of sections) {
    if (records.length === 0) continue;
    out.push('', `; ---- ${title} ----`);
    for (const r of records) {
      out.push('', ...commentLines(r.comment));
      const line = `${ownerOf(r).padEnd(width)}  IN ${r.type.padEnd(5)}  ${presentValue(r)}`;
      out.push(r.placeholder ? `; ${line}` : line);
    }
  }

  out.push(
    '',
    `; ---- MTA-STS policy (a file, not a DNS record): https://mta-sts.${set.domain}/.well-known/mta-sts.txt ----`,
    '; Served as text/plain by [autoconfig] (listen_tls); a web server in front of it may serve it too.',
    ...set.mtaStsPolicy
      .split(/\r?\n/)
      .filter((l) => l !== '')
      .map((l) => `;   ${l}`),
  );
  return out.join('\n') + '\n';
}

/** RDATA in master-file form; TXT as quoted character-strings of ≤ 255 octets (RFC 1035 §3.3.14). */
export function presentValue(r: Pick<DnsRecord, 'type' | 'value'>): string {
  if (r.type !== 'TXT') return r.value;
  return splitTxt(r.value)
    .map((s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`)
    .join(' ');
}

export function splitTxt(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 255) return [text];
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) parts.push(bytes.subarray(i, i + 255).toString('utf8'));
  return parts;
}

function relativeName(name: string, origin: string): string {
  if (name === origin) return '@';
  return name.endsWith(`.${origin}`) ? name.slice(0, -origin.length - 1) : name;
}

function commentLines(text: string): string[] {
  const lines: string[] = [];
  let line = ';';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > COMMENT_WIDTH && line !== ';') {
      lines.push(line);
      line = ';';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}
