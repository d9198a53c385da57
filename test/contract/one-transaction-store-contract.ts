// Contract: bodies stored in the same transaction as the message that refers to them (append with bytes,
// and deliver for local delivery): content addressing across both ways of storing, atomicity on failure,
// the mailbox lookup and re-creation of deliver, and the change events.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NotFound,
  type AccountId,
  type BlobId,
  type MailboxChange,
  type MailboxId,
  type Store,
} from '../../src/storage/ports.ts';
import { mailbox, newAccount, rejection, withStore, type StoreFactory } from './harness.ts';
import { messageBytes, stubParsed } from './parsed-stub.ts';

function content(text: string) {
  const bytes = messageBytes(text);
  return { bytes, parsed: stubParsed(bytes, text) };
}

/**
 * The ids of stored blobs whose parse has this subject. Blob ids are small in a fresh store; the range is
 * wide enough for any id a test here can have taken (also ids a rolled-back sequence skipped).
 */
async function blobsWithSubject(store: Store, subject: string): Promise<BlobId[]> {
  const ids = Array.from({ length: 1000 }, (_, i) => (i + 1) as BlobId);
  const found = await store.mail.getBlobs(ids);
  return [...found.values()]
    .filter((blob) => blob.parsed.envelope.subject === subject)
    .map((blob) => blob.id);
}

export function oneTransactionStoreContract(factory: StoreFactory): void {
  const it = withStore(factory);

  test(
    'append with bytes stores each content once, shared with putBlob, and keeps size and parse',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      const seen: MailboxChange[] = [];
      store.changes.subscribe((change) => {
        seen.push(change);
      });
      const a = content('body A');
      const b = content('body B');
      const date = new Date('2024-05-01T08:00:00.000Z');
      const results = await store.mail.append(inbox.id, [
        { ...a, flags: ['\\Seen'], internalDate: date },
        { bytes: Buffer.from(a.bytes), parsed: a.parsed, flags: [], internalDate: date },
        { ...b, flags: [], internalDate: date },
      ]);
      assert.deepEqual(
        results.map((r) => r.uid),
        [1, 2, 3],
      );
      const listed = await store.mail.listMessages(inbox.id);
      const [first, second, third] = listed;
      assert.equal(first!.blobId, second!.blobId, 'identical bytes are one blob');
      assert.notEqual(first!.blobId, third!.blobId);
      assert.deepEqual(
        listed.map((m) => m.size),
        [a.bytes.length, a.bytes.length, b.bytes.length],
      );
      assert.deepEqual(first!.flags, ['\\Seen']);
      assert.deepEqual(await store.mail.getBlobBytes(first!.blobId), a.bytes);
      assert.deepEqual(await store.mail.getBlob(third!.blobId), {
        id: third!.blobId,
        size: b.bytes.length,
        parsed: b.parsed,
      });
      assert.deepEqual(await blobsWithSubject(store, 'body A'), [first!.blobId]);
      assert.equal(
        await store.mail.putBlob(a.bytes, a.parsed),
        first!.blobId,
        'putBlob finds the same content',
      );
      assert.deepEqual(seen, [
        { kind: 'added', mailboxId: inbox.id, uids: [1, 2, 3], modSeq: results[0]!.modSeq },
      ]);
    }),
  );

  test(
    'a failing append with bytes leaves no message, no counter change, no event and no blob of its content',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      const before = (await store.mail.getMailboxById(inbox.id))!;
      const seen: MailboxChange[] = [];
      store.changes.subscribe((change) => {
        seen.push(change);
      });
      const doomed = content('doomed body');
      const failed = store.mail.append(inbox.id, [
        { ...doomed, flags: [], internalDate: new Date() },
        { blobId: 404_404 as BlobId, flags: [], internalDate: new Date() },
      ]);
      assert.ok((await rejection(failed)) instanceof NotFound);
      assert.deepEqual(await store.mail.listMessages(inbox.id), []);
      assert.deepEqual(await store.mail.getMailboxById(inbox.id), before);
      assert.deepEqual(seen, []);
      assert.deepEqual(
        await blobsWithSubject(store, 'doomed body'),
        [],
        'the body was rolled back with the row',
      );

      const [retried] = await store.mail.append(inbox.id, [
        { ...doomed, flags: [], internalDate: new Date() },
      ]);
      assert.equal(retried!.uid, 1);
    }),
  );

  test(
    'deliver appends to the named mailbox in one call and re-creates a removed one',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const inbox = (await store.mail.getMailbox(alice.id, 'INBOX'))!;
      const seen: MailboxChange[] = [];
      store.changes.subscribe((change) => {
        seen.push(change);
      });
      const a = content('delivered A');
      const date = new Date('2024-06-01T12:00:00.000Z');
      const delivered = await store.mail.deliver(
        { accountId: alice.id, mailbox: 'INBOX', specialUse: null },
        { ...a, flags: [], internalDate: date },
      );
      assert.deepEqual(delivered, {
        uid: 1,
        modSeq: delivered.modSeq,
        uidValidity: inbox.uidValidity,
        mailboxId: inbox.id,
      });
      const [record] = await store.mail.listMessages(inbox.id);
      assert.deepEqual(record, {
        mailboxId: inbox.id,
        uid: 1,
        blobId: record!.blobId,
        flags: [],
        internalDate: date,
        size: a.bytes.length,
        modSeq: delivered.modSeq,
      });
      assert.deepEqual(await store.mail.getBlobBytes(record!.blobId), a.bytes);
      assert.equal((await store.mail.getMailboxById(inbox.id))!.highestModSeq, delivered.modSeq);

      await store.mail.deleteMailbox(alice.id, 'Junk');
      seen.length = 0;
      const junk = await store.mail.deliver(
        { accountId: alice.id, mailbox: 'Junk', specialUse: '\\Junk' },
        { ...content('spam'), flags: [], internalDate: date },
      );
      const recreated = (await store.mail.getMailbox(alice.id, 'Junk'))!;
      assert.equal(recreated.id, junk.mailboxId);
      assert.equal(recreated.specialUse, '\\Junk');
      assert.equal(junk.uid, 1);
      assert.equal(junk.uidValidity, recreated.uidValidity);
      assert.deepEqual(seen, [
        { kind: 'mailboxes', accountId: alice.id },
        { kind: 'added', mailboxId: junk.mailboxId, uids: [1], modSeq: junk.modSeq },
      ]);

      // A stored blob can be delivered too; the name is looked up as IMAP spells it ("inbox" is INBOX).
      const again = await store.mail.deliver(
        { accountId: alice.id, mailbox: 'inbox', specialUse: null },
        { blobId: record!.blobId, flags: ['\\Flagged'], internalDate: date },
      );
      assert.deepEqual([again.mailboxId, again.uid], [inbox.id, 2]);
    }),
  );

  test(
    'deliver to a missing account is NotFound and creates nothing',
    it(async ({ store }) => {
      const missing = 404_404 as AccountId;
      const failed = store.mail.deliver(
        { accountId: missing, mailbox: 'INBOX', specialUse: null },
        { ...content('nobody'), flags: [], internalDate: new Date() },
      );
      assert.ok((await rejection(failed)) instanceof NotFound);
      assert.deepEqual(await store.mail.listMailboxes(missing), []);
      assert.deepEqual(await blobsWithSubject(store, 'nobody'), []);
    }),
  );

  test(
    'concurrent deliveries of identical content to several accounts store it once',
    it(async ({ store }) => {
      const accounts = [];
      for (let i = 0; i < 6; i++) accounts.push(await newAccount(store, `user${i}@crepes.fr`));
      const same = content('one body for all');
      const results = await Promise.all(
        accounts.flatMap((account) =>
          [0, 1].map(() =>
            store.mail.deliver(
              { accountId: account.id, mailbox: 'INBOX', specialUse: null },
              { bytes: Buffer.from(same.bytes), parsed: same.parsed, flags: [], internalDate: new Date() },
            ),
          ),
        ),
      );
      const blobIds = new Set<BlobId>();
      for (const account of accounts) {
        const inbox = (await store.mail.getMailbox(account.id, 'INBOX'))!;
        const records = await store.mail.listMessages(inbox.id);
        assert.deepEqual(
          records.map((r) => r.uid),
          [1, 2],
        );
        for (const record of records) blobIds.add(record.blobId);
      }
      assert.equal(blobIds.size, 1);
      assert.deepEqual(await blobsWithSubject(store, 'one body for all'), [...blobIds]);
      assert.equal(new Set(results.map((r) => `${r.mailboxId}/${r.uid}`)).size, 12);
      assert.ok(results.every((r) => (r.mailboxId as MailboxId) > 0));
    }),
  );
}
