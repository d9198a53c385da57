// Contract: mailboxes (UIDVALIDITY, rename, delete, counts) and subscriptions.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlreadyExists, NotFound, type AccountId, type MailboxChange } from '../../src/storage/ports.ts';
import {
  appendMessages,
  mailbox,
  newAccount,
  putMessage,
  rejection,
  withStore,
  type StoreFactory,
} from './harness.ts';

export function mailboxesContract(factory: StoreFactory): void {
  const it = withStore(factory);

  test(
    'create, get by name and id, duplicate refused, unknown account refused',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const work = await store.mail.createMailbox(alice.id, 'Work', null);
      assert.equal(work.name, 'Work');
      assert.equal(work.accountId, alice.id);
      assert.equal(work.uidNext, 1);
      assert.ok(work.uidValidity > 0 && work.uidValidity <= 0xffffffff);
      assert.equal((await store.mail.getMailbox(alice.id, 'Work'))?.id, work.id);
      assert.equal((await store.mail.getMailboxById(work.id))?.name, 'Work');
      assert.equal(
        await store.mail.getMailbox(alice.id, 'work'),
        null,
        'names other than INBOX are case-sensitive',
      );
      assert.ok((await rejection(store.mail.createMailbox(alice.id, 'Work'))) instanceof AlreadyExists);
      assert.ok((await rejection(store.mail.createMailbox(999_999 as AccountId, 'X'))) instanceof NotFound);
      const flagged = await store.mail.createMailbox(alice.id, 'Starred', '\\Flagged');
      assert.equal(flagged.specialUse, '\\Flagged');
    }),
  );

  test(
    'INBOX is case-insensitive and always spelled INBOX',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const inbox = await store.mail.getMailbox(alice.id, 'inbox');
      assert.equal(inbox?.name, 'INBOX');
      assert.ok((await rejection(store.mail.createMailbox(alice.id, 'Inbox'))) instanceof AlreadyExists);
      const child = await store.mail.createMailbox(alice.id, 'inbox/Lists');
      assert.equal(child.name, 'INBOX/Lists');
      assert.equal((await store.mail.getMailbox(alice.id, 'INBOX/Lists'))?.id, child.id);
    }),
  );

  test(
    'UIDVALIDITY differs between mailboxes, survives reopen, and changes for a re-created name',
    it(async ({ store, reopen }) => {
      const alice = await newAccount(store);
      const all = await store.mail.listMailboxes(alice.id);
      assert.equal(new Set(all.map((m) => m.uidValidity)).size, all.length);
      const first = await store.mail.createMailbox(alice.id, 'Projects');
      await store.close();
      const again = await reopen();
      const reopened = await again.mail.getMailbox(alice.id, 'Projects');
      assert.equal(reopened?.uidValidity, first.uidValidity);
      await again.mail.deleteMailbox(alice.id, 'Projects');
      const recreated = await again.mail.createMailbox(alice.id, 'Projects');
      assert.notEqual(recreated.uidValidity, first.uidValidity);
      assert.notEqual(recreated.id, first.id);
      const every = await again.mail.listMailboxes(alice.id);
      assert.equal(new Set(every.map((m) => m.uidValidity)).size, every.length);
    }),
  );

  test(
    'rename moves children, keeps UIDVALIDITY, messages and UID counters',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const parent = await store.mail.createMailbox(alice.id, 'Projects');
      const child = await store.mail.createMailbox(alice.id, 'Projects/Posthorn');
      const grandchild = await store.mail.createMailbox(alice.id, 'Projects/Posthorn/Old');
      const lookalike = await store.mail.createMailbox(alice.id, 'ProjectsX');
      await appendMessages(store, child.id, 3);
      await store.mail.renameMailbox(alice.id, 'Projects', 'Archive/2024');
      assert.equal(await store.mail.getMailbox(alice.id, 'Projects'), null);
      const renamed = await store.mail.getMailbox(alice.id, 'Archive/2024');
      const renamedChild = await store.mail.getMailbox(alice.id, 'Archive/2024/Posthorn');
      const renamedGrandchild = await store.mail.getMailbox(alice.id, 'Archive/2024/Posthorn/Old');
      assert.equal(renamed?.id, parent.id);
      assert.equal(renamed.uidValidity, parent.uidValidity);
      assert.equal(renamedChild?.id, child.id);
      assert.equal(renamedChild.uidValidity, child.uidValidity);
      assert.equal(renamedChild.uidNext, 4);
      assert.equal(renamedGrandchild?.id, grandchild.id);
      assert.equal((await store.mail.listMessages(child.id)).length, 3);
      assert.equal((await store.mail.getMailbox(alice.id, 'ProjectsX'))?.id, lookalike.id, 'not a child');
    }),
  );

  test(
    'rename into its own subtree, onto an existing name, or from a missing name',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const a = await store.mail.createMailbox(alice.id, 'a');
      const ab = await store.mail.createMailbox(alice.id, 'a/b');
      await store.mail.renameMailbox(alice.id, 'a', 'a/x');
      assert.equal((await store.mail.getMailbox(alice.id, 'a/x'))?.id, a.id);
      assert.equal((await store.mail.getMailbox(alice.id, 'a/x/b'))?.id, ab.id);
      await store.mail.createMailbox(alice.id, 'c');
      assert.ok((await rejection(store.mail.renameMailbox(alice.id, 'c', 'Sent'))) instanceof AlreadyExists);
      assert.ok((await rejection(store.mail.renameMailbox(alice.id, 'nope', 'other'))) instanceof NotFound);
      assert.ok(await store.mail.getMailbox(alice.id, 'c'), 'a failed rename changes nothing');
    }),
  );

  test(
    'delete removes the mailbox and its messages, not its children',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const parent = await store.mail.createMailbox(alice.id, 'Lists');
      await store.mail.createMailbox(alice.id, 'Lists/node');
      await appendMessages(store, parent.id, 2);
      await store.mail.deleteMailbox(alice.id, 'Lists');
      assert.equal(await store.mail.getMailbox(alice.id, 'Lists'), null);
      assert.equal(await store.mail.getMailboxById(parent.id), null);
      assert.ok(await store.mail.getMailbox(alice.id, 'Lists/node'));
      assert.ok((await rejection(store.mail.listMessages(parent.id))) instanceof NotFound);
      assert.ok((await rejection(store.mail.deleteMailbox(alice.id, 'Lists'))) instanceof NotFound);
    }),
  );

  test(
    'mailboxes of one account are invisible to another',
    it(async ({ store }) => {
      const alice = await newAccount(store, 'alice@crepes.fr');
      const bob = await newAccount(store, 'bob@hamburger.edu');
      await store.mail.createMailbox(alice.id, 'Secret');
      assert.equal(await store.mail.getMailbox(bob.id, 'Secret'), null);
      assert.ok((await rejection(store.mail.deleteMailbox(bob.id, 'Secret'))) instanceof NotFound);
      assert.ok((await rejection(store.mail.renameMailbox(bob.id, 'Secret', 'Mine'))) instanceof NotFound);
    }),
  );

  test(
    'subscriptions are names: nonexistent ones allowed, kept when the mailbox goes',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      await store.mail.setSubscribed(alice.id, 'Trash', false);
      await store.mail.setSubscribed(alice.id, 'Does/Not/Exist', true);
      await store.mail.setSubscribed(alice.id, 'Does/Not/Exist', true);
      await store.mail.createMailbox(alice.id, 'Temp');
      await store.mail.setSubscribed(alice.id, 'Temp', true);
      await store.mail.deleteMailbox(alice.id, 'Temp');
      const subscribed = await store.mail.listSubscriptions(alice.id);
      assert.ok(subscribed.includes('Does/Not/Exist'));
      assert.ok(subscribed.includes('Temp'));
      assert.ok(!subscribed.includes('Trash'));
      assert.equal(subscribed.filter((name) => name === 'Does/Not/Exist').length, 1);
      await store.mail.setSubscribed(alice.id, 'Does/Not/Exist', false);
      assert.ok(!(await store.mail.listSubscriptions(alice.id)).includes('Does/Not/Exist'));
    }),
  );

  test(
    'counts: messages, unseen, deleted, size',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const inbox = await mailbox(store, alice);
      assert.deepEqual(await store.mail.counts(inbox.id), { messages: 0, unseen: 0, deleted: 0, size: 0 });
      const blobs = [
        await putMessage(store, 'one'),
        await putMessage(store, 'two'),
        await putMessage(store, 'three'),
      ];
      const sizes = await Promise.all(blobs.map(async (id) => (await store.mail.getBlob(id)).size));
      const date = new Date();
      await store.mail.append(inbox.id, [
        { blobId: blobs[0]!, flags: ['\\Seen'], internalDate: date },
        { blobId: blobs[1]!, flags: ['\\Deleted', '\\Seen'], internalDate: date },
        { blobId: blobs[2]!, flags: ['$Junk'], internalDate: date },
      ]);
      const total = sizes.reduce((a, b) => a + b, 0);
      assert.deepEqual(await store.mail.counts(inbox.id), {
        messages: 3,
        unseen: 1,
        deleted: 1,
        size: total,
      });
    }),
  );

  test(
    'create, rename and delete publish a mailboxes change for the account',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const seen: MailboxChange[] = [];
      const unsubscribe = store.changes.subscribe((change) => seen.push(change));
      await store.mail.createMailbox(alice.id, 'A');
      await store.mail.renameMailbox(alice.id, 'A', 'B');
      await store.mail.deleteMailbox(alice.id, 'B');
      unsubscribe();
      await store.mail.createMailbox(alice.id, 'C');
      assert.deepEqual(seen, [
        { kind: 'mailboxes', accountId: alice.id },
        { kind: 'mailboxes', accountId: alice.id },
        { kind: 'mailboxes', accountId: alice.id },
      ]);
    }),
  );
}
