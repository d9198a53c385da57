// Where mail for a recipient domain goes (RFC 5321 §5.1): a static [routes] entry first (exact domain,
// then the smarthost "*"), else the domain's MX records by preference (random order among equals),
// else its own A/AAAA records when it has no MX ("implicit MX"). A null MX (RFC 7505) means the domain
// accepts no mail. The result lists every address of every host, in the order to try them.

import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { RouteSpec } from '../config/schema.ts';
import { DnsError, type Resolver } from '../dns/resolver.ts';
import { parseHostPort } from '../net/host-port.ts';

export const SMTP_PORT = 25;
/** Addresses tried per attempt at most (Postfix smtp_mx_address_limit is 5; we allow a few more). */
export const MAX_CANDIDATES = 10;

export interface Candidate {
  /** Host name for SNI, logs and DSN Remote-MTA (the MX name, or the address itself). */
  hostname: string;
  address: string;
  port: number;
}

export interface NextHop {
  candidates: Candidate[];
  requireTls: boolean;
  /** How the hop was found, for logs: "route example.org", "mx", "implicit mx". */
  via: string;
}

/** Why there is no next hop: permanent (bounce) or temporary (retry later), with an RFC 3463 status. */
export class NextHopError extends Error {
  override name = 'NextHopError';
  readonly status: string;
  readonly permanent: boolean;
  constructor(status: string, message: string) {
    super(message);
    this.status = status;
    this.permanent = status.startsWith('5');
  }
}

interface RouteMatch {
  key: string;
  host: string;
  requireTls: boolean;
}

function findRoute(domain: string, routes: Record<string, RouteSpec>): RouteMatch | null {
  const key = domain in routes ? domain : '*' in routes ? '*' : null;
  if (key === null) return null;
  const spec = routes[key]!;
  return typeof spec === 'string'
    ? { key, host: spec, requireTls: false }
    : { key, host: spec.host, requireTls: spec.require_tls === true };
}

/**
 * The key messages are grouped and limited by: one static route is one destination (a smarthost carries
 * mail for many domains over one session); otherwise the recipient domain.
 */
export function destinationKey(domain: string, routes: Record<string, RouteSpec>): string {
  const route = findRoute(domain, routes);
  return route ? routeKey(route) : `domain:${domain}`;
}

/** The destination of every domain without a route of its own, when a "*" route names one (a smarthost). */
export function catchAllDestinationKey(routes: Record<string, RouteSpec>): string | null {
  const route = findRoute('*', routes);
  return route ? routeKey(route) : null;
}

function routeKey(route: RouteMatch): string {
  return route.requireTls ? `route:${route.host}+tls` : `route:${route.host}`;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

export async function resolveNextHop(
  domain: string,
  routes: Record<string, RouteSpec>,
  resolver: Resolver,
  options: { requireTls?: boolean; random?: () => number } = {},
): Promise<NextHop> {
  const route = findRoute(domain, routes);
  if (route) {
    const { host, port } = parseHostPort(route.host, SMTP_PORT);
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await hostAddresses(host, resolver);
    } catch (err) {
      if (err instanceof DnsError)
        throw new NextHopError('4.4.3', `route ${route.host} for ${domain}: ${err.message}`);
      throw err;
    }
    if (addresses.length === 0)
      throw new NextHopError('4.4.4', `route ${route.host} for ${domain}: host has no address`);
    return {
      candidates: addresses.slice(0, MAX_CANDIDATES).map((address) => ({ hostname: host, address, port })),
      requireTls: route.requireTls || options.requireTls === true,
      via: `route ${route.key}`,
    };
  }

  // RFC 5321 §4.1.3: an address literal names the host directly.
  if (domain.startsWith('[') && domain.endsWith(']')) {
    const inner = domain.slice(1, -1).replace(/^ipv6:/i, '');
    if (isIP(inner) === 0) throw new NextHopError('5.1.2', `unusable address literal ${domain}`);
    return {
      candidates: [{ hostname: inner, address: inner, port: SMTP_PORT }],
      requireTls: !!options.requireTls,
      via: 'address literal',
    };
  }

  const ascii = domainToASCII(domain) || domain;
  let hosts: string[];
  let via = 'mx';
  try {
    const mx = await resolver.mx(ascii);
    // RFC 7505 §3: a single MX with root as exchange (preference 0): the domain takes no mail.
    if (mx.some((r) => r.exchange === '')) {
      throw new NextHopError('5.1.10', `${domain} does not accept mail (null MX, RFC 7505)`);
    }
    hosts = orderMx(mx, options.random ?? Math.random);
  } catch (err) {
    if (err instanceof NextHopError) throw err;
    if (!(err instanceof DnsError)) throw err;
    if (err.kind === 'nxdomain') throw new NextHopError('5.1.2', `${domain}: domain not found (NXDOMAIN)`);
    if (err.kind !== 'nodata')
      throw new NextHopError('4.4.3', `MX lookup for ${domain} failed: ${err.message}`);
    hosts = [ascii]; // RFC 5321 §5.1: no MX, so the domain itself is the host
    via = 'implicit mx';
  }

  const candidates: Candidate[] = [];
  let temporary: DnsError | null = null;
  for (const host of hosts) {
    if (candidates.length >= MAX_CANDIDATES) break;
    try {
      const addresses = await hostAddresses(host, resolver);
      for (const address of addresses) candidates.push({ hostname: host, address, port: SMTP_PORT });
    } catch (err) {
      if (!(err instanceof DnsError)) throw err;
      temporary ??= err;
    }
  }
  if (candidates.length === 0) {
    if (temporary)
      throw new NextHopError('4.4.3', `address lookup for ${domain} failed: ${temporary.message}`);
    if (via === 'implicit mx')
      throw new NextHopError('5.1.2', `${domain} has neither MX nor address records`);
    throw new NextHopError('4.4.4', `no address for any MX host of ${domain} (${hosts.join(', ')})`);
  }
  return { candidates: candidates.slice(0, MAX_CANDIDATES), requireTls: !!options.requireTls, via };
}

/** Ascending preference; equal preferences shuffled (RFC 5321 §5.1) so load spreads across them. */
export function orderMx(
  records: ReadonlyArray<{ exchange: string; preference: number }>,
  random: () => number,
): string[] {
  const keyed = records.map((r) => ({ ...r, tiebreak: random() }));
  keyed.sort((a, b) => a.preference - b.preference || a.tiebreak - b.tiebreak);
  const seen = new Set<string>();
  return keyed.map((r) => r.exchange).filter((h) => !seen.has(h) && seen.add(h));
}

/**
 * IPv4 then IPv6 addresses of a host. Definite "no such name/record" answers give no addresses;
 * a temporary failure of both lookups is thrown (the caller retries later).
 */
async function hostAddresses(host: string, resolver: Resolver): Promise<string[]> {
  const [v4, v6] = await Promise.allSettled([resolver.a(host), resolver.aaaa(host)]);
  const out: string[] = [];
  let failure: DnsError | null = null;
  for (const r of [v4, v6]) {
    if (r.status === 'fulfilled') out.push(...r.value);
    else if (r.reason instanceof DnsError) {
      if (!r.reason.definite) failure ??= r.reason;
    } else throw r.reason;
  }
  if (out.length === 0 && failure) throw failure;
  return out;
}
