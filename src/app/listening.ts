// Where a running app actually listens, by listener name: the bound addresses the SMTP and IMAP services
// report (real ports when the config asked for port 0), else the configured ones.

import { formatHostPort, type HostPort } from '../net/host-port.ts';
import type { RunningApp } from './app.ts';

export type ListenerName = 'smtp' | 'submission' | 'submissions' | 'imap' | 'imaps';
const NAMES: ListenerName[] = ['smtp', 'submission', 'submissions', 'imap', 'imaps'];

function reported(service: unknown): Partial<Record<ListenerName, HostPort[]>> {
  if (typeof service !== 'object' || service === null || !('addresses' in service)) return {};
  const addresses = (service as { addresses: unknown }).addresses;
  return typeof addresses === 'object' && addresses !== null
    ? (addresses as Record<ListenerName, HostPort[]>)
    : {};
}

export function listeningAddresses(app: RunningApp): Record<ListenerName, string[]> {
  const found: Partial<Record<ListenerName, string[]>> = {};
  for (const service of app.services) {
    for (const [name, list] of Object.entries(reported(service))) {
      if (NAMES.includes(name as ListenerName) && Array.isArray(list)) {
        found[name as ListenerName] = list.map((a: HostPort) => formatHostPort(a));
      }
    }
  }
  const running = new Set(app.services.map((s) => s.name));
  const result = {} as Record<ListenerName, string[]>;
  for (const name of NAMES) {
    const service = name.startsWith('imap') ? 'imap' : 'smtp';
    result[name] = found[name] ?? (running.has(service) ? app.ctx.config.listen[name] : []);
  }
  return result;
}
