// Addresses of this machine that other hosts might reach (not loopback, not link-local): the best guess for
// the host's A/AAAA records when the operator does not name the public addresses.

import { networkInterfaces } from 'node:os';

export interface HostAddresses {
  v4: string[];
  v6: string[];
}

export function localAddresses(): HostAddresses {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(a.address);
      else if (!a.address.toLowerCase().startsWith('fe80:')) v6.push(a.address);
    }
  }
  return { v4, v6 };
}
