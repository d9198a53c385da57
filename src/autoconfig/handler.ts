// The HTTP routes of the autoconfig responder, as one request handler (node:http, no framework):
//   GET /mail/config-v1.1.xml?emailaddress=…                    Thunderbird, at autoconfig.<domain>
//   GET /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=…   Thunderbird, at <domain>
//   GET /.well-known/mta-sts.txt                                MTA-STS policy (RFC 8461 §3.3)
// The domain comes from emailaddress=, else from the Host (autoconfig.<domain>); only local domains get a
// configuration, so the responder does not describe arbitrary domains.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.ts';
import type { ServicePorts } from '../dns-records/service-ports.ts';
import { thunderbirdConfigXml } from './thunderbird.ts';

export interface AutoconfigDeps {
  hostname: string;
  services: ServicePorts;
  mtaStsPolicy: string;
  isLocalDomain(domain: string): Promise<boolean>;
  log: Logger;
}

const CONFIG_PATHS = new Set(['/mail/config-v1.1.xml', '/.well-known/autoconfig/mail/config-v1.1.xml']);

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createAutoconfigHandler(deps: AutoconfigDeps): RequestHandler {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.log.error({ err, url: req.url }, 'autoconfig request failed');
      if (!res.headersSent) send(req, res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  };
}

async function handle(deps: AutoconfigDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(req, res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  deps.log.debug({ path: url.pathname, host: req.headers.host }, 'autoconfig request');

  if (url.pathname === '/.well-known/mta-sts.txt') {
    // RFC 8461 §3.3: text/plain; senders ignore the policy otherwise.
    return send(req, res, 200, 'text/plain; charset=utf-8', deps.mtaStsPolicy);
  }
  if (CONFIG_PATHS.has(url.pathname)) {
    const domain = domainOf(url.searchParams.get('emailaddress'), req.headers.host);
    if (domain === null || !(await deps.isLocalDomain(domain))) {
      return send(req, res, 404, 'text/plain; charset=utf-8', 'no configuration for this domain\n');
    }
    const body = thunderbirdConfigXml({ domain, hostname: deps.hostname, services: deps.services });
    return send(req, res, 200, 'text/xml; charset=utf-8', body);
  }
  return send(req, res, 404, 'text/plain; charset=utf-8', 'not found\n');
}

function domainOf(address: string | null, host: string | undefined): string | null {
  if (address) {
    const at = address.lastIndexOf('@');
    const domain = at >= 0 ? address.slice(at + 1) : '';
    return domain === '' ? null : domain.toLowerCase();
  }
  const name = (host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  return name.startsWith('autoconfig.') ? name.slice('autoconfig.'.length) : null;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': bytes.length,
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
