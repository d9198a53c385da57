import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ensureDomainKeys, rotateDomainKeys } from '../../src/auth/dkim-keys.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import {
  buildDnsRecords,
  dnsRecordsFromConfig,
  formatDnsRecords,
  mtaStsPolicyId,
  splitTxt,
  type DnsRecordSet,
} from '../../src/dns-records/index.ts';
import { parseZone, type ZoneRecord } from './zone-parser.ts';

const ADDRESSES = { v4: ['192.0.2.25'], v6: ['2001:db8::25'] };

function summary(records: ZoneRecord[]): string[] {
  return records
    .map(
      (r) =>
        `${r.name} ${r.type} ${JSON.stringify(r.type === 'TXT' ? (r.data as string[]).join('') : r.data)}`,
    )
    .sort();
}

describe('posthorn dns records: generator and printer', () => {
  let dataDir: string;
  let set: DnsRecordSet;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'posthorn-records-'));
    await ensureDomainKeys(dataDir, 'crepes.fr', new Date('2026-03-01T00:00:00Z'));
    await rotateDomainKeys(dataDir, 'crepes.fr', new Date('2026-05-01T00:00:00Z'));
    const config = configFromDefaults(
      {
        hostname: 'mail.crepes.fr',
        data_dir: dataDir,
        listen: {
          smtp: ['0.0.0.0:25'],
          submission: ['0.0.0.0:587'],
          submissions: ['0.0.0.0:465'],
          imap: ['127.0.0.1:143'],
          imaps: ['0.0.0.0:993'],
        },
      },
      dataDir,
    );
    set = dnsRecordsFromConfig(config, 'crepes.fr', { addresses: ADDRESSES });
  });

  test('the readable output parses as a zone file with every record the issue lists', () => {
    const records = parseZone(formatDnsRecords(set));
    const keys = (name: string) => records.filter((r) => r.name === name).map((r) => r.type);
    const txt = (name: string) =>
      records.filter((r) => r.name === name && r.type === 'TXT').map((r) => (r.data as string[]).join(''));
    assert.deepEqual(keys('crepes.fr').sort(), ['MX', 'TXT']);
    assert.deepEqual(records.find((r) => r.type === 'MX')!.data, {
      preference: 10,
      exchange: 'mail.crepes.fr',
    });
    assert.deepEqual(txt('crepes.fr'), ['v=spf1 mx ~all']);
    assert.deepEqual(txt('mail.crepes.fr'), ['v=spf1 a -all']);
    assert.deepEqual(keys('mail.crepes.fr').sort(), ['A', 'AAAA', 'TXT']);
    assert.deepEqual(txt('_dmarc.crepes.fr'), ['v=DMARC1; p=reject; rua=mailto:postmaster@crepes.fr']);
    assert.deepEqual(txt('_smtp._tls.crepes.fr'), ['v=TLSRPTv1; rua=mailto:postmaster@crepes.fr']);
    assert.deepEqual(txt('_mta-sts.crepes.fr'), [`v=STSv1; id=${mtaStsPolicyId(set.mtaStsPolicy)}`]);
    assert.deepEqual(records.find((r) => r.name === 'mta-sts.crepes.fr')!.data, 'mail.crepes.fr');
    assert.deepEqual(records.find((r) => r.name === 'autoconfig.crepes.fr')!.data, 'mail.crepes.fr');

    // Both DKIM selectors that sign, plus the retired pair, each a key record.
    const dkim = records.filter((r) => r.name.endsWith('._domainkey.crepes.fr'));
    assert.deepEqual(dkim.map((r) => r.name).sort(), [
      'ed-20260301._domainkey.crepes.fr',
      'ed-20260501._domainkey.crepes.fr',
      'rsa-20260301._domainkey.crepes.fr',
      'rsa-20260501._domainkey.crepes.fr',
    ]);
    for (const r of dkim)
      assert.match((r.data as string[]).join(''), /^v=DKIM1; k=(ed25519|rsa); p=[A-Za-z0-9+/]+=*$/);
    const rsa = dkim.find((r) => r.name.startsWith('rsa-20260501'))!.data as string[];
    assert.ok(rsa.length >= 2, 'an RSA-2048 key record needs more than one 255-octet string');

    // RFC 6186 / RFC 8314 SRV records from the listeners; "0 0 0 ." for what is not offered.
    const srv = (name: string) => records.find((r) => r.name === name && r.type === 'SRV')!.data;
    assert.deepEqual(srv('_imaps._tcp.crepes.fr'), {
      priority: 0,
      weight: 1,
      port: 993,
      target: 'mail.crepes.fr',
    });
    assert.deepEqual(srv('_imap._tcp.crepes.fr'), {
      priority: 0,
      weight: 1,
      port: 143,
      target: 'mail.crepes.fr',
    });
    assert.deepEqual(srv('_submissions._tcp.crepes.fr'), {
      priority: 0,
      weight: 1,
      port: 465,
      target: 'mail.crepes.fr',
    });
    assert.deepEqual(srv('_submission._tcp.crepes.fr'), {
      priority: 0,
      weight: 1,
      port: 587,
      target: 'mail.crepes.fr',
    });
    assert.deepEqual(srv('_pop3._tcp.crepes.fr'), { priority: 0, weight: 0, port: 0, target: '.' });
  });

  test('the --zone snippet parses to exactly the same records, with $TTL', () => {
    const zone = formatDnsRecords(set, { zone: true, ttl: 1800 });
    assert.match(zone, /^\$ORIGIN crepes\.fr\.$/m);
    const fromZone = parseZone(zone);
    assert.deepEqual(summary(fromZone), summary(parseZone(formatDnsRecords(set))));
    assert.ok(fromZone.every((r) => r.ttl === 1800));
    assert.match(zone, /^@ +IN MX +10 mail\.crepes\.fr\.$/m);
    assert.match(zone, /^_dmarc +IN TXT +"v=DMARC1; p=reject; rua=mailto:postmaster@crepes\.fr"$/m);
    assert.match(zone, /^mail +IN A +192\.0\.2\.25$/m);
  });

  test('every record has a comment right above it; the MTA-STS policy is shown as comments', () => {
    for (const zone of [false, true]) {
      const lines = formatDnsRecords(set, { zone }).split('\n');
      let records = 0;
      for (const [i, line] of lines.entries()) {
        if (line === '' || line.startsWith(';') || line.startsWith('$')) continue;
        records++;
        assert.match(lines[i - 1]!, /^; \S/, `no comment above: ${line}`);
      }
      assert.equal(records, set.records.length);
    }
    const text = formatDnsRecords(set);
    assert.match(text, /^; +version: STSv1$/m);
    assert.match(text, /^; +mode: testing$/m);
    assert.match(text, /^; +mx: mail\.crepes\.fr$/m);
    assert.match(text, /^; +max_age: 604800$/m);
    assert.match(text, /Retired DKIM key/);
    assert.match(text, /bound to loopback only/); // imap listens on 127.0.0.1 only
  });

  test('without known addresses the host records are commented-out placeholders', () => {
    const placeholders = buildDnsRecords({
      domain: 'hamburger.edu',
      hostname: 'mx.hamburger.edu',
      addresses: { v4: [], v6: [] },
      dkimKeys: [],
      services: { imaps: null, imap: null, submissions: null, submission: null },
      dmarcPolicy: 'quarantine',
      reportAddress: 'dmarc@hamburger.edu',
      mtaSts: { mode: 'enforce', maxAgeS: 86400 },
    });
    const text = formatDnsRecords(placeholders);
    assert.match(text, /^; mx\.hamburger\.edu\. +IN A +<public IPv4 address>$/m);
    const records = parseZone(text);
    assert.ok(!records.some((r) => r.type === 'A' || r.type === 'AAAA'));
    assert.ok(
      records.some(
        (r) =>
          r.name === '_dmarc.hamburger.edu' &&
          (r.data as string[])[0] === 'v=DMARC1; p=quarantine; rua=mailto:dmarc@hamburger.edu',
      ),
    );
    assert.match(
      placeholders.mtaStsPolicy,
      /^version: STSv1\r\nmode: enforce\r\nmx: mx\.hamburger\.edu\r\nmax_age: 86400\r\n$/,
    );
    // Nothing offered: every client SRV record says so.
    for (const s of ['imaps', 'imap', 'submissions', 'submission']) {
      assert.deepEqual(records.find((r) => r.name === `_${s}._tcp.hamburger.edu`)!.data, {
        priority: 0,
        weight: 0,
        port: 0,
        target: '.',
      });
    }
  });

  test('a host name equal to the domain gets one SPF record, not two (RFC 7208 §3.2)', () => {
    const same = buildDnsRecords({
      domain: 'crepes.fr',
      hostname: 'crepes.fr',
      addresses: ADDRESSES,
      dkimKeys: [],
      services: { imaps: null, imap: null, submissions: null, submission: null },
      dmarcPolicy: 'reject',
      mtaSts: { mode: 'testing', maxAgeS: 604800 },
    });
    assert.equal(same.records.filter((r) => r.type === 'TXT' && r.value.startsWith('v=spf1')).length, 1);
  });

  test('TXT splitting keeps 255-octet strings that join back to the value', () => {
    const value = 'x'.repeat(600);
    const parts = splitTxt(value);
    assert.deepEqual(
      parts.map((p) => p.length),
      [255, 255, 90],
    );
    assert.equal(parts.join(''), value);
    assert.deepEqual(splitTxt('short'), ['short']);
  });

  test('the MTA-STS id follows the policy: a different mode gives a different id', () => {
    const other = dnsRecordsFromConfig(
      configFromDefaults(
        { hostname: 'mail.crepes.fr', data_dir: dataDir, autoconfig: { mta_sts_mode: 'enforce' } },
        dataDir,
      ),
      'crepes.fr',
      { addresses: ADDRESSES },
    );
    const id = (s: DnsRecordSet) => s.records.find((r) => r.name === '_mta-sts.crepes.fr.')!.value;
    assert.notEqual(id(other), id(set));
    assert.match(id(other), /^v=STSv1; id=[0-9a-f]{20}$/);
  });
});
