// `posthorn dns check`: resolves every record `posthorn dns records` proposes and says what is missing or
// different. Comparison is by meaning, not by text:
// - MX: our host is among the exchanges (other MX hosts may exist);
// - A/AAAA: the values must match unless they were only guessed from this machine;
// - TXT: among the records of the same kind (v=spf1, v=DKIM1, v=DMARC1…), one must carry our tags;
// - CNAME: the target, or an address record equal to our host's (a flattened CNAME);
// - SRV: port and target (priority and weight are the operator's choice).

import type { DnsLookup } from '../auth/dns-lookup.ts';
import { isDefiniteAnswer } from '../auth/dns-lookup.ts';
import type { DnsRecord, DnsRecordSet } from './records.ts';

export type CheckStatus = 'ok' | 'missing' | 'different' | 'error';

export interface CheckResult {
  record: DnsRecord;
  status: CheckStatus;
  /** What DNS answered, in presentation form. */
  found: string[];
  detail?: string;
}

export async function checkDnsRecords(set: DnsRecordSet, lookup: DnsLookup): Promise<CheckResult[]> {
  const cached = new Map<string, Promise<Answer>>();
  const ask = (name: string, type: string): Promise<Answer> => {
    const key = `${type} ${name}`;
    let answer = cached.get(key);
    if (!answer) {
      answer = query(lookup, name, type);
      cached.set(key, answer);
    }
    return answer;
  };
  const checkable = set.records.filter((r) => !r.placeholder);
  return Promise.all(checkable.map((r) => checkOne(r, set, ask)));
}

/** True when nothing required is missing, different or unknown. */
export function checkPassed(results: readonly CheckResult[]): boolean {
  return results.every((r) => r.status === 'ok' || (r.status === 'missing' && r.record.optional === true));
}

type Answer = { ok: true; values: unknown[] } | { ok: false; none: boolean; code: string };

async function query(lookup: DnsLookup, name: string, type: string): Promise<Answer> {
  try {
    return { ok: true, values: await lookup(name.replace(/\.$/, ''), type) };
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? 'EOTHER');
    return { ok: false, none: isDefiniteAnswer(code), code };
  }
}

async function checkOne(
  record: DnsRecord,
  set: DnsRecordSet,
  ask: (name: string, type: string) => Promise<Answer>,
): Promise<CheckResult> {
  const answer = await ask(record.name, record.type);
  if (!answer.ok) {
    if (!answer.none) return { record, status: 'error', found: [], detail: `DNS error ${answer.code}` };
    if (record.type === 'CNAME') return checkFlattenedCname(record, set, ask);
    return { record, status: 'missing', found: [] };
  }
  const found = answer.values.map((v) => present(record.type, v));
  const result = (ok: boolean, detail?: string): CheckResult => ({
    record,
    status: ok ? 'ok' : 'different',
    found,
    detail,
  });
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.guess ? result(found.length > 0) : result(found.includes(record.value));
    case 'MX': {
      const exchange = absolute(record.value.split(/\s+/)[1]!);
      return result(
        answer.values.some((v) => absolute((v as { exchange: string }).exchange) === exchange),
        `${record.name} must list ${exchange}`,
      );
    }
    case 'CNAME':
      return result(found.map(absolute).includes(absolute(record.value)));
    case 'SRV': {
      const [, , port, target] = record.value.split(/\s+/);
      return result(
        answer.values.some((v) => {
          const srv = v as { port: number; name: string };
          return String(srv.port) === port && absolute(srv.name || '.') === absolute(target!);
        }),
      );
    }
    case 'TXT': {
      const kind = txtKind(record.value);
      const sameKind = found.filter((f) => txtKind(f) === kind);
      if (sameKind.length === 0) return { record, status: 'missing', found };
      if (kind === 'v=spf1' && sameKind.length > 1) {
        return { record, status: 'different', found, detail: 'more than one SPF record (RFC 7208 §3.2)' };
      }
      return result(sameKind.some((f) => txtMatches(record.value, f)));
    }
  }
}

/** A name that answers with the same addresses as our host is as good as a CNAME to it. */
async function checkFlattenedCname(
  record: DnsRecord,
  set: DnsRecordSet,
  ask: (name: string, type: string) => Promise<Answer>,
): Promise<CheckResult> {
  const [mine, ours] = await Promise.all([ask(record.name, 'A'), ask(`${set.hostname}.`, 'A')]);
  if (!mine.ok) return { record, status: mine.none ? 'missing' : 'error', found: [] };
  const found = mine.values.map(String);
  const same = ours.ok && found.length > 0 && found.every((ip) => (ours.values as string[]).includes(ip));
  return {
    record,
    status: same ? 'ok' : 'different',
    found: found.map((ip) => `A ${ip}`),
    detail: same ? 'address records instead of a CNAME, same addresses as the host' : undefined,
  };
}

function present(type: string, v: unknown): string {
  switch (type) {
    case 'TXT':
      return (v as string[]).join('');
    case 'MX': {
      const mx = v as { exchange: string; priority: number };
      return `${mx.priority} ${absolute(mx.exchange)}`;
    }
    case 'SRV': {
      const s = v as { priority: number; weight: number; port: number; name: string };
      return `${s.priority} ${s.weight} ${s.port} ${absolute(s.name || '.')}`;
    }
    case 'CNAME':
      return absolute(String(v));
    default:
      return String(v);
  }
}

function absolute(name: string): string {
  const lower = name.toLowerCase();
  return lower === '' || lower === '.' ? '.' : lower.endsWith('.') ? lower : `${lower}.`;
}

/** "v=spf1", "v=dkim1", "v=dmarc1", "v=stsv1", "v=tlsrptv1", or the text itself for anything else. */
function txtKind(text: string): string {
  const first = text.trim().split(/[;\s]/, 1)[0]!.toLowerCase();
  return first.startsWith('v=') ? first : text;
}

/** SPF: same terms; tag-lists (DKIM, DMARC, STS, TLSRPT): every expected tag present with the same value. */
function txtMatches(expected: string, found: string): boolean {
  if (txtKind(expected) === 'v=spf1') {
    const terms = (s: string) => s.trim().toLowerCase().split(/\s+/).join(' ');
    return terms(expected) === terms(found);
  }
  const want = tags(expected);
  const have = tags(found);
  for (const [tag, value] of want) {
    const got = have.get(tag);
    // Base64 key data is case sensitive; tag values in these records otherwise are not.
    if (
      got === undefined ||
      (tag === 'p' && want.get('v') === 'dkim1' ? got !== value : got.toLowerCase() !== value.toLowerCase())
    ) {
      return false;
    }
  }
  return true;
}

function tags(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const tag = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).replace(/\s+/g, '');
    if (tag === 'v') value = value.toLowerCase();
    map.set(tag, value);
  }
  return map;
}
