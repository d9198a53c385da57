// A TCP proxy in front of PostgreSQL that stands in for the server going away and coming back: down() cuts
// every connection and refuses new ones, up() accepts again on the same port. The shared PostgreSQL server
// itself is never restarted: other test processes use it.

import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  #port = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  /** A proxy to the server of a postgres:// URL. */
  static async start(url: string): Promise<TcpProxy> {
    const parsed = new URL(url);
    const proxy = new TcpProxy({ host: parsed.hostname, port: Number(parsed.port || 5432) });
    await proxy.up();
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** The URL with its host and port replaced by the proxy's. */
  via(url: string): string {
    const parsed = new URL(url);
    parsed.host = `127.0.0.1:${this.#port}`;
    return parsed.toString();
  }

  async up(): Promise<void> {
    if (this.#server) return;
    const server = createServer((downstream) => {
      const upstream = connect(this.#target.port, this.#target.host);
      for (const socket of [downstream, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {});
      }
      downstream.pipe(upstream).pipe(downstream);
    });
    await new Promise<void>((resolve) => server.listen(this.#port, '127.0.0.1', resolve));
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async down(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
