// A DNS address on loopback (UDP, 127.0.0.1, port 0) that exists before the records it will serve: servers
// can be configured with it ([dns] servers) and started, their DKIM keys made in their data_dir, and only
// then the zone built and served. Each query is relayed as it is to the backend set by forwardTo() (e.g. a
// test/support/dns-server-records.ts server) and the answer relayed back; without a backend, or when the
// backend stays silent, the client gets no answer at all (a timeout, as from a dead resolver).

import { createSocket } from 'node:dgram';
import { parseHostPort } from '../../src/net/host-port.ts';

export interface DnsForwarder {
  /** "127.0.0.1:port", ready for [dns] servers. */
  address: string;
  /** "host:port" of the server that answers from now on; null to go silent. */
  forwardTo(backend: string | null): void;
  close(): Promise<void>;
}

/** How long a relayed query waits for the backend before its socket is dropped (the client has given up). */
const RELAY_WAIT_MS = 10_000;

export async function startDnsForwarder(): Promise<DnsForwarder> {
  const front = createSocket('udp4');
  let backend: { host: string; port: number } | null = null;
  const relays = new Set<ReturnType<typeof createSocket>>();

  front.on('message', (query, client) => {
    if (!backend) return;
    const relay = createSocket('udp4');
    relays.add(relay);
    const done = () => {
      clearTimeout(timer);
      if (relays.delete(relay)) relay.close();
    };
    const timer = setTimeout(done, RELAY_WAIT_MS);
    timer.unref();
    relay.on('error', done);
    relay.once('message', (answer) => {
      front.send(answer, client.port, client.address);
      done();
    });
    relay.send(query, backend.port, backend.host);
  });

  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${front.address().port}`,
    forwardTo(address) {
      backend = address === null ? null : parseHostPort(address, 53);
    },
    close: async () => {
      for (const relay of relays) relay.close();
      relays.clear();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
