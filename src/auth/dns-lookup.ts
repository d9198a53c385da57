// DNS for mail authentication: mailauth asks `resolver(name, rrtype)` in the shape of node's dns.resolve
// (TXT → string[][], MX → {exchange, priority}[], A/AAAA/PTR/CNAME → string[]) and tells answers from
// trouble by the error code: ENOTFOUND / ENODATA are answers (no such name / no such record), anything
// else (ETIMEOUT, ESERVFAIL, EREFUSED…) is a temporary error.
//
// Two sources: Posthorn's Resolver port (src/dns, what the rest of the server is given), adapted here, or
// node's resolver over [dns] servers, which also answers PTR, CNAME and SRV (used by `posthorn dns check`).

import { Resolver as CaresResolver } from 'node:dns/promises';
import { DnsError, type DnsErrorKind, type Resolver } from '../dns/resolver.ts';

export type DnsLookup = (name: string, rrtype: string) => Promise<unknown[]>;

export interface DnsLookupError extends Error {
  code: string;
}

export function dnsLookupError(code: string, name: string, rrtype: string): DnsLookupError {
  return Object.assign(new Error(`${rrtype} ${name}: ${code}`), { code });
}

const CODES: Record<DnsErrorKind, string> = {
  nxdomain: 'ENOTFOUND',
  nodata: 'ENODATA',
  servfail: 'ESERVFAIL',
  timeout: 'ETIMEOUT',
  refused: 'EREFUSED',
  other: 'EOTHER',
};

/** True for codes that say "no such name or record" rather than "could not find out". */
export function isDefiniteAnswer(code: unknown): boolean {
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

/**
 * mailauth-style lookup over the Resolver port. The port knows MX, A, AAAA and TXT; other types get ENODATA
 * (the SPF "ptr" mechanism then never matches, RFC 7208 §5.5 discourages it; the DMARC existence test
 * already follows CNAMEs through its A query).
 */
export function lookupFromResolver(resolver: Resolver): DnsLookup {
  return async (name, rrtype) => {
    try {
      switch (rrtype.toUpperCase()) {
        case 'TXT':
          return await resolver.txt(name);
        case 'MX':
          return (await resolver.mx(name)).map((r) => ({ exchange: r.exchange, priority: r.preference }));
        case 'A':
          return await resolver.a(name);
        case 'AAAA':
          return await resolver.aaaa(name);
        default:
          throw dnsLookupError('ENODATA', name, rrtype);
      }
    } catch (err) {
      if (err instanceof DnsError) throw dnsLookupError(CODES[err.kind], name, rrtype);
      throw err;
    }
  };
}

export interface NodeLookupOptions {
  /** "host:port" or "host"; empty = the system's resolvers. */
  servers?: readonly string[];
  timeoutMs?: number;
  tries?: number;
}

/** node:dns (c-ares) with every record type; errors keep node's codes, which are mailauth's codes. */
export function createNodeDnsLookup(options: NodeLookupOptions = {}): DnsLookup {
  const cares = new CaresResolver({ timeout: options.timeoutMs ?? 5000, tries: options.tries ?? 2 });
  if (options.servers && options.servers.length > 0) cares.setServers([...options.servers]);
  return async (name, rrtype) => {
    try {
      return (await cares.resolve(name, rrtype.toUpperCase())) as unknown[];
    } catch (err) {
      const code = (err as { code?: string }).code;
      // A refused connection to the resolver is trouble, not an answer.
      throw dnsLookupError(code === 'ECONNREFUSED' ? 'EREFUSED' : (code ?? 'EOTHER'), name, rrtype);
    }
  };
}

/** Either source, as a lookup function. */
export function toDnsLookup(source: Resolver | DnsLookup): DnsLookup {
  return typeof source === 'function' ? source : lookupFromResolver(source);
}
