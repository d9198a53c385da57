import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  DkimKeyError,
  dkimDirectory,
  ensureDomainKeys,
  listDomainKeys,
  removeDomainKey,
  rotateDomainKeys,
  signingKeys,
} from '../../src/auth/dkim-keys.ts';

const DAY1 = new Date('2026-03-01T10:00:00Z');
const DAY2 = new Date('2026-04-15T10:00:00Z');

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'posthorn-dkim-'));
}

describe('DKIM keys on disk', () => {
  test('ensureDomainKeys makes one Ed25519 and one RSA-2048 pair, private files 0600, and is idempotent', async () => {
    const dir = dataDir();
    const keys = await ensureDomainKeys(dir, 'Crepes.FR.', DAY1);
    assert.deepEqual(
      keys.map((k) => [k.selector, k.algorithm, k.signing]),
      [
        ['ed-20260301', 'ed25519', true],
        ['rsa-20260301', 'rsa', true],
      ],
    );
    const keyDir = join(dir, 'dkim', 'crepes.fr');
    assert.equal(dkimDirectory(dir, 'CREPES.fr'), keyDir);
    assert.deepEqual(readdirSync(keyDir).sort(), ['ed-20260301.key', 'rsa-20260301.key']);
    for (const file of readdirSync(keyDir)) assert.equal(statSync(join(keyDir, file)).mode & 0o777, 0o600);
    assert.equal(statSync(keyDir).mode & 0o777, 0o700);
    assert.equal(keys[1]!.privateKey!.asymmetricKeyDetails?.modulusLength, 2048);

    const again = await ensureDomainKeys(dir, 'crepes.fr', DAY2);
    assert.deepEqual(
      again.map((k) => k.selector),
      ['ed-20260301', 'rsa-20260301'],
    );
    assert.equal(readdirSync(keyDir).length, 2);
  });

  test('the DNS values carry the public keys: raw 32 bytes for Ed25519 (RFC 8463), SPKI for RSA', async () => {
    const dir = dataDir();
    const [ed, rsa] = await ensureDomainKeys(dir, 'crepes.fr', DAY1);
    const edMatch = /^v=DKIM1; k=ed25519; p=([A-Za-z0-9+/=]+)$/.exec(ed!.dnsValue);
    assert.ok(edMatch, ed!.dnsValue);
    const raw = Buffer.from(edMatch[1]!, 'base64');
    assert.equal(raw.length, 32);
    const jwk = ed!.publicKey.export({ format: 'jwk' });
    assert.equal(Buffer.from(jwk.x!, 'base64url').toString('base64'), raw.toString('base64'));

    const rsaMatch = /^v=DKIM1; k=rsa; p=([A-Za-z0-9+/=]+)$/.exec(rsa!.dnsValue);
    assert.ok(rsaMatch, rsa!.dnsValue);
    const parsed = createPublicKey({ key: Buffer.from(rsaMatch[1]!, 'base64'), format: 'der', type: 'spki' });
    assert.ok(parsed.equals(rsa!.publicKey));
  });

  test('rotate: new selectors sign, old private keys are deleted, old public keys stay listed', async () => {
    const dir = dataDir();
    const first = await ensureDomainKeys(dir, 'crepes.fr', DAY1);
    const { added, retired } = await rotateDomainKeys(dir, 'crepes.fr', DAY2);
    assert.deepEqual(
      added.map((k) => k.selector),
      ['ed-20260415', 'rsa-20260415'],
    );
    assert.deepEqual(
      retired.map((k) => [k.selector, k.signing, k.privateKey]),
      [
        ['ed-20260301', false, null],
        ['rsa-20260301', false, null],
      ],
    );
    const keyDir = join(dir, 'dkim', 'crepes.fr');
    assert.deepEqual(readdirSync(keyDir).sort(), [
      'ed-20260301.pub',
      'ed-20260415.key',
      'rsa-20260301.pub',
      'rsa-20260415.key',
    ]);
    const listed = listDomainKeys(dir, 'crepes.fr');
    assert.deepEqual(
      listed.map((k) => [k.selector, k.signing]),
      [
        ['ed-20260415', true],
        ['ed-20260301', false],
        ['rsa-20260415', true],
        ['rsa-20260301', false],
      ],
    );
    // The retired records are unchanged, so mail signed before the rotation still verifies.
    assert.equal(listed[1]!.dnsValue, first[0]!.dnsValue);
    assert.equal(listed[3]!.dnsValue, first[1]!.dnsValue);
  });

  test('a second rotation on the same day gets "-2" selectors, which sort newest', async () => {
    const dir = dataDir();
    await ensureDomainKeys(dir, 'crepes.fr', DAY1);
    await rotateDomainKeys(dir, 'crepes.fr', DAY1);
    assert.deepEqual(
      signingKeys(dir, 'crepes.fr').map((k) => k.selector),
      ['ed-20260301-2', 'rsa-20260301-2'],
    );
  });

  test('a retirement cut short (a .pub beside the .key) still lists the private key; the newest key signs', async () => {
    const dir = dataDir();
    const [ed] = await ensureDomainKeys(dir, 'crepes.fr', DAY1);
    const keyDir = join(dir, 'dkim', 'crepes.fr');
    const oldKey = await rotateDomainKeys(dir, 'crepes.fr', DAY2);
    // Simulate a crash after the new keys were written and before the old .key was deleted.
    writeFileSync(join(keyDir, 'ed-20260301.key'), ed!.privateKey!.export({ format: 'pem', type: 'pkcs8' }));
    const listed = listDomainKeys(dir, 'crepes.fr').filter((k) => k.algorithm === 'ed25519');
    assert.deepEqual(
      listed.map((k) => [k.selector, k.signing, k.privateKey !== null]),
      [
        ['ed-20260415', true, true],
        ['ed-20260301', false, true],
      ],
    );
    assert.equal(oldKey.added.length, 2);
  });

  test('remove deletes a retired key, refuses a signing one and an unknown selector', async () => {
    const dir = dataDir();
    await ensureDomainKeys(dir, 'crepes.fr', DAY1);
    await rotateDomainKeys(dir, 'crepes.fr', DAY2);
    assert.throws(() => removeDomainKey(dir, 'crepes.fr', 'ed-20260415'), DkimKeyError);
    assert.throws(() => removeDomainKey(dir, 'crepes.fr', 'nope'), /no DKIM key with selector "nope"/);
    removeDomainKey(dir, 'crepes.fr', 'ed-20260301');
    assert.ok(!existsSync(join(dir, 'dkim', 'crepes.fr', 'ed-20260301.pub')));
    assert.deepEqual(
      listDomainKeys(dir, 'crepes.fr').map((k) => k.selector),
      ['ed-20260415', 'rsa-20260415', 'rsa-20260301'],
    );
  });

  test('no directory → no keys; an unreadable key file is an error naming the file', async () => {
    const dir = dataDir();
    assert.deepEqual(listDomainKeys(dir, 'hamburger.edu'), []);
    await ensureDomainKeys(dir, 'hamburger.edu', DAY1);
    writeFileSync(join(dir, 'dkim', 'hamburger.edu', 'broken.key'), 'not a key');
    assert.throws(() => listDomainKeys(dir, 'hamburger.edu'), /broken\.key is unreadable/);
  });

  test('domain names cannot escape data_dir/dkim', () => {
    const dir = dataDir();
    assert.throws(() => dkimDirectory(dir, '../etc'));
    assert.throws(() => dkimDirectory(dir, 'a/b.example'));
    assert.throws(() => dkimDirectory(dir, ''));
    assert.throws(() => listDomainKeys(dir, 'a/b.example'), DkimKeyError);
  });
});
