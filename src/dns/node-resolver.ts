// Resolver over node:dns/promises (c-ares), honouring [dns] servers and timeout_ms.
// c-ares error codes are mapped to DnsError kinds; see resolver.ts for which ones are temporary.

import { Resolver as CaresResolver } from 'node:dns/promises';
import { DnsError, normalizeName, type DnsErrorKind, type MxRecord, type Resolver } from './resolver.ts';

export interface NodeResolverOptions {
  /** "host:port" or "host" (port 53); empty = the system's resolvers. */
  servers?: readonly string[];
  timeoutMs?: number;
  /** Attempts per query and server; c-ares doubles the timeout on each. */
  tries?: number;
}

export function createNodeResolver(options: NodeResolverOptions = {}): Resolver {
  const cares = new CaresResolver({ timeout: options.timeoutMs ?? 5000, tries: options.tries ?? 2 });
  if (options.servers && options.servers.length > 0) cares.setServers([...options.servers]);

  async function run<T>(query: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toDnsError(err, query);
    }
  }

  return {
    mx: (domain) =>
      run(`MX ${domain}`, async () => {
        const records = await cares.resolveMx(domain);
        return records.map((r): MxRecord => ({
          exchange: normalizeName(r.exchange),
          preference: r.priority,
        }));
      }),
    a: (name) => run(`A ${name}`, () => cares.resolve4(name)),
    aaaa: (name) => run(`AAAA ${name}`, () => cares.resolve6(name)),
    txt: (name) => run(`TXT ${name}`, () => cares.resolveTxt(name)),
  };
}

function toDnsError(err: unknown, query: string): DnsError {
  const code = (err as { code?: string }).code ?? '';
  const kinds: Record<string, DnsErrorKind> = {
    ENOTFOUND: 'nxdomain',
    ENODATA: 'nodata',
    ESERVFAIL: 'servfail',
    ETIMEOUT: 'timeout',
    EREFUSED: 'refused',
    ECONNREFUSED: 'refused',
  };
  return new DnsError(
    kinds[code] ?? 'other',
    query,
    kinds[code] ? undefined : code || (err as Error).message,
  );
}
