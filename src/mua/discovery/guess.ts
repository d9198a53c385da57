// The last resort: the host names providers usually use, probed on the standard ports (TCP connect only).
// Candidates are tried in parallel and the first in order of preference that answers wins: implicit TLS
// before STARTTLS (RFC 8314 §5.1), imap./smtp. before mail. before the bare domain.

import type { DiscoveredServer, DiscoveredSettings, DiscoveryDeps } from './types.ts';

export function guessCandidates(domain: string): { imap: DiscoveredServer[]; smtp: DiscoveredServer[] } {
  const imapHosts = [`imap.${domain}`, `mail.${domain}`, domain];
  const smtpHosts = [`smtp.${domain}`, `mail.${domain}`, domain];
  return {
    imap: imapHosts.flatMap((host) => [
      { host, port: 993, tls: 'tls' as const },
      { host, port: 143, tls: 'starttls' as const },
    ]),
    smtp: smtpHosts.flatMap((host) => [
      { host, port: 465, tls: 'tls' as const },
      { host, port: 587, tls: 'starttls' as const },
    ]),
  };
}

async function firstReachable(
  candidates: DiscoveredServer[],
  deps: DiscoveryDeps,
): Promise<DiscoveredServer | null> {
  const results = await Promise.all(
    candidates.map((c) => deps.canConnect(c.host, c.port).catch(() => false)),
  );
  const index = results.indexOf(true);
  return index < 0 ? null : candidates[index]!;
}

export async function discoverByGuess(
  address: string,
  deps: DiscoveryDeps,
): Promise<DiscoveredSettings | null> {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const candidates = guessCandidates(domain);
  const [imap, smtp] = await Promise.all([
    firstReachable(candidates.imap, deps),
    firstReachable(candidates.smtp, deps),
  ]);
  return imap && smtp ? { imap, smtp, source: 'common host names (guessed; check them)' } : null;
}
