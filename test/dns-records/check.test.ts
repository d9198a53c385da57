// `posthorn dns check` logic against a loopback DNS server that serves the printed records, then the
// printed records with one thing changed at a time.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ensureDomainKeys } from '../../src/auth/dkim-keys.ts';
import { createNodeDnsLookup } from '../../src/auth/dns-lookup.ts';
import {
  buildDnsRecords,
  checkDnsRecords,
  checkPassed,
  formatDnsRecords,
  type CheckResult,
  type DnsRecordSet,
} from '../../src/dns-records/index.ts';
import { startRecordDnsServer, type NameFailure, type ServedRecord } from '../support/dns-server-records.ts';
import { parseZone } from './zone-parser.ts';

let set: DnsRecordSet;
let published: ServedRecord[];

async function check(
  records: ServedRecord[],
  failures: Record<string, NameFailure> = {},
): Promise<CheckResult[]> {
  const server = await startRecordDnsServer(records, failures);
  try {
    return await checkDnsRecords(
      set,
      createNodeDnsLookup({ servers: [server.address], timeoutMs: 300, tries: 1 }),
    );
  } finally {
    await server.close();
  }
}

function statusOf(results: CheckResult[], name: string, type: string): string {
  const r = results.find((x) => x.record.name === name && x.record.type === type);
  assert.ok(r, `${type} ${name} checked`);
  return r.status;
}

const without = (pred: (r: ServedRecord) => boolean) => published.filter((r) => !pred(r));
const txtOf = (r: ServedRecord) => (r.type === 'TXT' ? (r.data as string[]).join('') : '');

describe('posthorn dns check', () => {
  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posthorn-check-'));
    const keys = await ensureDomainKeys(dataDir, 'crepes.fr');
    set = buildDnsRecords({
      domain: 'crepes.fr',
      hostname: 'mail.crepes.fr',
      addresses: { v4: ['192.0.2.25'], v6: [] },
      addressesGuessed: true,
      dkimKeys: keys,
      services: {
        imaps: { port: 993, loopbackOnly: false },
        imap: null,
        submissions: { port: 465, loopbackOnly: false },
        submission: { port: 587, loopbackOnly: false },
      },
      dmarcPolicy: 'reject',
      mtaSts: { mode: 'testing', maxAgeS: 604800 },
    });
    published = parseZone(formatDnsRecords(set, { zone: true }));
  });

  test('everything published as printed: all ok, and the check passes', async () => {
    const results = await check(published);
    assert.deepEqual(
      results.filter((r) => r.status !== 'ok').map((r) => `${r.record.type} ${r.record.name} ${r.status}`),
      [],
    );
    // Placeholders (the AAAA the host may not have) are not checked.
    assert.ok(!results.some((r) => r.record.type === 'AAAA'));
    assert.equal(results.length, set.records.filter((r) => !r.placeholder).length);
    assert.ok(checkPassed(results));
  });

  test('a missing DMARC record and a different SPF record are reported, with what was found', async () => {
    const records = without((r) => r.name === '_dmarc.crepes.fr').map((r) =>
      r.name === 'crepes.fr' && r.type === 'TXT' ? { ...r, data: ['v=spf1 ip4:198.51.100.1 -all'] } : r,
    );
    const results = await check(records);
    assert.equal(statusOf(results, '_dmarc.crepes.fr.', 'TXT'), 'missing');
    const spf = results.find((r) => r.record.name === 'crepes.fr.' && r.record.type === 'TXT')!;
    assert.equal(spf.status, 'different');
    assert.deepEqual(spf.found, ['v=spf1 ip4:198.51.100.1 -all']);
    assert.ok(!checkPassed(results));
  });

  test('two SPF records are an error even if one is ours (RFC 7208 §3.2)', async () => {
    const results = await check([...published, { name: 'crepes.fr', type: 'TXT', data: ['v=spf1 -all'] }]);
    const spf = results.find((r) => r.record.name === 'crepes.fr.' && r.record.type === 'TXT')!;
    assert.equal(spf.status, 'different');
    assert.match(spf.detail ?? '', /more than one SPF record/);
  });

  test('a DKIM record with another key is different; other TXT records on the name do not matter', async () => {
    const ed = set.records.find((r) => r.value.includes('k=ed25519'))!;
    const records = published.map((r) =>
      `${r.name}.` === ed.name
        ? { ...r, data: ['v=DKIM1; k=ed25519; p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='] }
        : r,
    );
    records.push({ name: 'crepes.fr', type: 'TXT', data: ['google-site-verification=abc'] });
    const results = await check(records);
    assert.equal(statusOf(results, ed.name, 'TXT'), 'different');
    assert.equal(statusOf(results, 'crepes.fr.', 'TXT'), 'ok');
  });

  test('tag records compare by tags: spacing, order and extra tags do not matter', async () => {
    const records = published.map((r) =>
      txtOf(r).startsWith('v=DMARC1')
        ? { ...r, data: ['v=DMARC1;rua=mailto:postmaster@crepes.fr ; p=REJECT; pct=100'] }
        : r,
    );
    assert.equal(statusOf(await check(records), '_dmarc.crepes.fr.', 'TXT'), 'ok');
  });

  test('MX: ours among others is ok; only another host is different', async () => {
    const extra = await check([
      ...published,
      { name: 'crepes.fr', type: 'MX', data: { preference: 20, exchange: 'backup.example' } },
    ]);
    assert.equal(statusOf(extra, 'crepes.fr.', 'MX'), 'ok');
    const other = await check(
      published.map((r) =>
        r.type === 'MX' ? { ...r, data: { preference: 10, exchange: 'mx.elsewhere.example' } } : r,
      ),
    );
    assert.equal(statusOf(other, 'crepes.fr.', 'MX'), 'different');
  });

  test('CNAME: address records equal to the host are accepted as a flattened CNAME; others are not', async () => {
    const flattened = without((r) => r.name === 'autoconfig.crepes.fr');
    const same = await check([...flattened, { name: 'autoconfig.crepes.fr', type: 'A', data: '192.0.2.25' }]);
    assert.equal(statusOf(same, 'autoconfig.crepes.fr.', 'CNAME'), 'ok');
    const differs = await check([
      ...flattened,
      { name: 'autoconfig.crepes.fr', type: 'A', data: '198.51.100.7' },
    ]);
    assert.equal(statusOf(differs, 'autoconfig.crepes.fr.', 'CNAME'), 'different');
    assert.equal(statusOf(await check(flattened), 'autoconfig.crepes.fr.', 'CNAME'), 'missing');
  });

  test('SRV: another port is different; optional "not offered" records may be missing', async () => {
    const records = without((r) => r.name.startsWith('_pop3')).map((r) =>
      r.name === '_imaps._tcp.crepes.fr'
        ? { ...r, data: { priority: 0, weight: 1, port: 9993, target: 'mail.crepes.fr' } }
        : r,
    );
    const results = await check(records);
    assert.equal(statusOf(results, '_imaps._tcp.crepes.fr.', 'SRV'), 'different');
    assert.equal(statusOf(results, '_pop3._tcp.crepes.fr.', 'SRV'), 'missing');
    const fixed = await check(without((r) => r.name.startsWith('_pop3')));
    assert.ok(checkPassed(fixed), 'optional records missing only');
  });

  test('guessed host addresses accept any address; a timeout is a DNS error, not "missing"', async () => {
    const results = await check(
      published.map((r) => (r.type === 'A' ? { ...r, data: '203.0.113.9' } : r)),
      { '_smtp._tls.crepes.fr': 'timeout' },
    );
    assert.equal(statusOf(results, 'mail.crepes.fr.', 'A'), 'ok');
    const tlsrpt = results.find((r) => r.record.name === '_smtp._tls.crepes.fr.')!;
    assert.equal(tlsrpt.status, 'error');
    assert.match(tlsrpt.detail ?? '', /ETIMEOUT/);
    assert.ok(!checkPassed(results));
  });
});
