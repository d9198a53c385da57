// `posthorn dns records|check` and `posthorn dkim list|rotate|remove` as a user runs them (node src/main.ts),
// with `dns check` asking a loopback DNS server that serves what `dns records` printed.

import assert from 'node:assert/strict';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runCli, tempDir, type CliResult } from '../cli/run-cli.ts';
import { startRecordDnsServer, type ServedRecord } from '../support/dns-server-records.ts';
import { parseZone } from './zone-parser.ts';

interface KeyRow {
  domain: string;
  selector: string;
  algorithm: string;
  status: string;
  dns: { name: string; type: string; value: string };
}

describe('dns and dkim commands', () => {
  const dir = tempDir('posthorn-dns-cli-');
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli(args, { cwd: dir, env });
  let printed = '';

  before(async () => {
    writeFileSync(
      join(dir, 'posthorn.toml'),
      [
        'hostname = "mail.crepes.fr"',
        '[listen]',
        'imaps = ["0.0.0.0:993"]',
        'submissions = ["0.0.0.0:465"]',
        'submission = ["0.0.0.0:587"]',
        'imap = []',
        '',
      ].join('\n'),
    );
    const added = await cli(['domain', 'add', 'crepes.fr']);
    assert.equal(added.code, 0, added.stderr);
  });

  test('dns records: creates missing DKIM keys, prints records that parse as a zone file', async () => {
    // `domain add` made the keys; take them away to see `dns records` make them again.
    const made = join(dir, 'data', 'dkim', 'crepes.fr');
    assert.equal(readdirSync(made).length > 0, true);
    rmSync(made, { recursive: true });
    const result = await cli(['dns', 'records', 'crepes.fr', '--ip', '127.0.0.1']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, 'created DKIM keys for crepes.fr\n');
    printed = result.stdout;
    const records = parseZone(printed);
    const types = records.map((r) => `${r.type} ${r.name}`);
    for (const expected of [
      'MX crepes.fr',
      'TXT crepes.fr',
      'TXT _dmarc.crepes.fr',
      'TXT _mta-sts.crepes.fr',
      'CNAME mta-sts.crepes.fr',
      'TXT _smtp._tls.crepes.fr',
      'SRV _imaps._tcp.crepes.fr',
      'SRV _submissions._tcp.crepes.fr',
      'CNAME autoconfig.crepes.fr',
      'A mail.crepes.fr',
    ]) {
      assert.ok(types.includes(expected), `${expected} in ${types.join(', ')}`);
    }
    assert.equal(records.filter((r) => r.name.endsWith('._domainkey.crepes.fr')).length, 2);
    const keyDir = join(dir, 'data', 'dkim', 'crepes.fr');
    for (const file of readdirSync(keyDir)) assert.equal(statSync(join(keyDir, file)).mode & 0o777, 0o600);

    const zone = await cli(['dns', 'records', 'crepes.fr', '--ip', '127.0.0.1', '--zone']);
    assert.equal(zone.code, 0, zone.stderr);
    assert.equal(zone.stderr, '');
    const key = (r: ServedRecord) => `${r.type} ${r.name} ${JSON.stringify(r.data)}`;
    assert.deepEqual(parseZone(zone.stdout).map(key).sort(), records.map(key).sort());
  });

  test('dns check: ok against DNS serving the printed records; missing DMARC exits 1 and says so', async () => {
    const published = parseZone(printed);
    const good = await startRecordDnsServer(published);
    try {
      const result = await cli(['dns', 'check', 'crepes.fr'], {
        POSTHORN_DNS_SERVERS: good.address,
        POSTHORN_DNS_TIMEOUT_MS: '500',
      });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /^ok +MX +crepes\.fr\. +10 mail\.crepes\.fr\.$/m);
      assert.doesNotMatch(result.stdout, /MISSING|DIFFERENT|DNS-ERROR/);
    } finally {
      await good.close();
    }
    const bad = await startRecordDnsServer(published.filter((r) => r.name !== '_dmarc.crepes.fr'));
    try {
      const result = await cli(['dns', 'check', 'crepes.fr', '--json', '--ip', '127.0.0.1'], {
        POSTHORN_DNS_SERVERS: bad.address,
        POSTHORN_DNS_TIMEOUT_MS: '500',
      });
      assert.equal(result.code, 1);
      const rows = JSON.parse(result.stdout) as { name: string; status: string; optional: boolean }[];
      // (An IPv6 address of this machine may show up as an optional, unpublished AAAA record.)
      assert.deepEqual(
        rows.filter((r) => r.status !== 'ok' && !r.optional),
        [
          {
            name: '_dmarc.crepes.fr.',
            type: 'TXT',
            status: 'missing',
            optional: false,
            expected: 'v=DMARC1; p=reject; rua=mailto:postmaster@crepes.fr',
            found: [],
            detail: null,
          },
        ],
      );
    } finally {
      await bad.close();
    }
  });

  test('dkim list, rotate, remove', async () => {
    const list = async () => {
      const r = await cli(['dkim', 'list', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as KeyRow[];
    };
    const before = await list();
    assert.deepEqual(
      before.map((k) => [k.algorithm, k.status]),
      [
        ['ed25519', 'signing'],
        ['rsa', 'signing'],
      ],
    );
    assert.ok(printed.includes(before[0]!.dns.value), 'the listed key is the printed one');

    const rotated = await cli(['dkim', 'rotate', 'crepes.fr']);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /^new DKIM keys for crepes\.fr; they sign from now on/);
    assert.match(
      rotated.stdout,
      /^ {2}ed-\d{8}-2\._domainkey\.crepes\.fr\. +IN TXT +"v=DKIM1; k=ed25519; p=/m,
    );
    assert.match(rotated.stdout, new RegExp(`^  ${before[0]!.selector} \\(ed25519\\)$`, 'm'));

    const after = await list();
    assert.deepEqual(
      after.map((k) => [k.selector === before[0]!.selector || k.selector === before[1]!.selector, k.status]),
      [
        [false, 'signing'],
        [true, 'retired'],
        [false, 'signing'],
        [true, 'retired'],
      ],
    );
    const records = await cli(['dns', 'records', 'crepes.fr', '--zone']);
    assert.equal(parseZone(records.stdout).filter((r) => r.name.endsWith('._domainkey.crepes.fr')).length, 4);

    const refused = await cli(['dkim', 'remove', 'crepes.fr', after[0]!.selector]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /signs mail for crepes\.fr; rotate first/);
    const removed = await cli(['dkim', 'remove', 'crepes.fr', before[0]!.selector]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await list()).length, 3);
  });

  test('a domain that is not local is refused', async () => {
    for (const args of [
      ['dns', 'records', 'hamburger.edu'],
      ['dns', 'check', 'hamburger.edu'],
      ['dkim', 'rotate', 'hamburger.edu'],
    ]) {
      const result = await cli(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, /hamburger\.edu is not a local domain/);
    }
  });
});
