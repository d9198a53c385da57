// A Resolver answering from an in-memory zone: for tests and for `posthorn demo` setups without DNS.
// The same Zone shape feeds the loopback DNS test server, so both resolvers can be checked alike.

import { DnsError, normalizeName, type DnsErrorKind, type MxRecord, type Resolver } from './resolver.ts';

export interface ZoneRecords {
  mx?: MxRecord[];
  a?: string[];
  aaaa?: string[];
  txt?: string[][];
}

/** Name → records, or a failure every query for that name gets ('servfail', 'timeout', 'refused'). */
export type Zone = Record<string, ZoneRecords | 'servfail' | 'timeout' | 'refused'>;

export function createStaticResolver(zone: Zone): Resolver {
  const names = new Map(Object.entries(zone).map(([name, value]) => [normalizeName(name), value]));

  function lookup<K extends keyof ZoneRecords>(
    type: K,
    label: string,
    name: string,
  ): NonNullable<ZoneRecords[K]> {
    const query = `${label} ${name}`;
    const entry = names.get(normalizeName(name));
    if (entry === undefined) throw new DnsError('nxdomain', query);
    if (typeof entry === 'string') throw new DnsError(entry as DnsErrorKind, query);
    const records = entry[type];
    if (!records || records.length === 0) throw new DnsError('nodata', query);
    return records as NonNullable<ZoneRecords[K]>;
  }

  return {
    mx: async (domain) =>
      lookup('mx', 'MX', domain).map((r) => ({ ...r, exchange: normalizeName(r.exchange) })),
    a: async (name) => [...lookup('a', 'A', name)],
    aaaa: async (name) => [...lookup('aaaa', 'AAAA', name)],
    txt: async (name) => lookup('txt', 'TXT', name).map((r) => [...r]),
  };
}
