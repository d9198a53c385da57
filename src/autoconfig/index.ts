// Client autoconfiguration over HTTP(S): Thunderbird's config-v1.1.xml for local domains and the MTA-STS
// policy file, on the [autoconfig] listeners (plain HTTP on `listen`, HTTPS with the [tls] certificate on
// `listen_tls`; both off by default). Clients only trust HTTPS answers, so a public server puts
// listen_tls on port 443 (or a reverse proxy in front of `listen`).
//
// What is announced comes from the configuration: host name, [listen] ports, [autoconfig] MTA-STS mode.

import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { AccountService } from '../accounts/index.ts';
import type { AppContext, Service } from '../app/context.ts';
import { mtaStsSettings } from '../dns-records/from-config.ts';
import { mtaStsPolicy } from '../dns-records/mta-sts.ts';
import { servicePortsFromConfig } from '../dns-records/service-ports.ts';
import { formatHostPort, parseHostPort, type HostPort } from '../net/host-port.ts';
import { createAutoconfigHandler } from './handler.ts';

export { createAutoconfigHandler, type AutoconfigDeps } from './handler.ts';
export { thunderbirdConfigXml, type ClientConfigInput } from './thunderbird.ts';

export interface AutoconfigService extends Service {
  /** Bound addresses (real ports when 0 was configured). */
  http: HostPort[];
  https: HostPort[];
}

export interface AutoconfigOptions {
  /** Whether a domain is ours; by default asked of the store. */
  isLocalDomain?: (domain: string) => Promise<boolean>;
}

const REQUEST_TIMEOUT_MS = 10_000;

export async function startAutoconfig(
  ctx: Pick<AppContext, 'config' | 'store' | 'log' | 'tls'>,
  options: AutoconfigOptions = {},
): Promise<AutoconfigService> {
  const { config } = ctx;
  const log = ctx.log.child({ service: 'autoconfig' });
  let accounts: AccountService | undefined;
  const handler = createAutoconfigHandler({
    hostname: config.hostname,
    services: servicePortsFromConfig(config),
    mtaStsPolicy: mtaStsPolicy({ ...mtaStsSettings(config), mx: [config.hostname] }),
    isLocalDomain:
      options.isLocalDomain ??
      ((domain) => (accounts ??= new AccountService(ctx.store.accounts)).isLocalDomain(domain)),
    log,
  });

  const servers: Server[] = [];
  const bound = { http: [] as HostPort[], https: [] as HostPort[] };
  const stop = async () => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  };

  try {
    for (const [kind, addresses] of [
      ['http', config.autoconfig.listen],
      ['https', config.autoconfig.listen_tls],
    ] as const) {
      for (const address of addresses) {
        let where: HostPort;
        try {
          where = parseHostPort(address);
        } catch (err) {
          throw new Error(
            `[autoconfig] ${kind === 'http' ? 'listen' : 'listen_tls'}: ${(err as Error).message}`,
          );
        }
        const server =
          kind === 'http'
            ? createHttpServer(handler)
            : createHttpsServer({ cert: ctx.tls.cert, key: ctx.tls.key }, handler);
        server.requestTimeout = REQUEST_TIMEOUT_MS;
        server.headersTimeout = REQUEST_TIMEOUT_MS;
        server.on('clientError', (_err, socket) => socket.destroy());
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(where.port, where.host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        servers.push(server);
        const info = server.address() as AddressInfo;
        const actual = { host: where.host, port: info.port };
        bound[kind].push(actual);
        log.info({ listen: formatHostPort(actual), tls: kind === 'https' }, 'autoconfig listening');
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return { name: 'autoconfig', http: bound.http, https: bound.https, stop };
}
