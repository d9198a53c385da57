// DNS records for a mail domain: what to publish (records.ts, with a reason per record), how to print it
// (format.ts: readable or zone-file snippet, both master-file syntax), and whether DNS has it (check.ts).
// The MTA-STS policy published here is the one the autoconfig responder serves (mta-sts.ts).

export { localAddresses, type HostAddresses } from './addresses.ts';
export { checkDnsRecords, checkPassed, type CheckResult, type CheckStatus } from './check.ts';
export { formatDnsRecords, presentValue, splitTxt, type FormatOptions } from './format.ts';
export { dnsRecordsFromConfig, mtaStsSettings, type FromConfigOptions } from './from-config.ts';
export { mtaStsPolicy, mtaStsPolicyId, type MtaStsMode, type MtaStsPolicyOptions } from './mta-sts.ts';
export {
  buildDnsRecords,
  type DkimKeyInfo,
  type DnsRecord,
  type DnsRecordSet,
  type DnsRecordsInput,
  type RecordType,
} from './records.ts';
export { servicePortsFromConfig, type ServicePort, type ServicePorts } from './service-ports.ts';
