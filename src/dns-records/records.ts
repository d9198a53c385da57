// The DNS records a mail domain served by this host needs, each with the reason it exists: the one source
// for `posthorn dns records`, `posthorn dns check` and `posthorn init` (union of what mox, Stalwart, mailcow
// and maddy publish; docs in /work/shared/reference/ecosystem.md §1.4).
//
// Names are absolute with a trailing dot. TXT values are the whole text; format.ts splits them into
// character-strings of at most 255 octets.

import { isIP } from 'node:net';
import type { HostAddresses } from './addresses.ts';
import { mtaStsPolicy, mtaStsPolicyId, type MtaStsMode } from './mta-sts.ts';
import type { ServicePort, ServicePorts } from './service-ports.ts';

export type RecordType = 'A' | 'AAAA' | 'MX' | 'TXT' | 'CNAME' | 'SRV';

export interface DnsRecord {
  name: string;
  type: RecordType;
  /** Presentation form of the data: "10 mail.example.org.", "0 1 993 mail.example.org.", TXT text unquoted. */
  value: string;
  /** Why the record exists; printed as ";" lines above it. */
  comment: string;
  /** "host": once per mail server; "domain": per mail domain. */
  scope: 'host' | 'domain';
  /** The value is a stand-in the operator must replace ("<public IPv4 address>"): printed commented out. */
  placeholder?: boolean;
  /** The value is a guess (addresses seen on this machine); `dns check` accepts any value. */
  guess?: boolean;
  /** Useful but not required; `dns check` does not count it as missing. */
  optional?: boolean;
}

export interface DkimKeyInfo {
  selector: string;
  algorithm: 'ed25519' | 'rsa';
  signing: boolean;
  dnsValue: string;
}

export interface DnsRecordsInput {
  domain: string;
  hostname: string;
  /** Public addresses of the host; empty lists give placeholders. */
  addresses: HostAddresses;
  /** True when `addresses` were found on this machine rather than given by the operator. */
  addressesGuessed?: boolean;
  dkimKeys: readonly DkimKeyInfo[];
  services: ServicePorts;
  dmarcPolicy: 'none' | 'quarantine' | 'reject';
  /** Where DMARC aggregate and TLS-RPT reports go; postmaster@<domain> by default. */
  reportAddress?: string;
  mtaSts: { mode: MtaStsMode; maxAgeS: number };
}

export interface DnsRecordSet {
  domain: string;
  hostname: string;
  records: DnsRecord[];
  /** The file to serve at https://mta-sts.<domain>/.well-known/mta-sts.txt. */
  mtaStsPolicy: string;
}

export function buildDnsRecords(input: DnsRecordsInput): DnsRecordSet {
  const domain = bare(input.domain);
  const hostname = bare(input.hostname);
  const d = `${domain}.`;
  const host = `${hostname}.`;
  const report = input.reportAddress ?? `postmaster@${domain}`;
  const records: DnsRecord[] = [];
  const add = (r: DnsRecord) => records.push(r);

  // ---- once per host
  if (isIP(hostname) === 0) {
    const guessed = input.addressesGuessed === true;
    const addressNote = guessed
      ? ' (found on this machine: replace it with the public address if the host is behind NAT)'
      : '';
    for (const [type, list, label] of [
      ['A', input.addresses.v4, 'IPv4'],
      ['AAAA', input.addresses.v6, 'IPv6'],
    ] as const) {
      if (list.length === 0) {
        add({
          name: host,
          type,
          value: `<public ${label} address>`,
          comment: `The ${label} address of the mail server${type === 'AAAA' ? ', if it has one' : ''}; ask the provider for a PTR record back to ${hostname} too (many receivers check it).`,
          scope: 'host',
          placeholder: true,
          optional: type === 'AAAA',
        });
      }
      for (const ip of list) {
        add({
          name: host,
          type,
          value: ip,
          comment: `The ${label} address of the mail server${addressNote}; its PTR record should name ${hostname}.`,
          scope: 'host',
          guess: guessed,
          // IPv6 found on this machine may be link-specific or unrouted; only a named one is required.
          optional: guessed && type === 'AAAA',
        });
      }
    }
    if (hostname !== domain) {
      add({
        name: host,
        type: 'TXT',
        value: 'v=spf1 a -all',
        comment: `SPF for the host name itself (RFC 7208 §2.3), so bounces (empty MAIL FROM, HELO ${hostname}) pass SPF.`,
        scope: 'host',
      });
    }
  }

  // ---- per domain
  add({
    name: d,
    type: 'MX',
    value: `10 ${host}`,
    comment: `Mail for ${domain} is delivered to ${hostname} (RFC 5321 §5.1).`,
    scope: 'domain',
  });
  add({
    name: d,
    type: 'TXT',
    value: 'v=spf1 mx ~all',
    comment: `SPF (RFC 7208): the hosts named by the MX record may send mail from ${domain}; "~all" leaves the verdict on others to DMARC.`,
    scope: 'domain',
  });
  for (const key of input.dkimKeys) {
    const algo = key.algorithm === 'ed25519' ? 'Ed25519 (RFC 8463)' : 'RSA-2048 (RFC 6376)';
    add({
      name: `${key.selector}._domainkey.${d}`,
      type: 'TXT',
      value: key.dnsValue,
      comment: key.signing
        ? `DKIM public key, ${algo}: outgoing mail from ${domain} is signed with it.`
        : `Retired DKIM key, ${algo}: keep it a few days so mail signed before the rotation still verifies, then \`posthorn dkim remove ${domain} ${key.selector}\` and delete this record.`,
      scope: 'domain',
    });
  }
  add({
    name: `_dmarc.${d}`,
    type: 'TXT',
    value: `v=DMARC1; p=${input.dmarcPolicy}; rua=mailto:${report}`,
    comment: `DMARC (RFC 7489): receivers ${dmarcAction(input.dmarcPolicy)} mail whose From is ${domain} but that passes neither aligned SPF nor aligned DKIM; daily reports go to ${report}.`,
    scope: 'domain',
  });

  const policy = mtaStsPolicy({ mode: input.mtaSts.mode, mx: [hostname], maxAgeS: input.mtaSts.maxAgeS });
  add({
    name: `_mta-sts.${d}`,
    type: 'TXT',
    value: `v=STSv1; id=${mtaStsPolicyId(policy)}`,
    comment: `MTA-STS (RFC 8461): senders fetch the policy below; ${mtaStsEffect(input.mtaSts.mode, hostname)} The id changes when the policy does.`,
    scope: 'domain',
  });
  add({
    name: `mta-sts.${d}`,
    type: 'CNAME',
    value: host,
    comment: `Where the MTA-STS policy is fetched: https://mta-sts.${domain}/.well-known/mta-sts.txt, served by [autoconfig] listen_tls on port 443 with a certificate valid for mta-sts.${domain}.`,
    scope: 'domain',
  });
  add({
    name: `_smtp._tls.${d}`,
    type: 'TXT',
    value: `v=TLSRPTv1; rua=mailto:${report}`,
    comment: `SMTP TLS reporting (RFC 8460): senders report TLS failures delivering to ${domain} to ${report}.`,
    scope: 'domain',
  });

  // RFC 6186 §3.1 (RFC 8314 §5.1 adds _submissions); "0 0 0 ." says a service is not offered (RFC 6186 §4).
  const srv = (service: string, port: ServicePort | null, what: string, optional = false) =>
    add({
      name: `_${service}._tcp.${d}`,
      type: 'SRV',
      value: port ? `0 1 ${port.port} ${host}` : '0 0 0 .',
      comment: port
        ? `${what} for mail clients (RFC 6186${service.endsWith('s') ? ', RFC 8314' : ''}).${port.loopbackOnly ? ` Note: the ${service} listener is bound to loopback only.` : ''}`
        : `${what} is not offered (RFC 6186 §4), so clients do not look for it.`,
      scope: 'domain',
      optional: optional || !port,
    });
  srv('imaps', input.services.imaps, 'IMAP with implicit TLS');
  srv('imap', input.services.imap, 'IMAP with STARTTLS');
  srv('submissions', input.services.submissions, 'Submission with implicit TLS');
  srv('submission', input.services.submission, 'Submission with STARTTLS');
  srv('pop3s', null, 'POP3 with implicit TLS', true);
  srv('pop3', null, 'POP3', true);

  add({
    name: `autoconfig.${d}`,
    type: 'CNAME',
    value: host,
    comment: `Thunderbird autoconfiguration: https://autoconfig.${domain}/mail/config-v1.1.xml, served by [autoconfig] listen_tls on port 443 with a certificate valid for autoconfig.${domain}.`,
    scope: 'domain',
  });

  return { domain, hostname, records, mtaStsPolicy: policy };
}

function mtaStsEffect(mode: MtaStsMode, hostname: string): string {
  if (mode === 'enforce') return `they deliver to ${hostname} only over TLS with a valid certificate.`;
  if (mode === 'testing') {
    return `in mode "testing" they only report TLS failures (TLS-RPT); set [autoconfig] mta_sts_mode = "enforce" once the certificate is publicly valid.`;
  }
  return 'mode "none" withdraws an earlier policy.';
}

function dmarcAction(policy: 'none' | 'quarantine' | 'reject'): string {
  return policy === 'reject' ? 'refuse' : policy === 'quarantine' ? 'put into spam' : 'only report';
}

function bare(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
