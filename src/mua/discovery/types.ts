// What discovery finds for an address, and the outside world it needs (injected, so tests run offline).

import type { TlsMode } from '../profile.ts';

export interface DiscoveredServer {
  host: string;
  port: number;
  tls: TlsMode;
  /** Login name when the source says (autoconfig %EMAILADDRESS% etc.); else the address is used. */
  user?: string;
}

export interface DiscoveredSettings {
  imap: DiscoveredServer;
  smtp: DiscoveredServer;
  /** Where it came from, for the confirmation prompt ("autoconfig https://…", "SRV records", "guess"). */
  source: string;
}

export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

export interface DiscoveryDeps {
  /** GET over HTTPS: the body of a 200 answer, null for anything else (errors included). */
  fetchText(url: string): Promise<string | null>;
  /** SRV records of `name`; [] when there are none. */
  resolveSrv(name: string): Promise<SrvRecord[]>;
  /** Whether a TCP connection to host:port opens. */
  canConnect(host: string, port: number): Promise<boolean>;
}
