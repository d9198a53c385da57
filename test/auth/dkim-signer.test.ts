import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { dkimVerify } from 'mailauth';
import { ensureDomainKeys, listDomainKeys, rotateDomainKeys } from '../../src/auth/dkim-keys.ts';
import { createDkimSigner, DkimSignError } from '../../src/auth/dkim-signer.ts';
import { dnsLookupError, type DnsLookup } from '../../src/auth/dns-lookup.ts';

const MESSAGE = Buffer.from(
  [
    'From: Alice <alice@crepes.fr>',
    'To: Bob <bob@hamburger.edu>',
    'Subject: Crêpes ce soir ?',
    'Date: Sun, 01 Mar 2026 10:00:00 +0100',
    'Message-ID: <c1@crepes.fr>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Bonjour Bob,',
    '',
    'des crêpes ce soir ?  ',
    '',
    '',
  ].join('\r\n'),
);

const fixedClock = { now: () => new Date('2026-03-01T09:00:00Z') };

function keyLookup(dataDir: string, domain: string): DnsLookup {
  const records = new Map(
    listDomainKeys(dataDir, domain).map((k) => [`${k.selector}._domainkey.${domain}`, k.dnsValue]),
  );
  return async (name, rrtype) => {
    const value = records.get(name.toLowerCase());
    if (rrtype !== 'TXT' || value === undefined) throw dnsLookupError('ENOTFOUND', name, rrtype);
    return [[value]];
  };
}

async function verifyWithMailauth(message: Buffer, lookup: DnsLookup) {
  const result = await dkimVerify(message, { resolver: lookup as never });
  return result.results.map((r) => ({
    selector: r.selector,
    algo: r.algo,
    result: r.status.result,
    domain: r.signingDomain,
  }));
}

describe('DKIM signer', () => {
  test('prepends an Ed25519 and an RSA-SHA256 signature that mailauth verifies', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posthorn-sign-'));
    await ensureDomainKeys(dataDir, 'crepes.fr', new Date('2026-03-01T00:00:00Z'));
    const signer = createDkimSigner({ dataDir, hostname: 'mail.crepes.fr', clock: fixedClock });
    const signed = await signer.sign(MESSAGE, 'Crepes.FR');

    assert.ok(signed.subarray(signed.length - MESSAGE.length).equals(MESSAGE), 'message bytes unchanged');
    const added = signed.subarray(0, signed.length - MESSAGE.length).toString('latin1');
    const fields = added.split(/\r\n(?![ \t])/).filter((f) => f !== '');
    assert.equal(fields.length, 2);
    assert.match(fields[0]!, /^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed\/relaxed; d=crepes\.fr;/);
    assert.match(fields[1]!, /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=crepes\.fr;/);
    for (const f of fields) {
      assert.match(f, /s=(ed|rsa)-20260301;/);
      assert.match(f, new RegExp(`t=${Date.parse('2026-03-01T09:00:00Z') / 1000};`));
      const signedFields = /h=([^;]*);/.exec(f.replace(/\s+/g, ''))![1]!.toLowerCase().split(':');
      for (const name of ['from', 'to', 'subject', 'date', 'message-id', 'content-type']) {
        assert.ok(signedFields.includes(name), `${name} signed`);
      }
    }

    assert.deepEqual(await verifyWithMailauth(signed, keyLookup(dataDir, 'crepes.fr')), [
      { selector: 'ed-20260301', algo: 'ed25519-sha256', result: 'pass', domain: 'crepes.fr' },
      { selector: 'rsa-20260301', algo: 'rsa-sha256', result: 'pass', domain: 'crepes.fr' },
    ]);
  });

  test('a changed body or signed header fails verification (the test can fail)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posthorn-sign-'));
    await ensureDomainKeys(dataDir, 'crepes.fr');
    const signed = await createDkimSigner({ dataDir, hostname: 'h' }).sign(MESSAGE, 'crepes.fr');
    const tampered = Buffer.from(signed.toString('utf8').replace('des crêpes', 'des gaufres'), 'utf8');
    // mailauth's lenient mode reports a body hash mismatch as "neutral" (strict mode: "fail").
    const results = await verifyWithMailauth(tampered, keyLookup(dataDir, 'crepes.fr'));
    assert.deepEqual(
      results.map((r) => r.result),
      ['neutral', 'neutral'],
    );
    const reSubjected = Buffer.from(signed.toString('utf8').replace('Subject: Crêpes', 'Subject: Gaufres'));
    assert.deepEqual(
      (await verifyWithMailauth(reSubjected, keyLookup(dataDir, 'crepes.fr'))).map((r) => r.result),
      ['fail', 'fail'],
    );
  });

  test('no keys for the domain: the message is returned unchanged and a warning is logged', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posthorn-sign-'));
    const lines: unknown[] = [];
    const log = { warn: (obj: unknown, msg: string) => lines.push([obj, msg]), debug: () => {} };
    const signer = createDkimSigner({ dataDir, hostname: 'mail.crepes.fr', log: log as never });
    const out = await signer.sign(MESSAGE, 'crepes.fr');
    assert.equal(out, MESSAGE);
    assert.deepEqual(lines, [
      [{ domain: 'crepes.fr', hostname: 'mail.crepes.fr' }, 'no DKIM keys for domain; not signed'],
    ]);
  });

  test('a rotation in another process is picked up with the next message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posthorn-sign-'));
    await ensureDomainKeys(dataDir, 'crepes.fr', new Date('2026-03-01T00:00:00Z'));
    const signer = createDkimSigner({ dataDir, hostname: 'h' });
    const selectors = async () =>
      [...(await signer.sign(MESSAGE, 'crepes.fr')).toString().matchAll(/ s=([a-z0-9-]+);/g)].map(
        (m) => m[1],
      );
    assert.deepEqual(await selectors(), ['ed-20260301', 'rsa-20260301']);
    await rotateDomainKeys(dataDir, 'crepes.fr', new Date('2026-05-01T00:00:00Z'));
    assert.deepEqual(await selectors(), ['ed-20260501', 'rsa-20260501']);
  });

  test('an unreadable key is an error (4xx for the caller), not unsigned mail', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'posthorn-sign-'));
    await ensureDomainKeys(dataDir, 'crepes.fr');
    writeFileSync(join(dataDir, 'dkim', 'crepes.fr', 'zz.key'), 'garbage');
    const signer = createDkimSigner({ dataDir, hostname: 'h' });
    await assert.rejects(signer.sign(MESSAGE, 'crepes.fr'), DkimSignError);
  });

  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const hasDkimpy = spawnSync(python, ['-c', 'import dkim, nacl'], { stdio: 'ignore' }).status === 0;
  test(
    'second opinion: dkimpy (Debian python3-dkim) verifies both signatures',
    {
      skip: hasDkimpy
        ? false
        : 'needs python3-dkim and python3-nacl (apt-get install python3-dkim python3-nacl)',
    },
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'posthorn-sign-'));
      const keys = await ensureDomainKeys(dataDir, 'crepes.fr', new Date('2026-03-01T00:00:00Z'));
      const signed = await createDkimSigner({ dataDir, hostname: 'h' }).sign(MESSAGE, 'crepes.fr');
      const recordsFile = join(dataDir, 'records.json');
      writeFileSync(
        recordsFile,
        JSON.stringify(
          Object.fromEntries(keys.map((k) => [`${k.selector}._domainkey.crepes.fr`, k.dnsValue])),
        ),
      );
      const run = (message: Buffer) => {
        const out = spawnSync(python, [join(import.meta.dirname, 'dkimpy-verify.py'), recordsFile], {
          input: message,
        });
        assert.equal(out.status, 0, out.stderr.toString());
        return JSON.parse(out.stdout.toString()) as unknown;
      };
      assert.deepEqual(run(signed), [
        { selector: 'ed-20260301', algorithm: 'ed25519-sha256', ok: true },
        { selector: 'rsa-20260301', algorithm: 'rsa-sha256', ok: true },
      ]);
      const tampered = Buffer.from(signed.toString('utf8').replace('Bonjour', 'Hello'));
      assert.deepEqual(run(tampered), [
        { selector: 'ed-20260301', algorithm: 'ed25519-sha256', ok: false },
        { selector: 'rsa-20260301', algorithm: 'rsa-sha256', ok: false },
      ]);
    },
  );
});
