// Thunderbird's autoconfiguration file, clientConfig v1.1
// (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat): the IMAP and submission
// servers of a domain, implicit TLS listed first (RFC 8314 §5.1), the full address as user name.

import type { ServicePort, ServicePorts } from '../dns-records/service-ports.ts';

export interface ClientConfigInput {
  domain: string;
  hostname: string;
  services: ServicePorts;
}

export function thunderbirdConfigXml(input: ClientConfigInput): string {
  const server = (
    tag: 'incomingServer' | 'outgoingServer',
    type: string,
    port: ServicePort | null,
    socket: string,
  ) =>
    port
      ? [
          `    <${tag} type="${type}">`,
          `      <hostname>${xml(input.hostname)}</hostname>`,
          `      <port>${port.port}</port>`,
          `      <socketType>${socket}</socketType>`,
          '      <username>%EMAILADDRESS%</username>',
          '      <authentication>password-cleartext</authentication>',
          `    </${tag}>`,
        ]
      : [];
  const s = input.services;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${xml(input.domain)}">`,
    `    <domain>${xml(input.domain)}</domain>`,
    `    <displayName>${xml(input.domain)} mail</displayName>`,
    `    <displayShortName>${xml(input.domain)}</displayShortName>`,
    ...server('incomingServer', 'imap', s.imaps, 'SSL'),
    ...server('incomingServer', 'imap', s.imap, 'STARTTLS'),
    ...server('outgoingServer', 'smtp', s.submissions, 'SSL'),
    ...server('outgoingServer', 'smtp', s.submission, 'STARTTLS'),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
