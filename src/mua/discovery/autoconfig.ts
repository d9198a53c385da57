// Thunderbird autoconfiguration (the clientConfig v1.1 XML): the provider's own file at
// https://autoconfig.<domain>/mail/config-v1.1.xml, then https://<domain>/.well-known/autoconfig/….
// Only HTTPS: settings fetched in clear could send the password elsewhere. The first IMAP incoming server
// and the first SMTP outgoing server are used, implicit TLS preferred when several are listed.

import type { TlsMode } from '../profile.ts';
import type { DiscoveredServer, DiscoveredSettings, DiscoveryDeps } from './types.ts';

export function autoconfigUrls(address: string): string[] {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const query = `?emailaddress=${encodeURIComponent(address)}`;
  return [
    `https://autoconfig.${domain}/mail/config-v1.1.xml${query}`,
    `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml${query}`,
  ];
}

const SOCKET_TYPES: Record<string, TlsMode> = { SSL: 'tls', TLS: 'tls', STARTTLS: 'starttls', PLAIN: 'none' };

function decodeXml(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

function element(block: string, name: string): string | null {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'i').exec(block);
  return m ? decodeXml(m[1]!) : null;
}

function fillPlaceholders(template: string, address: string): string {
  const at = address.lastIndexOf('@');
  return template
    .replace(/%EMAILADDRESS%/g, address)
    .replace(/%EMAILLOCALPART%/g, address.slice(0, at))
    .replace(/%EMAILDOMAIN%/g, address.slice(at + 1));
}

function servers(
  xml: string,
  tag: 'incomingServer' | 'outgoingServer',
  type: string,
  address: string,
): DiscoveredServer[] {
  const out: DiscoveredServer[] = [];
  const pattern = new RegExp(`<${tag}\\s[^>]*type\\s*=\\s*["']${type}["'][^>]*>([\\s\\S]*?)</${tag}>`, 'gi');
  for (const m of xml.matchAll(pattern)) {
    const block = m[1]!;
    const host = element(block, 'hostname');
    const port = Number(element(block, 'port'));
    const tls = SOCKET_TYPES[(element(block, 'socketType') ?? '').toUpperCase()];
    if (!host || !Number.isInteger(port) || port < 1 || port > 65535 || !tls) continue;
    const server: DiscoveredServer = { host: fillPlaceholders(host, address), port, tls };
    const user = element(block, 'username');
    if (user) server.user = fillPlaceholders(user, address);
    out.push(server);
  }
  const rank = (s: DiscoveredServer) => ({ tls: 0, starttls: 1, none: 2 })[s.tls];
  return out.sort((a, b) => rank(a) - rank(b));
}

export function parseAutoconfig(xml: string, address: string): Omit<DiscoveredSettings, 'source'> | null {
  if (!/<clientConfig[\s>]/i.test(xml)) return null;
  const imap = servers(xml, 'incomingServer', 'imap', address)[0];
  const smtp = servers(xml, 'outgoingServer', 'smtp', address)[0];
  return imap && smtp ? { imap, smtp } : null;
}

export async function discoverByAutoconfig(
  address: string,
  deps: DiscoveryDeps,
): Promise<DiscoveredSettings | null> {
  for (const url of autoconfigUrls(address)) {
    const xml = await deps.fetchText(url).catch(() => null);
    if (xml === null) continue;
    const found = parseAutoconfig(xml, address);
    if (found) return { ...found, source: `autoconfig ${url.split('?')[0]}` };
  }
  return null;
}
