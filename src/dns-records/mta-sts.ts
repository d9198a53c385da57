// The MTA-STS policy this server publishes for its domains (RFC 8461 §3.2), and the id that goes into the
// _mta-sts TXT record (§3.1). The id is derived from the policy text, so it changes exactly when the policy
// does, and senders refetch the policy then.

import { createHash } from 'node:crypto';

export type MtaStsMode = 'testing' | 'enforce' | 'none';

export interface MtaStsPolicyOptions {
  mode: MtaStsMode;
  /** MX host names the policy allows (ours). */
  mx: readonly string[];
  maxAgeS: number;
}

/** The policy file, CRLF line endings (RFC 8461 §3.2 allows CRLF or LF). */
export function mtaStsPolicy(options: MtaStsPolicyOptions): string {
  const lines = ['version: STSv1', `mode: ${options.mode}`];
  for (const mx of options.mx) lines.push(`mx: ${mx.toLowerCase().replace(/\.$/, '')}`);
  lines.push(`max_age: ${options.maxAgeS}`);
  return lines.map((l) => `${l}\r\n`).join('');
}

/** 1*32 alphanumeric characters (RFC 8461 §3.1): the first 20 hex digits of the policy's SHA-256. */
export function mtaStsPolicyId(policy: string): string {
  return createHash('sha256').update(policy).digest('hex').slice(0, 20);
}
