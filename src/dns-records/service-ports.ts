// Which client services this server offers and on which ports, from the [listen] configuration: what the
// RFC 6186 SRV records and the Thunderbird autoconfig file announce. The first listener of a kind counts.

import type { Config } from '../config/schema.ts';
import { isLoopback, parseHostPort } from '../net/host-port.ts';

export interface ServicePort {
  port: number;
  /** Every listener of this kind is bound to a loopback address: unreachable from other hosts. */
  loopbackOnly: boolean;
}

export interface ServicePorts {
  imaps: ServicePort | null;
  imap: ServicePort | null;
  submissions: ServicePort | null;
  submission: ServicePort | null;
}

export function servicePortsFromConfig(config: Pick<Config, 'listen'>): ServicePorts {
  return {
    imaps: firstPort(config.listen.imaps),
    imap: firstPort(config.listen.imap),
    submissions: firstPort(config.listen.submissions),
    submission: firstPort(config.listen.submission),
  };
}

function firstPort(addresses: readonly string[]): ServicePort | null {
  if (addresses.length === 0) return null;
  const parsed = addresses.map((a) => parseHostPort(a));
  return { port: parsed[0]!.port, loopbackOnly: parsed.every((p) => isLoopback(p.host)) };
}
