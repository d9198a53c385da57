// The short list `posthorn init` prints (MX for the domain, A/AAAA for the host), taken from the one record
// generator in src/dns-records/ so the two never disagree. The full list (SPF, DKIM, DMARC, MTA-STS, SRV…)
// is `posthorn dns records DOMAIN`.

import { buildDnsRecords } from '../dns-records/records.ts';
import { localAddresses, type HostAddresses } from '../dns-records/addresses.ts';

export { localAddresses };

export interface DnsRecord {
  name: string;
  type: 'MX' | 'A' | 'AAAA';
  value: string;
  /** Set when the value is a guess or a placeholder the operator must check. */
  note?: string;
}

export function dnsRecordsFor(
  domain: string,
  hostname: string,
  addresses: HostAddresses = localAddresses(),
): DnsRecord[] {
  const set = buildDnsRecords({
    domain,
    hostname,
    addresses,
    addressesGuessed: true,
    dkimKeys: [],
    services: { imaps: null, imap: null, submissions: null, submission: null },
    dmarcPolicy: 'reject',
    mtaSts: { mode: 'testing', maxAgeS: 604800 },
  });
  const records: DnsRecord[] = [];
  for (const type of ['MX', 'A', 'AAAA'] as const) {
    for (const r of set.records.filter((x) => x.type === type)) {
      const note = r.guess
        ? 'address found on this machine; use the public one'
        : r.placeholder && r.optional
          ? 'if the host has one'
          : undefined;
      records.push(
        note ? { name: r.name, type, value: r.value, note } : { name: r.name, type, value: r.value },
      );
    }
  }
  return records;
}

export function formatDnsRecords(records: DnsRecord[]): string {
  const nameWidth = Math.max(...records.map((r) => r.name.length));
  return records
    .map((r) => {
      const line = `  ${r.name.padEnd(nameWidth)}  IN ${r.type.padEnd(4)}  ${r.value}`;
      return r.note ? `${line}   ; ${r.note}` : line;
    })
    .join('\n');
}
