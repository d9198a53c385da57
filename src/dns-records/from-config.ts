// The record set for a local domain as this server is configured: host name, listeners, DKIM keys on disk,
// [auth] DMARC policy and report address, [autoconfig] MTA-STS settings.

import { listDomainKeys } from '../auth/dkim-keys.ts';
import type { Config } from '../config/schema.ts';
import { localAddresses, type HostAddresses } from './addresses.ts';
import type { MtaStsMode } from './mta-sts.ts';
import { buildDnsRecords, type DnsRecordSet } from './records.ts';
import { servicePortsFromConfig } from './service-ports.ts';

export interface FromConfigOptions {
  /** The host's public addresses; by default those found on this machine (marked as a guess). */
  addresses?: HostAddresses;
}

type RecordsConfig = Pick<Config, 'hostname' | 'data_dir' | 'listen' | 'auth' | 'autoconfig'>;

export function dnsRecordsFromConfig(
  config: RecordsConfig,
  domain: string,
  options: FromConfigOptions = {},
): DnsRecordSet {
  return buildDnsRecords({
    domain,
    hostname: config.hostname,
    addresses: options.addresses ?? localAddresses(),
    addressesGuessed: options.addresses === undefined,
    dkimKeys: listDomainKeys(config.data_dir, domain),
    services: servicePortsFromConfig(config),
    dmarcPolicy: config.auth.dmarc_policy as 'none' | 'quarantine' | 'reject',
    reportAddress: config.auth.report_address ?? undefined,
    mtaSts: mtaStsSettings(config),
  });
}

export function mtaStsSettings(config: Pick<Config, 'autoconfig'>): { mode: MtaStsMode; maxAgeS: number } {
  return {
    mode: config.autoconfig.mta_sts_mode as MtaStsMode,
    maxAgeS: config.autoconfig.mta_sts_max_age_s,
  };
}
