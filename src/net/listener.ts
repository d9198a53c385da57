// TCP/TLS listeners with connection limits (total and per IP). Protocol-agnostic: each accepted
// connection is handed over as a Transport; refusals get a protocol-specific line from `refuse`.

import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Logger } from '../log/logger.ts';
import { formatHostPort, parseHostPort, type HostPort } from './host-port.ts';
import { Transport } from './transport.ts';

export interface ListenerOptions {
  /** "host:port" strings; port 0 picks a free port (tests). */
  addresses: string[];
  /** Implicit TLS (submissions, imaps) when set. */
  implicitTls?: tls.SecureContext;
  maxConnections: number;
  maxConnectionsPerIp: number;
  log: Logger;
  name: string;
  onConnection: (transport: Transport, info: ConnectionInfo) => Promise<void>;
  /** The line sent before closing a connection over a limit, e.g. "421 4.7.0 Too many connections\r\n". */
  refuse: (reason: 'total' | 'per-ip') => string;
}

export interface ConnectionInfo {
  listener: string;
  local: HostPort;
  remote: HostPort;
  /** The listening address is loopback-only. */
  loopback: boolean;
  implicitTls: boolean;
}

export interface RunningListener {
  /** The addresses actually bound (with real ports when 0 was asked for). */
  addresses: HostPort[];
  connections(): number;
  /** Stops accepting; waits for open sessions up to graceMs, then destroys them. */
  close(graceMs?: number): Promise<void>;
}

export async function startListener(options: ListenerOptions): Promise<RunningListener> {
  const servers: net.Server[] = [];
  const open = new Set<net.Socket>();
  const perIp = new Map<string, number>();
  const bound: HostPort[] = [];

  const handle = (socket: net.Socket, listenAddr: HostPort) => {
    const ip = socket.remoteAddress ?? 'unknown';
    const count = perIp.get(ip) ?? 0;
    const over =
      open.size >= options.maxConnections ? 'total' : count >= options.maxConnectionsPerIp ? 'per-ip' : null;
    if (over) {
      options.log.warn(
        { listener: options.name, remote: ip, limit: over },
        'connection refused: limit reached',
      );
      socket.on('error', () => {});
      socket.end(options.refuse(over));
      return;
    }
    open.add(socket);
    perIp.set(ip, count + 1);
    socket.setNoDelay(true);
    socket.once('close', () => {
      open.delete(socket);
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
    });
    const info: ConnectionInfo = {
      listener: options.name,
      local: { host: socket.localAddress ?? listenAddr.host, port: socket.localPort ?? listenAddr.port },
      remote: { host: ip, port: socket.remotePort ?? 0 },
      loopback: isLoopbackListen(listenAddr.host),
      implicitTls: options.implicitTls !== undefined,
    };
    const transport = new Transport(socket);
    const run = async () => {
      if (options.implicitTls) await transport.startTlsServer(options.implicitTls);
      await options.onConnection(transport, info);
    };
    run()
      .catch((err: unknown) => {
        options.log.debug({ err, listener: options.name, remote: ip }, 'connection ended with an error');
      })
      .finally(() => transport.destroy());
  };

  for (const text of options.addresses) {
    const addr = parseHostPort(text);
    const server = net.createServer((socket) => handle(socket, addr));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: addr.host, port: addr.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address() as net.AddressInfo;
    bound.push({ host: addr.host, port: a.port });
    servers.push(server);
    options.log.info(
      { listener: options.name, address: formatHostPort({ host: addr.host, port: a.port }) },
      'listening',
    );
  }

  return {
    addresses: bound,
    connections: () => open.size,
    async close(graceMs = 5000) {
      // server.close() resolves only once every connection has ended, so stop accepting first,
      // give open sessions the grace period, destroy the rest, and only then wait for the close.
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      if (open.size > 0) {
        await new Promise<void>((resolve) => {
          const finish = () => {
            clearTimeout(timer);
            clearInterval(check);
            resolve();
          };
          const timer = setTimeout(finish, graceMs);
          const check = setInterval(() => {
            if (open.size === 0) finish();
          }, 20);
        });
      }
      for (const s of open) s.destroy();
      await closed;
    },
  };
}

function isLoopbackListen(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
