// RFC 6186 SRV records for mail submission and access, with RFC 8314 §5.1's preference for implicit TLS:
// _imaps._tcp before _imap._tcp, _submissions._tcp before _submission._tcp. A target of "." says the
// service is not offered (RFC 6186 §4). Lowest priority first, then highest weight.

import type { TlsMode } from '../profile.ts';
import type { DiscoveredServer, DiscoveredSettings, DiscoveryDeps, SrvRecord } from './types.ts';

async function firstService(
  domain: string,
  services: ReadonlyArray<{ label: string; tls: TlsMode }>,
  deps: DiscoveryDeps,
): Promise<DiscoveredServer | null> {
  for (const service of services) {
    const records: SrvRecord[] = await deps.resolveSrv(`${service.label}._tcp.${domain}`).catch(() => []);
    const usable = records
      .filter((r) => r.name !== '' && r.name !== '.' && r.port > 0)
      .sort((a, b) => a.priority - b.priority || b.weight - a.weight);
    const best = usable[0];
    if (best) return { host: best.name.replace(/\.$/, ''), port: best.port, tls: service.tls };
  }
  return null;
}

export async function discoverBySrv(
  address: string,
  deps: DiscoveryDeps,
): Promise<DiscoveredSettings | null> {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const [imap, smtp] = await Promise.all([
    firstService(
      domain,
      [
        { label: '_imaps', tls: 'tls' },
        { label: '_imap', tls: 'starttls' },
      ],
      deps,
    ),
    firstService(
      domain,
      [
        { label: '_submissions', tls: 'tls' },
        { label: '_submission', tls: 'starttls' },
      ],
      deps,
    ),
  ]);
  return imap && smtp ? { imap, smtp, source: `SRV records of ${domain}` } : null;
}
