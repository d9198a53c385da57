// Opening an SMTP session: TCP connection (with timeout), implicit TLS or STARTTLS as the security mode
// asks, greeting, EHLO (HELO fallback), and AUTH when credentials are given.
//
// Security modes:
// - 'implicit'      TLS from the first byte (submissions, port 465; RFC 8314).
// - 'starttls'      STARTTLS is required: a server that does not offer it, or refuses it, is an error.
// - 'opportunistic' STARTTLS whenever offered (MX delivery, RFC 3207); plain text when it is not offered.
// - 'none'          never TLS (tests, local relays).

import * as net from 'node:net';
import type * as tls from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import { Transport } from '../../net/transport.ts';
import { SmtpClientError } from './errors.ts';
import { RFC5321_TIMEOUTS, SmtpClient, type ClientTimeouts, type SmtpCredentials } from './smtp-client.ts';

export type TlsMode = 'implicit' | 'starttls' | 'opportunistic' | 'none';

export interface SmtpConnectOptions {
  /** Address or host name to connect to. */
  host: string;
  port: number;
  /** Name for SNI and certificate checks (the MX host name); defaults to `host`. */
  servername?: string;
  /** Our name in EHLO/HELO. */
  localName: string;
  tls: TlsMode;
  /** Reject a certificate that does not verify (default true; MX delivery passes false, RFC 7672 §1.3). */
  verifyCertificate?: boolean;
  /** Extra TLS options (ca for tests, minVersion). */
  tlsOptions?: tls.ConnectionOptions;
  auth?: SmtpCredentials;
  timeouts?: Partial<ClientTimeouts>;
  log?: Logger;
  /** Local address to connect from. */
  localAddress?: string;
}

/** What the queue injects to reach servers; tests wrap it to map MX addresses to fake servers. */
export type SmtpConnectFn = (options: SmtpConnectOptions) => Promise<SmtpClient>;

export const connectSmtp: SmtpConnectFn = async (options) => {
  const timeouts = { ...RFC5321_TIMEOUTS, ...options.timeouts };
  const socket = await openTcp(options.host, options.port, timeouts.connectMs, options.localAddress);
  const client = new SmtpClient(new Transport(socket), {
    localName: options.localName,
    timeouts,
    log: options.log,
  });
  const tlsOptions: tls.ConnectionOptions = {
    ...options.tlsOptions,
    servername: options.servername ?? options.host,
    rejectUnauthorized: options.verifyCertificate ?? options.tlsOptions?.rejectUnauthorized ?? true,
  };
  try {
    if (options.tls === 'implicit') await client.upgradeToTls(tlsOptions);
    await client.readGreeting();
    await client.hello();
    if (options.tls === 'starttls' || options.tls === 'opportunistic') {
      if (client.supports('STARTTLS')) {
        const upgraded = await client.startTls(tlsOptions);
        if (!upgraded && options.tls === 'starttls') {
          throw new SmtpClientError(
            'tls',
            'starttls',
            `${client.remote} refused STARTTLS, and TLS is required`,
          );
        }
      } else if (options.tls === 'starttls') {
        throw new SmtpClientError(
          'tls',
          'starttls',
          `${client.remote} does not offer STARTTLS, and TLS is required`,
          {
            status: '4.7.10',
          },
        );
      }
    }
    if (options.auth) await client.authenticate(options.auth);
    return client;
  } catch (err) {
    if (client.usable && err instanceof SmtpClientError && err.kind !== 'timeout') await client.quit();
    else client.destroy();
    throw err;
  }
};

function openTcp(host: string, port: number, timeoutMs: number, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, localAddress });
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new SmtpClientError('connect', 'connect', `connect to ${where} timed out after ${timeoutMs} ms`),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.setNoDelay(true);
      resolve(socket);
    });
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(
        new SmtpClientError(
          'connect',
          'connect',
          `connect to ${where} failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`,
        ),
      );
    };
    socket.once('error', fail);
  });
}
