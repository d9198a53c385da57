import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccountService, Resolution, Target } from '../../src/accounts/index.ts';
import { service } from './fixture.ts';

/** Targets as short strings: "local:<account address>[+tag]" or "remote:<address>". */
function targets(resolution: Resolution): string[] {
  assert.ok(
    resolution.kind === 'account' || resolution.kind === 'alias',
    `deliverable, got ${resolution.kind}`,
  );
  return resolution.targets.map((t: Target) =>
    t.kind === 'local' ? `local:${t.address}${t.tag === null ? '' : `+${t.tag}`}` : `remote:${t.address}`,
  );
}

async function world(options: Parameters<typeof service>[0] = {}) {
  const t = await service(options);
  const a: AccountService = t.accounts;
  await a.addDomain('crepes.fr');
  await a.addDomain('hamburger.edu');
  await a.createAccount('alice@crepes.fr', 'pw');
  await a.createAccount('Bob@hamburger.edu', 'pw');
  await a.createAccount('carol@crepes.fr', 'pw');
  return t;
}

test('an account, matched case-insensitively, with the matched account address', async () => {
  await using t = await world();
  const r = await t.accounts.resolveRecipient('ALICE@Crepes.FR');
  assert.equal(r.kind, 'account');
  assert.equal(r.address, 'ALICE@crepes.fr');
  assert.equal(r.account.address, 'alice@crepes.fr');
  assert.equal(r.via, 'address');
  assert.equal(r.tag, null);
  assert.deepEqual(targets(r), ['local:alice@crepes.fr']);
  assert.deepEqual(targets(await t.accounts.resolveRecipient('bob@HAMBURGER.edu')), [
    'local:Bob@hamburger.edu',
  ]);
});

test('non-local domain, unknown user, invalid address', async () => {
  await using t = await world();
  assert.deepEqual(await t.accounts.resolveRecipient('dave@Example.ORG'), {
    kind: 'non-local',
    address: 'dave@example.org',
    domain: 'example.org',
  });
  assert.deepEqual(await t.accounts.resolveRecipient('dave@crepes.fr'), {
    kind: 'unknown-user',
    address: 'dave@crepes.fr',
    domain: 'crepes.fr',
  });
  const invalid = await t.accounts.resolveRecipient('dave@@crepes.fr');
  assert.equal(invalid.kind, 'invalid');
  assert.match(invalid.reason, /local part contains "@"/);
});

test('subaddressing: user+tag goes to user with the tag; exact accounts win; can be turned off', async () => {
  await using t = await world();
  const r = await t.accounts.resolveRecipient('Alice+Lists@crepes.fr');
  assert.equal(r.kind, 'account');
  assert.equal(r.via, 'subaddress');
  assert.equal(r.tag, 'Lists');
  assert.equal(r.address, 'Alice+Lists@crepes.fr');
  assert.deepEqual(targets(r), ['local:alice@crepes.fr+Lists']);
  await t.accounts.createAccount('alice+work@crepes.fr', 'pw');
  const exact = await t.accounts.resolveRecipient('alice+work@crepes.fr');
  assert.equal(exact.kind === 'account' && exact.via, 'address');
  assert.equal((await t.accounts.resolveRecipient('nobody+x@crepes.fr')).kind, 'unknown-user');

  await using off = await world({ subaddressSeparator: null });
  assert.equal((await off.accounts.resolveRecipient('alice+lists@crepes.fr')).kind, 'unknown-user');
  await using dash = await world({ subaddressSeparator: '-' });
  assert.deepEqual(targets(await dash.accounts.resolveRecipient('alice-x@crepes.fr')), [
    'local:alice@crepes.fr+x',
  ]);
});

test('alias: local and remote targets, nested aliases expanded, duplicates once', async () => {
  await using t = await world();
  await t.accounts.addAlias('team@crepes.fr', ['alice@crepes.fr', 'sales@crepes.fr', 'dave@example.org']);
  await t.accounts.addAlias('sales@crepes.fr', [
    'carol@crepes.fr',
    'ALICE@crepes.fr',
    'bob+sales@hamburger.edu',
  ]);
  const r = await t.accounts.resolveRecipient('Team@crepes.fr');
  assert.equal(r.kind, 'alias');
  assert.equal(r.alias, 'team@crepes.fr');
  assert.equal(r.catchAll, false);
  assert.deepEqual(r.unresolved, []);
  assert.deepEqual(targets(r), [
    'local:alice@crepes.fr',
    'local:carol@crepes.fr',
    'local:Bob@hamburger.edu+sales',
    'remote:dave@example.org',
  ]);
  const tagged = await t.accounts.resolveRecipient('team+urgent@crepes.fr');
  assert.equal(tagged.kind === 'alias' && tagged.tag, 'urgent');
});

test('alias loops end, are reported, and do not hide the other targets', async () => {
  await using t = await world();
  await t.accounts.addAlias('a@crepes.fr', ['b@crepes.fr', 'alice@crepes.fr']);
  await t.accounts.addAlias('b@crepes.fr', ['a@crepes.fr', 'x@example.org']);
  await t.accounts.addAlias('self@crepes.fr', ['self@crepes.fr']);
  const r = await t.accounts.resolveRecipient('a@crepes.fr');
  assert.equal(r.kind, 'alias');
  assert.deepEqual(targets(r), ['remote:x@example.org', 'local:alice@crepes.fr']);
  assert.deepEqual(r.unresolved, ['a@crepes.fr (alias loop)']);
  const self = await t.accounts.resolveRecipient('self@crepes.fr');
  assert.equal(self.kind, 'alias');
  assert.deepEqual(self.targets, []);
  assert.deepEqual(self.unresolved, ['self@crepes.fr (alias loop)']);
});

test('a shared sub-alias (diamond) is expanded once without false reports', async () => {
  await using t = await world();
  await t.accounts.addAlias('top@crepes.fr', ['left@crepes.fr', 'right@crepes.fr']);
  await t.accounts.addAlias('left@crepes.fr', ['shared@crepes.fr']);
  await t.accounts.addAlias('right@crepes.fr', ['shared@crepes.fr', 'carol@crepes.fr']);
  await t.accounts.addAlias('shared@crepes.fr', ['alice@crepes.fr']);
  const r = await t.accounts.resolveRecipient('top@crepes.fr');
  assert.equal(r.kind, 'alias');
  assert.deepEqual(targets(r), ['local:alice@crepes.fr', 'local:carol@crepes.fr']);
  assert.deepEqual(r.unresolved, []);
});

test('unknown local targets and too-deep nesting are reported as unresolved', async () => {
  await using t = await world({ maxAliasDepth: 2 });
  await t.accounts.addAlias('l1@crepes.fr', ['l2@crepes.fr', 'ghost@crepes.fr']);
  await t.accounts.addAlias('l2@crepes.fr', ['l3@crepes.fr']);
  await t.accounts.addAlias('l3@crepes.fr', ['l4@crepes.fr']);
  await t.accounts.addAlias('l4@crepes.fr', ['alice@crepes.fr']);
  const r = await t.accounts.resolveRecipient('l1@crepes.fr');
  assert.equal(r.kind, 'alias');
  assert.deepEqual(r.targets, []);
  assert.deepEqual(r.unresolved, [
    'l4@crepes.fr (aliases nested deeper than 2)',
    'ghost@crepes.fr (unknown-user)',
  ]);
  assert.deepEqual(targets(await t.accounts.resolveRecipient('l3@crepes.fr')), ['local:alice@crepes.fr']);
});

test('catch-all takes unknown users of its domain only; its own unknown targets do not loop', async () => {
  await using t = await world();
  await t.accounts.addAlias('@crepes.fr', ['carol@crepes.fr', 'nobody@crepes.fr']);
  const r = await t.accounts.resolveRecipient('whoever@crepes.fr');
  assert.equal(r.kind, 'alias');
  assert.equal(r.catchAll, true);
  assert.equal(r.alias, '@crepes.fr');
  assert.equal(r.address, 'whoever@crepes.fr');
  assert.deepEqual(targets(r), ['local:carol@crepes.fr']);
  assert.deepEqual(r.unresolved, ['nobody@crepes.fr (unknown-user)']);
  assert.equal((await t.accounts.resolveRecipient('alice@crepes.fr')).kind, 'account');
  assert.equal((await t.accounts.resolveRecipient('whoever@hamburger.edu')).kind, 'unknown-user');
});

test('postmaster: alias if any, else the first account of the domain, else reported', async () => {
  await using t = await world();
  const fallback = await t.accounts.resolveRecipient('PostMaster@crepes.fr');
  assert.equal(fallback.kind, 'account');
  assert.equal(fallback.via, 'postmaster');
  assert.deepEqual(targets(fallback), ['local:alice@crepes.fr'], 'the oldest account of crepes.fr');

  await t.accounts.addAlias('postmaster@crepes.fr', ['carol@crepes.fr', 'ops@example.org']);
  assert.deepEqual(targets(await t.accounts.resolveRecipient('postmaster@crepes.fr')), [
    'local:carol@crepes.fr',
    'remote:ops@example.org',
  ]);

  await t.accounts.addAlias('@hamburger.edu', ['Bob@hamburger.edu']);
  const overCatchAll = await t.accounts.resolveRecipient('postmaster@hamburger.edu');
  assert.equal(overCatchAll.kind === 'account' && overCatchAll.via, 'postmaster');

  await t.accounts.addDomain('empty.example');
  assert.deepEqual(await t.accounts.resolveRecipient('postmaster@empty.example'), {
    kind: 'no-postmaster',
    address: 'postmaster@empty.example',
    domain: 'empty.example',
  });
});

test('a bare "postmaster" (RFC 5321 §4.5.1) uses the configured or first local domain', async () => {
  await using t = await world();
  const r = await t.accounts.resolveRecipient('Postmaster');
  assert.equal(r.kind, 'account');
  assert.equal(r.address, 'Postmaster@crepes.fr');
  await using h = await world({ postmasterDomain: 'Hamburger.EDU' });
  assert.deepEqual(targets(await h.accounts.resolveRecipient('postmaster')), ['local:Bob@hamburger.edu']);
  await using empty = await service();
  const none = await empty.accounts.resolveRecipient('postmaster');
  assert.equal(none.kind, 'invalid');
});
