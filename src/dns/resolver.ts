// The DNS port: what the queue (and later SPF/DKIM/MTA-STS checks) asks of DNS. Injected everywhere
// (DESIGN.md §3.6) so next-hop selection is tested without a network.
//
// Errors are typed so callers can tell a definite answer from trouble:
// - NXDOMAIN (the name does not exist) and NODATA (it exists, no record of that type) are answers;
// - SERVFAIL, timeouts, refused queries and bad responses are temporary failures (retry later, RFC 5321 §5.1).

export interface MxRecord {
  exchange: string; // host name, lower-case, no trailing dot; "" for a null MX (RFC 7505)
  preference: number;
}

export interface Resolver {
  mx(domain: string): Promise<MxRecord[]>;
  a(name: string): Promise<string[]>;
  aaaa(name: string): Promise<string[]>;
  /** Each record as its character-strings (join them for SPF/DKIM). */
  txt(name: string): Promise<string[][]>;
}

export type DnsErrorKind = 'nxdomain' | 'nodata' | 'servfail' | 'timeout' | 'refused' | 'other';

export class DnsError extends Error {
  override name = 'DnsError';
  readonly kind: DnsErrorKind;
  readonly query: string;

  constructor(kind: DnsErrorKind, query: string, detail?: string) {
    super(`${query}: ${describeKind(kind)}${detail ? ` (${detail})` : ''}`);
    this.kind = kind;
    this.query = query;
  }

  /** True for answers that will not change on retry soon: the name or the record does not exist. */
  get definite(): boolean {
    return this.kind === 'nxdomain' || this.kind === 'nodata';
  }
}

function describeKind(kind: DnsErrorKind): string {
  switch (kind) {
    case 'nxdomain':
      return 'no such domain (NXDOMAIN)';
    case 'nodata':
      return 'no records of this type';
    case 'servfail':
      return 'server failure (SERVFAIL)';
    case 'timeout':
      return 'timed out';
    case 'refused':
      return 'query refused';
    case 'other':
      return 'lookup failed';
  }
}

export function isNxDomain(err: unknown): boolean {
  return err instanceof DnsError && err.kind === 'nxdomain';
}
export function isNoData(err: unknown): boolean {
  return err instanceof DnsError && err.kind === 'nodata';
}

/** Lower-case, no trailing dot: the form every Resolver returns and expects. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
