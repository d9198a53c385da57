// `posthorn dns records|check DOMAIN`: the DNS records a local domain needs (MX, SPF, DKIM, DMARC, MTA-STS,
// TLS-RPT, SRV, autoconfig), printed with a reason above each or as a zone-file snippet; and a check that
// resolves each one and says what is missing or different.

import type { Command } from 'commander';
import { isIP } from 'node:net';
import { createNodeDnsLookup } from '../auth/dns-lookup.ts';
import { DkimKeyError, ensureDomainKeys, listDomainKeys } from '../auth/dkim-keys.ts';
import { normalizeDomain, type AccountService } from '../accounts/index.ts';
import type { Config } from '../config/schema.ts';
import {
  checkDnsRecords,
  checkPassed,
  dnsRecordsFromConfig,
  formatDnsRecords,
  presentValue,
  type CheckResult,
  type HostAddresses,
} from '../dns-records/index.ts';
import { UserError } from './errors.ts';
import { requireLocalDomain } from './local-domain.ts';
import { withAccounts } from './with-store.ts';

interface RecordsOptions {
  zone?: boolean;
  ip?: string[];
}

interface CheckOptions {
  ip?: string[];
  json?: boolean;
}

export function registerDnsCommands(program: Command): void {
  const dns = program.command('dns').description('DNS records to publish for a local domain, and checks');

  dns
    .command('records <domain>')
    .description('print the DNS records DOMAIN needs, each with the reason it exists')
    .option('--zone', 'print a zone-file snippet ($ORIGIN, $TTL, names relative to DOMAIN)')
    .option(
      '--ip <address...>',
      "the host's public IPv4/IPv6 addresses (default: those found on this machine)",
    )
    .action(async (name: string, options: RecordsOptions, command: Command) => {
      await withAccounts(command, async (accounts, _store, config) => {
        const domain = await localDomain(accounts, name);
        if (listDomainKeys(config.data_dir, domain).length === 0) {
          await guarded(() => ensureDomainKeys(config.data_dir, domain));
          process.stderr.write(`created DKIM keys for ${domain}\n`);
        }
        const set = guardedSync(() => dnsRecordsFromConfig(config, domain, addressOptions(options.ip)));
        process.stdout.write(formatDnsRecords(set, { zone: options.zone === true }));
      });
    });

  dns
    .command('check <domain>')
    .description('resolve the records DOMAIN needs and report what is missing or different')
    .option('--ip <address...>', "the host's public IPv4/IPv6 addresses to expect (default: accept any)")
    .option('--json', 'print the results as JSON')
    .action(async (name: string, options: CheckOptions, command: Command) => {
      await withAccounts(command, async (accounts, _store, config) => {
        const domain = await localDomain(accounts, name);
        const set = guardedSync(() => dnsRecordsFromConfig(config, domain, addressOptions(options.ip)));
        const results = await checkDnsRecords(set, lookupFor(config));
        const noKeys = !set.records.some((r) => r.name.includes('._domainkey.'));
        if (options.json) {
          process.stdout.write(JSON.stringify(results.map(toJson), null, 2) + '\n');
        } else {
          process.stdout.write(formatCheck(results));
          if (noKeys) {
            process.stdout.write(
              `MISSING    no DKIM keys for ${domain}: create them with \`posthorn dkim rotate ${domain}\`\n`,
            );
          }
        }
        if (!checkPassed(results) || noKeys) process.exitCode = 1;
      });
    });
}

async function localDomain(accounts: AccountService, name: string): Promise<string> {
  const domain = normalizeDomain(name);
  await requireLocalDomain(accounts, domain);
  return domain;
}

function lookupFor(config: Config) {
  return createNodeDnsLookup({ servers: config.dns.servers, timeoutMs: config.dns.timeout_ms });
}

function addressOptions(ips: string[] | undefined): { addresses?: HostAddresses } {
  if (ips === undefined) return {};
  const addresses: HostAddresses = { v4: [], v6: [] };
  for (const ip of ips) {
    const family = isIP(ip);
    if (family === 0) throw new UserError(`--ip: "${ip}" is not an IPv4 or IPv6 address`);
    (family === 4 ? addresses.v4 : addresses.v6).push(ip);
  }
  return { addresses };
}

const LABELS: Record<CheckResult['status'], string> = {
  ok: 'ok',
  missing: 'MISSING',
  different: 'DIFFERENT',
  error: 'DNS-ERROR',
};

export function formatCheck(results: readonly CheckResult[]): string {
  const nameWidth = Math.max(...results.map((r) => r.record.name.length));
  const lines: string[] = [];
  for (const r of results) {
    const optional = r.status === 'missing' && r.record.optional ? 'optional' : LABELS[r.status];
    const head = `${optional.padEnd(9)}  ${r.record.type.padEnd(5)}  ${r.record.name.padEnd(nameWidth)}`;
    const expected = r.record.guess ? 'any address' : presentValue(r.record);
    if (r.status === 'ok') lines.push(`${head}  ${r.found.join(', ')}`);
    else if (r.status === 'error') lines.push(`${head}  ${r.detail}`);
    else {
      lines.push(`${head}  expected ${expected}`);
      if (r.found.length > 0) lines.push(`${' '.repeat(head.length)}  found    ${r.found.join(', ')}`);
      if (r.detail && r.status === 'different') lines.push(`${' '.repeat(head.length)}  (${r.detail})`);
    }
  }
  return lines.join('\n') + '\n';
}

function toJson(r: CheckResult) {
  return {
    name: r.record.name,
    type: r.record.type,
    status: r.status,
    optional: r.record.optional === true,
    expected: r.record.guess ? null : r.record.value,
    found: r.found,
    detail: r.detail ?? null,
  };
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DkimKeyError) throw new UserError(err.message);
    throw err;
  }
}

function guardedSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DkimKeyError) throw new UserError(err.message);
    throw err;
  }
}
