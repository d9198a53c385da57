import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidAddress, TEST_ARGON2, hashPassword, type Argon2Params } from '../../src/accounts/index.ts';
import { AlreadyExists, NotFound } from '../../src/storage/ports.ts';
import { service } from './fixture.ts';

test('domains are stored in normal form; isLocalDomain accepts any spelling and rejects junk', async () => {
  await using t = await service();
  assert.equal((await t.accounts.addDomain('Bücher.Example')).name, 'xn--bcher-kva.example');
  assert.equal(await t.accounts.isLocalDomain('bücher.example'), true);
  assert.equal(await t.accounts.isLocalDomain('XN--BCHER-KVA.EXAMPLE'), true);
  assert.equal(await t.accounts.isLocalDomain('buecher.example'), false);
  assert.equal(await t.accounts.isLocalDomain('not a domain'), false);
  await assert.rejects(t.accounts.addDomain('bad_domain.example'), InvalidAddress);
  await assert.rejects(t.accounts.addDomain('BÜCHER.example'), AlreadyExists);
});

test('createAccount validates and normalises the address', async () => {
  await using t = await service();
  await t.accounts.addDomain('crepes.fr');
  const alice = await t.accounts.createAccount('Alice@CREPES.fr', 'secret');
  assert.equal(alice.address, 'Alice@crepes.fr');
  assert.match(alice.passwordHash, /^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
  assert.equal((await t.accounts.getAccount('alice@crepes.FR'))?.id, alice.id);
  assert.equal(await t.accounts.getAccount('not an address'), null);
  await assert.rejects(t.accounts.createAccount('alice@crepes.fr', 'x'), AlreadyExists);
  await assert.rejects(t.accounts.createAccount('bob@unknown.example', 'x'), NotFound);
  await assert.rejects(t.accounts.createAccount('bo b@crepes.fr', 'x'), /local part contains a space/);
  await assert.rejects(t.accounts.createAccount('bob@crepes.fr', ''), /password is empty/);
  assert.equal(await t.accounts.getAccount('bob@crepes.fr'), null, 'nothing created on a bad password');
});

test('an address is an account or an alias, never both', async () => {
  await using t = await service();
  await t.accounts.addDomain('crepes.fr');
  await t.accounts.createAccount('alice@crepes.fr', 'pw');
  await t.accounts.addAlias('info@crepes.fr', ['alice@crepes.fr']);
  await assert.rejects(t.accounts.addAlias('ALICE@crepes.fr', ['x@y.example']), /already an account/);
  await assert.rejects(t.accounts.createAccount('Info@crepes.fr', 'pw'), /already an alias/);
});

test('aliases: normalised address and targets, catch-all, invalid targets refused', async () => {
  await using t = await service();
  await t.accounts.addDomain('crepes.fr');
  const alias = await t.accounts.addAlias('Sales@Crepes.FR', [
    'Bob@Hamburger.EDU',
    'bob@hamburger.edu',
    'carol@crepes.fr',
  ]);
  assert.deepEqual(alias, {
    address: 'Sales@crepes.fr',
    targets: ['Bob@hamburger.edu', 'bob@hamburger.edu', 'carol@crepes.fr'],
  });
  assert.deepEqual((await t.accounts.addAlias('@CREPES.FR', ['carol@crepes.fr'])).address, '@crepes.fr');
  assert.deepEqual((await t.accounts.getAlias('sales@crepes.fr'))?.targets.length, 3);
  await assert.rejects(t.accounts.addAlias('x@crepes.fr', []), /at least one target/);
  await assert.rejects(t.accounts.addAlias('x@crepes.fr', ['not-an-address']), InvalidAddress);
  await assert.rejects(t.accounts.addAlias('x@crepes.fr', ['@crepes.fr']), InvalidAddress);
  await t.accounts.removeAlias('@crepes.fr');
  assert.equal(await t.accounts.getAlias('@crepes.fr'), null);
});

test('authenticate: right password only, case-insensitive login, disabled and unknown users refused', async () => {
  await using t = await service();
  await t.accounts.addDomain('crepes.fr');
  const alice = await t.accounts.createAccount('alice@crepes.fr', 'correct horse');
  assert.equal((await t.accounts.authenticate('alice@crepes.fr', 'correct horse'))?.id, alice.id);
  assert.equal((await t.accounts.authenticate('ALICE@Crepes.Fr', 'correct horse'))?.id, alice.id);
  assert.equal(await t.accounts.authenticate('alice@crepes.fr', 'Correct horse'), null);
  assert.equal(await t.accounts.authenticate('nobody@crepes.fr', 'correct horse'), null);
  assert.equal(await t.accounts.authenticate('not an address', 'correct horse'), null);
  assert.equal(await t.accounts.authenticate('', ''), null);

  await t.accounts.setPassword('alice@crepes.fr', 'battery staple');
  assert.equal(await t.accounts.authenticate('alice@crepes.fr', 'correct horse'), null);
  assert.equal((await t.accounts.authenticate('alice@crepes.fr', 'battery staple'))?.id, alice.id);
  await assert.rejects(t.accounts.setPassword('nobody@crepes.fr', 'x'), NotFound);

  t.store.database.exec("UPDATE accounts SET disabled = 1 WHERE address_key = 'alice@crepes.fr'");
  assert.equal(await t.accounts.authenticate('alice@crepes.fr', 'battery staple'), null);
});

test('a login with old hash parameters upgrades the stored hash', async () => {
  const old: Argon2Params = { ...TEST_ARGON2, memoryKiB: 32, passes: 2 };
  await using t = await service();
  await t.store.accounts.addDomain('crepes.fr');
  await t.store.accounts.addAccount('alice@crepes.fr', await hashPassword('pw', old));
  assert.ok(await t.accounts.authenticate('alice@crepes.fr', 'pw'));
  const stored = (await t.store.accounts.getAccount('alice@crepes.fr'))!.passwordHash;
  assert.match(stored, /\$m=64,t=1,p=1\$/);
  assert.ok(await t.accounts.authenticate('alice@crepes.fr', 'pw'));
});

test('an unknown user costs a hash computation like a wrong password (no timing oracle)', async () => {
  // Costly enough that skipping the hash for unknown users would be obvious against scheduling noise.
  const slow: Argon2Params = { ...TEST_ARGON2, memoryKiB: 4096, passes: 3 };
  await using t = await service({ argon2: slow });
  await t.accounts.addDomain('crepes.fr');
  await t.accounts.createAccount('alice@crepes.fr', 'pw');
  await t.accounts.authenticate('nobody@crepes.fr', 'warm-up'); // makes the dummy hash once
  // CPU time (all threads, argon2 runs on the libuv pool), not wall time: other processes on a loaded
  // machine do not inflate it, so the comparison does not flake.
  const median = async (address: string) => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const start = process.cpuUsage();
      assert.equal(await t.accounts.authenticate(address, 'wrong'), null);
      const used = process.cpuUsage(start);
      times.push((used.user + used.system) / 1000);
    }
    return times.sort((a, b) => a - b)[3]!;
  };
  const wrongPassword = await median('alice@crepes.fr');
  const unknownUser = await median('nobody@crepes.fr');
  const badAddress = await median('no address at all');
  assert.ok(
    unknownUser > wrongPassword * 0.4,
    `unknown ${unknownUser} ms vs wrong password ${wrongPassword} ms`,
  );
  assert.ok(
    badAddress > wrongPassword * 0.4,
    `bad address ${badAddress} ms vs wrong password ${wrongPassword} ms`,
  );
});
