// The DNS records a domain needs so that other servers find this one: MX for the domain, A/AAAA for
// the host. (SPF, DKIM and DMARC records join this list when signing and checks are added.)

import { networkInterfaces } from 'node:os';
import { isIP } from 'node:net';

export interface DnsRecord {
  name: string;
  type: 'MX' | 'A' | 'AAAA';
  value: string;
  /** Set when the value is a guess or a placeholder the operator must check. */
  note?: string;
}

/** Addresses of this machine that other hosts might reach (not loopback, not link-local). */
export function localAddresses(): { v4: string[]; v6: string[] } {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(a.address);
      else if (!a.address.toLowerCase().startsWith('fe80:')) v6.push(a.address);
    }
  }
  return { v4, v6 };
}

export function dnsRecordsFor(
  domain: string,
  hostname: string,
  addresses: { v4: string[]; v6: string[] } = localAddresses(),
): DnsRecord[] {
  const host = hostname.replace(/\.$/, '') + '.';
  const records: DnsRecord[] = [{ name: domain + '.', type: 'MX', value: `10 ${host}` }];
  if (isIP(hostname) === 0) {
    const guess = 'address found on this machine; use the public one';
    if (addresses.v4.length === 0) records.push({ name: host, type: 'A', value: '<public IPv4 address>' });
    for (const ip of addresses.v4) records.push({ name: host, type: 'A', value: ip, note: guess });
    if (addresses.v6.length === 0) {
      records.push({ name: host, type: 'AAAA', value: '<public IPv6 address>', note: 'if the host has one' });
    }
    for (const ip of addresses.v6) records.push({ name: host, type: 'AAAA', value: ip, note: guess });
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
