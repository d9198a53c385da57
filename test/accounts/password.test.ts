import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_ARGON2,
  InvalidPassword,
  TEST_ARGON2,
  hashPassword,
  needsRehash,
  parseHash,
  verifyPassword,
} from '../../src/accounts/index.ts';

test('hashes are argon2id PHC strings with a fresh salt each time', async () => {
  const a = await hashPassword('correct horse', TEST_ARGON2);
  const b = await hashPassword('correct horse', TEST_ARGON2);
  assert.match(a, /^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('correct horse', a), true);
  assert.equal(await verifyPassword('correct horse', b), true);
  assert.equal(await verifyPassword('correct horsE', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('default parameters are the OWASP argon2id ones and are written into the hash', async () => {
  assert.deepEqual(
    [DEFAULT_ARGON2.memoryKiB, DEFAULT_ARGON2.passes, DEFAULT_ARGON2.parallelism],
    [19_456, 2, 1],
  );
  const hash = await hashPassword('secret');
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await verifyPassword('secret', hash), true);
});

// Vectors made with the reference implementation (Debian's argon2 CLI, phc-winner-argon2):
//   echo -n "correct horse" | argon2 posthorn-salt-16 -id -t 2 -k 256 -p 1 -l 32 -e
//   echo -n "pässwörd" | argon2 saltsaltsalt -id -t 1 -k 64 -p 2 -l 16 -e
test('verifies hashes made by the reference implementation', async () => {
  const one =
    '$argon2id$v=19$m=256,t=2,p=1$cG9zdGhvcm4tc2FsdC0xNg$6qk1dInLn0BMLJSV647vk9G5sGw6kQTVcR7rTZKNZRM';
  const two = '$argon2id$v=19$m=64,t=1,p=2$c2FsdHNhbHRzYWx0$imEQcyCLpXo+v/pYdxTHPw';
  assert.equal(await verifyPassword('correct horse', one), true);
  assert.equal(await verifyPassword('correct horse!', one), false);
  assert.equal(await verifyPassword('pässwörd', two), true);
  assert.equal(await verifyPassword('passwörd', two), false);
});

test('malformed, foreign or out-of-bounds hashes never verify', async () => {
  const good = await hashPassword('pw', TEST_ARGON2);
  const bad = [
    '',
    'plaintext',
    good.replace('argon2id', 'argon2i'),
    good.replace('v=19', 'v=16'),
    good.replace('m=64', 'm=99999999'), // more memory than allowed
    good.replace('t=1', 't=1000'),
    good.replace('m=64', 'm=4'), // below 8 * p
    good.slice(0, -10), // truncated hash
    `${good}$extra`,
    '$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA', // 4-byte salt
  ];
  for (const hash of bad) {
    assert.equal(await verifyPassword('pw', hash), false, hash);
  }
  assert.equal(parseHash(good)?.params.memoryKiB, 64);
  assert.equal(parseHash('nope'), null);
});

test('empty and over-long passwords cannot be set', async () => {
  await assert.rejects(hashPassword('', TEST_ARGON2), InvalidPassword);
  await assert.rejects(hashPassword('x'.repeat(4097), TEST_ARGON2), InvalidPassword);
});

test('needsRehash when the parameters differ', async () => {
  const hash = await hashPassword('pw', TEST_ARGON2);
  assert.equal(needsRehash(hash, TEST_ARGON2), false);
  assert.equal(needsRehash(hash, { ...TEST_ARGON2, passes: 2 }), true);
  assert.equal(needsRehash('garbage', TEST_ARGON2), true);
});
