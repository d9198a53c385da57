// Contract: domains, accounts and aliases.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlreadyExists, DEFAULT_MAILBOXES, NotEmpty, NotFound } from '../../src/storage/ports.ts';
import { newAccount, rejection, STUB_HASH, withStore, type StoreFactory } from './harness.ts';

export function accountsContract(factory: StoreFactory): void {
  const it = withStore(factory);

  test(
    'domains: add, get, list, lower-cased, duplicate refused',
    it(async ({ store }) => {
      const added = await store.accounts.addDomain('Crepes.FR');
      assert.equal(added.name, 'crepes.fr');
      assert.ok(added.createdAt instanceof Date);
      await store.accounts.addDomain('hamburger.edu');
      assert.equal((await store.accounts.getDomain('CREPES.fr'))?.name, 'crepes.fr');
      assert.equal(await store.accounts.getDomain('nowhere.example'), null);
      assert.deepEqual(
        (await store.accounts.listDomains()).map((d) => d.name),
        ['crepes.fr', 'hamburger.edu'],
      );
      assert.ok((await rejection(store.accounts.addDomain('crepes.fr'))) instanceof AlreadyExists);
      assert.ok((await rejection(store.accounts.addDomain('CREPES.FR'))) instanceof AlreadyExists);
    }),
  );

  test(
    'accounts: add, get (case-insensitive), by id, list, password hash, remove',
    it(async ({ store }) => {
      await store.accounts.addDomain('crepes.fr');
      await store.accounts.addDomain('hamburger.edu');
      const alice = await store.accounts.addAccount('Alice@crepes.fr', STUB_HASH);
      assert.equal(alice.address, 'Alice@crepes.fr');
      assert.equal(alice.domain, 'crepes.fr');
      assert.equal(alice.passwordHash, STUB_HASH);
      assert.equal(alice.disabled, false);
      assert.ok(alice.createdAt instanceof Date);
      const bob = await store.accounts.addAccount('bob@hamburger.edu', STUB_HASH);
      assert.notEqual(alice.id, bob.id);

      assert.equal((await store.accounts.getAccount('alice@crepes.fr'))?.id, alice.id);
      assert.equal((await store.accounts.getAccount('ALICE@CREPES.FR'))?.id, alice.id);
      assert.equal((await store.accounts.getAccountById(bob.id))?.address, 'bob@hamburger.edu');
      assert.equal(await store.accounts.getAccount('carol@crepes.fr'), null);
      assert.deepEqual(
        (await store.accounts.listAccounts()).map((a) => a.address),
        ['Alice@crepes.fr', 'bob@hamburger.edu'],
      );
      assert.deepEqual(
        (await store.accounts.listAccounts('hamburger.edu')).map((a) => a.address),
        ['bob@hamburger.edu'],
      );

      await store.accounts.setPasswordHash('alice@crepes.fr', '$argon2id$new');
      assert.equal((await store.accounts.getAccount('alice@crepes.fr'))?.passwordHash, '$argon2id$new');
      assert.ok((await rejection(store.accounts.setPasswordHash('x@crepes.fr', 'h'))) instanceof NotFound);

      await store.accounts.removeAccount('alice@crepes.fr');
      assert.equal(await store.accounts.getAccount('alice@crepes.fr'), null);
      assert.equal(await store.accounts.getAccountById(alice.id), null);
      assert.deepEqual(await store.mail.listMailboxes(alice.id), []);
      assert.ok((await rejection(store.accounts.removeAccount('alice@crepes.fr'))) instanceof NotFound);
    }),
  );

  test(
    'accounts: duplicate (any case) is AlreadyExists, unknown domain is NotFound',
    it(async ({ store }) => {
      await newAccount(store, 'alice@crepes.fr');
      assert.ok(
        (await rejection(store.accounts.addAccount('alice@crepes.fr', STUB_HASH))) instanceof AlreadyExists,
      );
      assert.ok(
        (await rejection(store.accounts.addAccount('ALICE@crepes.fr', STUB_HASH))) instanceof AlreadyExists,
      );
      assert.ok(
        (await rejection(store.accounts.addAccount('x@nowhere.example', STUB_HASH))) instanceof NotFound,
      );
    }),
  );

  test(
    'every account is created with the special-use mailboxes, subscribed',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const mailboxes = await store.mail.listMailboxes(alice.id);
      assert.equal(mailboxes.length, DEFAULT_MAILBOXES.length);
      for (const expected of DEFAULT_MAILBOXES) {
        const found = mailboxes.find((m) => m.name === expected.name);
        assert.ok(found, `${expected.name} exists`);
        assert.equal(found.specialUse, expected.specialUse);
        assert.equal(found.accountId, alice.id);
        assert.equal(found.uidNext, 1);
      }
      assert.equal(mailboxes[0]!.name, 'INBOX');
      assert.deepEqual(
        new Set(await store.mail.listSubscriptions(alice.id)),
        new Set(DEFAULT_MAILBOXES.map((m) => m.name)),
      );
    }),
  );

  test(
    'removing a domain with accounts or aliases is NotEmpty; an empty one goes',
    it(async ({ store }) => {
      await newAccount(store, 'alice@crepes.fr');
      assert.ok((await rejection(store.accounts.removeDomain('crepes.fr'))) instanceof NotEmpty);
      await store.accounts.removeAccount('alice@crepes.fr');
      await store.accounts.addAlias('info@crepes.fr', ['bob@hamburger.edu']);
      assert.ok((await rejection(store.accounts.removeDomain('crepes.fr'))) instanceof NotEmpty);
      await store.accounts.removeAlias('info@crepes.fr');
      await store.accounts.removeDomain('crepes.fr');
      assert.equal(await store.accounts.getDomain('crepes.fr'), null);
      assert.ok((await rejection(store.accounts.removeDomain('crepes.fr'))) instanceof NotFound);
    }),
  );

  test(
    'aliases: one or many targets in order, catch-all, case-insensitive lookup, list, remove',
    it(async ({ store }) => {
      await store.accounts.addDomain('crepes.fr');
      await store.accounts.addDomain('hamburger.edu');
      const sales = await store.accounts.addAlias('Sales@crepes.fr', [
        'alice@crepes.fr',
        'bob@hamburger.edu',
        'carol@elsewhere.example',
      ]);
      assert.deepEqual(sales, {
        address: 'Sales@crepes.fr',
        targets: ['alice@crepes.fr', 'bob@hamburger.edu', 'carol@elsewhere.example'],
      });
      await store.accounts.addAlias('@crepes.fr', ['alice@crepes.fr']);
      await store.accounts.addAlias('info@hamburger.edu', ['bob@hamburger.edu']);

      assert.deepEqual(await store.accounts.getAlias('sales@CREPES.FR'), sales);
      assert.deepEqual(await store.accounts.getAlias('@crepes.fr'), {
        address: '@crepes.fr',
        targets: ['alice@crepes.fr'],
      });
      assert.equal(await store.accounts.getAlias('nobody@crepes.fr'), null);
      assert.deepEqual((await store.accounts.listAliases('crepes.fr')).map((a) => a.address).sort(), [
        '@crepes.fr',
        'Sales@crepes.fr',
      ]);
      assert.equal((await store.accounts.listAliases()).length, 3);
      const listed = (await store.accounts.listAliases()).find((a) => a.address === 'Sales@crepes.fr');
      assert.deepEqual(listed?.targets, sales.targets);

      assert.ok(
        (await rejection(store.accounts.addAlias('sales@crepes.fr', ['x@y.z']))) instanceof AlreadyExists,
      );
      assert.ok(
        (await rejection(store.accounts.addAlias('a@nowhere.example', ['x@y.z']))) instanceof NotFound,
      );
      await store.accounts.removeAlias('SALES@crepes.fr');
      assert.equal(await store.accounts.getAlias('sales@crepes.fr'), null);
      assert.ok((await rejection(store.accounts.removeAlias('sales@crepes.fr'))) instanceof NotFound);
    }),
  );

  test(
    'accounts and aliases survive close and reopen',
    it(async ({ store, reopen }) => {
      const alice = await newAccount(store);
      await store.accounts.addAlias('info@crepes.fr', ['alice@crepes.fr', 'bob@hamburger.edu']);
      await store.close();
      const again = await reopen();
      assert.equal((await again.accounts.getAccount('alice@crepes.fr'))?.id, alice.id);
      assert.deepEqual((await again.accounts.getAlias('info@crepes.fr'))?.targets, [
        'alice@crepes.fr',
        'bob@hamburger.edu',
      ]);
    }),
  );
}
