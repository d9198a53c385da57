// Finding the servers of an address for `posthorn mail account add`: Thunderbird autoconfig, then RFC 6186
// SRV records, then common host names. The result is only a proposal: the user confirms it before it is
// saved. networkDiscoveryDeps() is the real outside world; tests pass their own.

import { promises as dns } from 'node:dns';
import * as net from 'node:net';
import { discoverByAutoconfig } from './autoconfig.ts';
import { discoverByGuess } from './guess.ts';
import { discoverBySrv } from './srv.ts';
import type { DiscoveredSettings, DiscoveryDeps } from './types.ts';

export type { DiscoveredServer, DiscoveredSettings, DiscoveryDeps, SrvRecord } from './types.ts';
export { parseAutoconfig, autoconfigUrls } from './autoconfig.ts';

export async function discoverSettings(
  address: string,
  deps: DiscoveryDeps,
): Promise<DiscoveredSettings | null> {
  return (
    (await discoverByAutoconfig(address, deps)) ??
    (await discoverBySrv(address, deps)) ??
    (await discoverByGuess(address, deps))
  );
}

const MAX_AUTOCONFIG_BYTES = 256 * 1024;

export function networkDiscoveryDeps(timeoutMs = 5000): DiscoveryDeps {
  return {
    async fetchText(url) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
        if (!response.ok || !response.url.startsWith('https:')) return null;
        const text = await response.text();
        return text.length > MAX_AUTOCONFIG_BYTES ? null : text;
      } catch {
        return null;
      }
    },
    async resolveSrv(name) {
      try {
        return await dns.resolveSrv(name);
      } catch {
        return [];
      }
    },
    canConnect(host, port) {
      return new Promise((resolve) => {
        const socket = net.connect({ host, port });
        const done = (ok: boolean) => {
          clearTimeout(timer);
          socket.destroy();
          resolve(ok);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
      });
    },
  };
}
