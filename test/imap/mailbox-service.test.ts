import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  MailboxHasChildren,
  MailboxNotSelectable,
  MailboxOperationRefused,
} from '../../src/mailbox/errors.ts';
import { MailboxService } from '../../src/mailbox/mailbox-service.ts';
import { AlreadyExists, NotFound } from '../../src/storage/ports.ts';
import { messageBytes, stubParsed } from '../contract/parsed-stub.ts';
import { openTestStore, type TestStore } from '../support/imap-store.ts';

describe('MailboxService', () => {
  let t: TestStore;
  let service: MailboxService;
  beforeEach(async () => {
    t = await openTestStore();
    service = new MailboxService(t.store.mail, t.store.changes);
  });
  afterEach(() => t.close());

  const names = async () =>
    (await service.tree(t.account.id)).map((e) => (e.mailbox ? e.name : `(${e.name})`));

  test('the default tree, INBOX first', async () => {
    assert.deepEqual(await names(), ['INBOX', 'Archive', 'Drafts', 'Junk', 'Sent', 'Trash']);
  });

  test('create makes missing parents; duplicate is AlreadyExists; inbox is case-insensitive', async () => {
    await service.create(t.account.id, 'Work/Projects/2026');
    assert.deepEqual(
      (await names()).filter((n) => n.startsWith('Work')),
      ['Work', 'Work/Projects', 'Work/Projects/2026'],
    );
    await assert.rejects(service.create(t.account.id, 'Work'), AlreadyExists);
    await assert.rejects(service.create(t.account.id, 'inbox'), AlreadyExists);
    const child = await service.create(t.account.id, 'inbox/Sub');
    assert.equal(child.name, 'INBOX/Sub');
    assert.equal((await service.get(t.account.id, 'Inbox')).name, 'INBOX');
  });

  test('delete of a parent leaves a \\Noselect name; deleting that name fails with HasChildren', async () => {
    await service.create(t.account.id, 'a/b');
    await service.delete(t.account.id, 'a');
    const entry = (await service.tree(t.account.id)).find((e) => e.name === 'a')!;
    assert.equal(entry.mailbox, null);
    assert.equal(entry.hasChildren, true);
    await assert.rejects(service.get(t.account.id, 'a'), MailboxNotSelectable);
    await assert.rejects(service.delete(t.account.id, 'a'), MailboxHasChildren);
    await assert.rejects(service.delete(t.account.id, 'nope'), NotFound);
    await assert.rejects(service.delete(t.account.id, 'inbox'), MailboxOperationRefused);
    await service.delete(t.account.id, 'a/b');
    assert.equal((await names()).includes('(a)'), false);
    // CREATE of the bare parent name makes it real again.
  });

  test('rename moves inferiors, creates superiors, keeps UIDVALIDITY', async () => {
    const a = await service.create(t.account.id, 'a/b');
    await service.rename(t.account.id, 'a', 'x/y');
    const tree = await names();
    assert.ok(tree.includes('x') && tree.includes('x/y') && tree.includes('x/y/b'), tree.join());
    assert.equal(tree.includes('a'), false);
    assert.equal((await service.get(t.account.id, 'x/y/b')).uidValidity, a.uidValidity);
    await assert.rejects(service.rename(t.account.id, 'x', 'Sent'), AlreadyExists);
    await assert.rejects(service.rename(t.account.id, 'x', 'x/z'), MailboxOperationRefused);
    await assert.rejects(service.rename(t.account.id, 'nope', 'z'), NotFound);
  });

  test('rename of a bare parent name renames its inferiors', async () => {
    await service.create(t.account.id, 'p/q/r');
    await service.create(t.account.id, 'p/s');
    await service.delete(t.account.id, 'p');
    await service.rename(t.account.id, 'p', 'n');
    const tree = await names();
    assert.deepEqual(
      tree.filter((n) => /^\(?[pn]/.test(n)),
      ['(n)', 'n/q', 'n/q/r', 'n/s'],
    );
  });

  test('RENAME INBOX moves the messages into a new mailbox and leaves INBOX empty', async () => {
    const inbox = await service.get(t.account.id, 'INBOX');
    const bytes = messageBytes();
    const blobId = await t.store.mail.putBlob(bytes, stubParsed(bytes));
    await t.store.mail.append(inbox.id, [{ blobId, flags: ['\\Seen'], internalDate: new Date() }]);
    await service.create(t.account.id, 'INBOX/kept');
    await service.rename(t.account.id, 'INBOX', 'Old/Inbox');
    const moved = await service.get(t.account.id, 'Old/Inbox');
    assert.equal((await t.store.mail.listMessages(moved.id)).length, 1);
    assert.equal((await t.store.mail.listMessages(inbox.id)).length, 0);
    assert.ok((await service.find(t.account.id, 'INBOX/kept')) !== null);
    assert.equal((await service.get(t.account.id, 'INBOX')).uidValidity, inbox.uidValidity);
  });

  test('subscribe needs the mailbox; unsubscribe does not', async () => {
    await service.create(t.account.id, 'Lists');
    await service.subscribe(t.account.id, 'Lists', true);
    await assert.rejects(service.subscribe(t.account.id, 'nope', true), NotFound);
    await service.subscribe(t.account.id, 'nope', false);
    await service.subscribe(t.account.id, 'Sent', false);
    const subscribed = await service.subscriptions(t.account.id);
    assert.equal(subscribed.has('Lists'), true);
    assert.equal(subscribed.has('Sent'), false);
    assert.equal(subscribed.has('nope'), false);
  });
});
