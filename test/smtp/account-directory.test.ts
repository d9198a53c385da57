// The MailDirectory over the real AccountService: routing, send-as rights and logins.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import { accountDirectory } from '../../src/smtp/server/account-directory.ts';
import type { MailDirectory } from '../../src/smtp/server/directory.ts';
import { parseForwardPath } from '../../src/smtp/wire/path.ts';
import type { Account } from '../../src/storage/ports.ts';
import { openStoreForTest, type StoreForTest } from '../support/test-store.ts';

const mailbox = (text: string) => {
  const r = parseForwardPath(`<${text}>`);
  assert.ok(r.ok, text);
  return r.value;
};

describe('accountDirectory', () => {
  let opened: StoreForTest;
  let directory: MailDirectory;
  let alice: Account;
  let bob: Account;

  before(async () => {
    opened = await openStoreForTest();
    const accounts = new AccountService(opened.store.accounts, { argon2: TEST_ARGON2 });
    await accounts.addDomain('example.org');
    await accounts.addDomain('example.net');
    alice = await accounts.createAccount('alice@example.org', 'alice-password');
    bob = await accounts.createAccount('bob@example.org', 'bob-password');
    await accounts.addAlias('sales@example.org', ['bob@example.org']);
    await accounts.addAlias('team@example.org', ['alice@example.org', 'carol@remote.test']);
    await accounts.addAlias('ghost@example.org', ['nobody@example.org']);
    await accounts.addAlias('@example.net', ['bob@example.org']);
    directory = accountDirectory(accounts, { hostname: 'mx.example.org' });
  });
  after(() => opened.close());

  test('routes accounts, +tags, aliases, catch-all, postmaster', async () => {
    assert.deepEqual(await directory.route(mailbox('Bob@Example.ORG')), {
      kind: 'local',
      targets: [{ kind: 'local', accountId: bob.id, address: 'bob@example.org' }],
    });
    assert.deepEqual(await directory.route(mailbox('bob+x@example.org')), {
      kind: 'local',
      targets: [{ kind: 'local', accountId: bob.id, address: 'bob@example.org' }],
    });
    assert.deepEqual(await directory.route(mailbox('team@example.org')), {
      kind: 'local',
      targets: [
        { kind: 'local', accountId: alice.id, address: 'alice@example.org' },
        { kind: 'remote', address: 'carol@remote.test' },
      ],
    });
    assert.equal((await directory.route(mailbox('whoever@example.net'))).kind, 'local');
    assert.equal((await directory.route(mailbox('postmaster@example.org'))).kind, 'local');
    assert.equal((await directory.route(mailbox('Postmaster'))).kind, 'local');
  });

  test('unknown local users, dead aliases, other domains', async () => {
    assert.deepEqual(await directory.route(mailbox('nobody@example.org')), { kind: 'unknown' });
    assert.deepEqual(await directory.route(mailbox('ghost@example.org')), { kind: 'unknown' });
    assert.deepEqual(await directory.route(mailbox('carol@remote.test')), { kind: 'remote' });
    assert.deepEqual(await directory.route(mailbox('"odd person"@example.org')), { kind: 'unknown' });
    assert.deepEqual(await directory.route(mailbox('"odd person"@remote.test')), { kind: 'remote' });
    assert.deepEqual(await directory.route(mailbox('x@[192.0.2.1]')), { kind: 'remote' });
  });

  test('send-as: own address, +tag, aliases leading to the user; not others, not the catch-all', async () => {
    const user = { accountId: alice.id, address: alice.address };
    assert.equal(await directory.maySendAs(user, mailbox('alice@example.org')), true);
    assert.equal(await directory.maySendAs(user, mailbox('ALICE+news@example.org')), true);
    assert.equal(await directory.maySendAs(user, mailbox('team@example.org')), true);
    assert.equal(await directory.maySendAs(user, mailbox('sales@example.org')), false);
    assert.equal(await directory.maySendAs(user, mailbox('bob@example.org')), false);
    assert.equal(await directory.maySendAs(user, mailbox('x@example.net')), false);
    assert.equal(await directory.maySendAs(user, mailbox('alice@remote.test')), false);
  });

  test('logins: right password only; unknown user and wrong password alike', async () => {
    assert.deepEqual(await directory.authenticate('alice@example.org', 'alice-password'), {
      accountId: alice.id,
      address: 'alice@example.org',
    });
    assert.equal(await directory.authenticate('alice@example.org', 'wrong'), null);
    assert.equal(await directory.authenticate('nobody@example.org', 'alice-password'), null);
    assert.equal(await directory.authenticate('not an address', 'x'), null);
  });
});
