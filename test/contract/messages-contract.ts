// Contract: messages in mailboxes: UIDs, MODSEQ, flags, expunge, copy, move, changes, blobs, change feed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NotFound,
  type BlobId,
  type MailboxChange,
  type MailboxId,
  type ModSeq,
  type Store,
  type Uid,
} from '../../src/storage/ports.ts';
import {
  appendMessages,
  mailbox,
  newAccount,
  putMessage,
  rejection,
  withStore,
  type StoreFactory,
} from './harness.ts';
import { messageBytes, stubParsed } from './parsed-stub.ts';

const uids = (...values: number[]) => values as Uid[];

async function highestModSeq(store: Store, id: MailboxId): Promise<number> {
  return (await store.mail.getMailboxById(id))!.highestModSeq;
}

export function messagesContract(factory: StoreFactory): void {
  const it = withStore(factory);

  test(
    'append assigns increasing UIDs in the order given and keeps date, flags, size',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      const bytes = messageBytes('hello');
      const blobId = await store.mail.putBlob(bytes, stubParsed(bytes, 'hello'));
      const date = new Date('2024-03-01T10:20:30.000Z');
      const results = await store.mail.append(inbox.id, [
        { blobId, flags: ['\\Seen', 'Work'], internalDate: date },
        { blobId: await putMessage(store), flags: [], internalDate: date },
      ]);
      assert.deepEqual(
        results.map((r) => r.uid),
        [1, 2],
      );
      assert.ok(results.every((r) => r.uidValidity === inbox.uidValidity));
      const [first] = await store.mail.getMessages(inbox.id, uids(1));
      assert.deepEqual(first, {
        mailboxId: inbox.id,
        uid: 1,
        blobId,
        flags: ['\\Seen', 'Work'],
        internalDate: date,
        size: bytes.length,
        modSeq: results[0]!.modSeq,
      });
      assert.equal((await store.mail.getMailboxById(inbox.id))?.uidNext, 3);
    }),
  );

  test(
    'UIDs are never reused: after expunge of the last, and after close and reopen',
    it(async ({ store, reopen }) => {
      const inbox = await mailbox(store, await newAccount(store));
      await appendMessages(store, inbox.id, 3);
      await store.mail.expunge(inbox.id, uids(2, 3));
      const [next] = await appendMessages(store, inbox.id, 1);
      assert.equal(next!.uid, 4);
      await store.mail.expunge(inbox.id, uids(4));
      await store.close();
      const again = await reopen();
      assert.equal((await again.mail.getMailboxById(inbox.id))?.uidNext, 5);
      const [afterReopen] = await appendMessages(again, inbox.id, 1);
      assert.equal(afterReopen!.uid, 5);
      assert.deepEqual(
        (await again.mail.listMessages(inbox.id)).map((m) => m.uid),
        [1, 5],
      );
    }),
  );

  test(
    '50 concurrent appends get 50 distinct increasing UIDs',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      const blobs = await Promise.all(
        Array.from({ length: 50 }, (_, i) => putMessage(store, `concurrent ${i}`)),
      );
      const results = await Promise.all(
        blobs.map((blobId) => store.mail.append(inbox.id, [{ blobId, flags: [], internalDate: new Date() }])),
      );
      const assigned = results.map((r) => r[0]!.uid);
      assert.equal(new Set(assigned).size, 50);
      const listed = (await store.mail.listMessages(inbox.id)).map((m) => m.uid);
      assert.equal(listed.length, 50);
      for (let i = 1; i < listed.length; i++) assert.ok(listed[i]! > listed[i - 1]!);
      assert.deepEqual(
        [...assigned].sort((a, b) => a - b),
        listed,
      );
      assert.equal((await store.mail.getMailboxById(inbox.id))?.uidNext, listed.at(-1)! + 1);
    }),
  );

  test(
    'MODSEQ rises with every append, flag change and expunge; no-op changes keep it',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      const start = await highestModSeq(store, inbox.id);
      const [appended] = await appendMessages(store, inbox.id, 2);
      assert.ok(appended!.modSeq > start);
      assert.equal(await highestModSeq(store, inbox.id), appended!.modSeq);

      const flagged = await store.mail.updateFlags(inbox.id, uids(1), { op: 'add', flags: ['\\Flagged'] });
      const afterFlags = flagged.updated[0]!.modSeq;
      assert.ok(afterFlags > appended!.modSeq);
      assert.equal(await highestModSeq(store, inbox.id), afterFlags);

      const same = await store.mail.updateFlags(inbox.id, uids(1), { op: 'add', flags: ['\\flagged'] });
      assert.equal(same.updated[0]!.modSeq, afterFlags, 'adding a present flag changes nothing');
      assert.equal(await highestModSeq(store, inbox.id), afterFlags);

      const { modSeq: expungeModSeq } = await store.mail.expunge(inbox.id, uids(2));
      assert.ok(expungeModSeq > afterFlags);
      assert.equal(await highestModSeq(store, inbox.id), expungeModSeq);

      const none = await store.mail.expunge(inbox.id, uids(2, 77));
      assert.deepEqual(none.expunged, []);
      assert.equal(await highestModSeq(store, inbox.id), expungeModSeq);
      const [later] = await appendMessages(store, inbox.id, 1);
      assert.ok(later!.modSeq > expungeModSeq);
    }),
  );

  test(
    'flags and keywords: add, remove, set, case-insensitive, canonical system flags',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      await appendMessages(store, inbox.id, 2, ['\\Seen']);
      const flagsOf = async (uid: number) => (await store.mail.getMessages(inbox.id, uids(uid)))[0]!.flags;

      await store.mail.updateFlags(inbox.id, uids(1, 2), {
        op: 'add',
        flags: ['\\answered', 'Work', '$Label1'],
      });
      assert.deepEqual(await flagsOf(1), ['\\Seen', '\\Answered', 'Work', '$Label1']);
      await store.mail.updateFlags(inbox.id, uids(1), { op: 'add', flags: ['WORK', '\\SEEN'] });
      assert.deepEqual(await flagsOf(1), ['\\Seen', '\\Answered', 'Work', '$Label1']);
      await store.mail.updateFlags(inbox.id, uids(1), { op: 'remove', flags: ['work', '\\Seen', 'Absent'] });
      assert.deepEqual(await flagsOf(1), ['\\Answered', '$Label1']);
      const set = await store.mail.updateFlags(inbox.id, uids(2), {
        op: 'set',
        flags: ['\\Draft', 'x', 'X'],
      });
      assert.deepEqual(set.updated[0]!.flags, ['\\Draft', 'x']);
      assert.deepEqual(await flagsOf(2), ['\\Draft', 'x']);
      await store.mail.updateFlags(inbox.id, uids(2), { op: 'set', flags: [] });
      assert.deepEqual(await flagsOf(2), []);
      const missing = await store.mail.updateFlags(inbox.id, uids(99), { op: 'add', flags: ['\\Seen'] });
      assert.deepEqual(missing, { updated: [], modified: [] });
    }),
  );

  test(
    'UNCHANGEDSINCE: newer rows are refused and reported, others change',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      const [a] = await appendMessages(store, inbox.id, 3);
      const base = a!.modSeq;
      const touched = await store.mail.updateFlags(inbox.id, uids(2), { op: 'add', flags: ['\\Seen'] });
      const newer = touched.updated[0]!.modSeq;
      const result = await store.mail.updateFlags(inbox.id, uids(1, 2, 3), {
        op: 'add',
        flags: ['\\Flagged'],
        unchangedSince: base as ModSeq,
      });
      assert.deepEqual(result.modified, [2]);
      assert.deepEqual(
        result.updated.map((r) => r.uid),
        [1, 3],
      );
      assert.ok(result.updated.every((r) => r.modSeq > newer && r.flags.includes('\\Flagged')));
      const two = (await store.mail.getMessages(inbox.id, uids(2)))[0]!;
      assert.deepEqual(two.flags, ['\\Seen']);
      assert.equal(two.modSeq, newer);
      const zero = await store.mail.updateFlags(inbox.id, uids(1), {
        op: 'add',
        flags: ['x'],
        unchangedSince: 0 as ModSeq,
      });
      assert.deepEqual(zero.modified, [1]);
    }),
  );

  test(
    'getMessages returns the existing ones in ascending UID order',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      await appendMessages(store, inbox.id, 5);
      await store.mail.expunge(inbox.id, uids(3));
      assert.deepEqual(
        (await store.mail.getMessages(inbox.id, uids(5, 1, 3, 42, 2))).map((m) => m.uid),
        [1, 2, 5],
      );
      assert.deepEqual(await store.mail.getMessages(inbox.id, []), []);
    }),
  );

  test(
    'expunge and changesSince: changed rows and vanished UIDs after a MODSEQ',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      await appendMessages(store, inbox.id, 4);
      const mark = (await highestModSeq(store, inbox.id)) as ModSeq;
      await store.mail.updateFlags(inbox.id, uids(1), { op: 'add', flags: ['\\Seen'] });
      const result = await store.mail.expunge(inbox.id, uids(4, 2, 9));
      assert.deepEqual(result.expunged, [2, 4]);
      await appendMessages(store, inbox.id, 1);
      const changes = await store.mail.changesSince(inbox.id, mark);
      assert.deepEqual(
        changes.changed.map((m) => m.uid),
        [1, 5],
      );
      assert.deepEqual(changes.vanished, [2, 4]);
      assert.equal(changes.highestModSeq, await highestModSeq(store, inbox.id));
      const fromStart = await store.mail.changesSince(inbox.id, 0 as ModSeq);
      assert.deepEqual(
        fromStart.changed.map((m) => m.uid),
        [1, 3, 5],
      );
      const latest = await store.mail.changesSince(inbox.id, changes.highestModSeq);
      assert.deepEqual([latest.changed, latest.vanished], [[], []]);
    }),
  );

  test(
    'copy: mapping in source order, new destination UIDs, flags and dates kept, source intact',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const inbox = await mailbox(store, alice);
      const archive = await mailbox(store, alice, 'Archive');
      await appendMessages(store, archive.id, 2);
      await appendMessages(store, inbox.id, 3, ['\\Seen', 'Work']);
      const before = await highestModSeq(store, archive.id);
      const result = await store.mail.copy(inbox.id, uids(3, 1, 8), archive.id);
      assert.equal(result.uidValidity, archive.uidValidity);
      assert.deepEqual(result.mapping, [
        { from: 1, to: 3 },
        { from: 3, to: 4 },
      ]);
      const source = await store.mail.getMessages(inbox.id, uids(1, 3));
      const copies = await store.mail.getMessages(archive.id, uids(3, 4));
      assert.equal(copies.length, 2);
      for (let i = 0; i < 2; i++) {
        assert.equal(copies[i]!.blobId, source[i]!.blobId);
        assert.deepEqual(copies[i]!.flags, ['\\Seen', 'Work']);
        assert.deepEqual(copies[i]!.internalDate, source[i]!.internalDate);
        assert.ok(copies[i]!.modSeq > before);
      }
      assert.equal((await store.mail.listMessages(inbox.id)).length, 3);
      const empty = await store.mail.copy(inbox.id, uids(77), archive.id);
      assert.deepEqual(empty.mapping, []);
      assert.ok(
        (await rejection(store.mail.copy(inbox.id, uids(1), 987_654 as MailboxId))) instanceof NotFound,
      );
    }),
  );

  test(
    'move: copies, expunges the source with a new MODSEQ, reports VANISHED',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const inbox = await mailbox(store, alice);
      const trash = await mailbox(store, alice, 'Trash');
      await appendMessages(store, inbox.id, 3);
      const mark = (await highestModSeq(store, inbox.id)) as ModSeq;
      const blobs = (await store.mail.getMessages(inbox.id, uids(1, 2))).map((m) => m.blobId);
      const result = await store.mail.move(inbox.id, uids(2, 1), trash.id);
      assert.deepEqual(result.mapping, [
        { from: 1, to: 1 },
        { from: 2, to: 2 },
      ]);
      assert.equal(result.uidValidity, trash.uidValidity);
      assert.ok(result.modSeq > mark);
      assert.equal(await highestModSeq(store, inbox.id), result.modSeq);
      assert.deepEqual(
        (await store.mail.listMessages(inbox.id)).map((m) => m.uid),
        [3],
      );
      assert.deepEqual(
        (await store.mail.listMessages(trash.id)).map((m) => m.blobId),
        blobs,
      );
      assert.deepEqual((await store.mail.changesSince(inbox.id, mark)).vanished, [1, 2]);
    }),
  );

  test(
    'append to a missing mailbox or with a missing blob is NotFound and changes nothing',
    it(async ({ store }) => {
      const inbox = await mailbox(store, await newAccount(store));
      const blobId = await putMessage(store);
      const date = new Date();
      const missingBox = store.mail.append(404_404 as MailboxId, [{ blobId, flags: [], internalDate: date }]);
      assert.ok((await rejection(missingBox)) instanceof NotFound);
      const missingBlob = store.mail.append(inbox.id, [
        { blobId, flags: [], internalDate: date },
        { blobId: 404_404 as BlobId, flags: [], internalDate: date },
      ]);
      assert.ok((await rejection(missingBlob)) instanceof NotFound);
      assert.deepEqual(await store.mail.listMessages(inbox.id), []);
      assert.equal((await store.mail.getMailboxById(inbox.id))?.uidNext, 1);
    }),
  );

  test(
    'blobs: bytes and parse round-trip, one blob serves many mailboxes and the queue',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const boxes = [
        await mailbox(store, alice),
        await mailbox(store, alice, 'Archive'),
        await mailbox(store, alice, 'Sent'),
      ];
      const bytes = messageBytes('shared body');
      const parsed = stubParsed(bytes, 'shared body');
      const blobId = await store.mail.putBlob(bytes, parsed);
      assert.deepEqual(await store.mail.getBlobBytes(blobId), bytes);
      assert.deepEqual(await store.mail.getBlob(blobId), { id: blobId, size: bytes.length, parsed });
      for (const box of boxes)
        await store.mail.append(box.id, [{ blobId, flags: [], internalDate: new Date() }]);
      for (const box of boxes) assert.equal((await store.mail.listMessages(box.id))[0]!.blobId, blobId);

      const entry = await store.queue.enqueue({
        blobId,
        sender: 'alice@crepes.fr',
        recipients: [{ address: 'bob@hamburger.edu', orcpt: null, notify: [] }],
        size: bytes.length,
        envId: null,
        ret: null,
        smtputf8: false,
        eightBit: false,
        nextAttemptAt: new Date(),
      });
      await store.mail.expunge(boxes[0]!.id, uids(1));
      await store.mail.deleteMailbox(alice.id, 'Archive');
      assert.deepEqual(
        await store.mail.getBlobBytes(blobId),
        bytes,
        'still referenced by Sent and the queue',
      );
      await store.mail.expunge(boxes[2]!.id, uids(1));
      assert.deepEqual(await store.mail.getBlobBytes(blobId), bytes, 'still referenced by the queue');
      assert.equal((await store.queue.get(entry.id))?.blobId, blobId);

      const other = await putMessage(store, 'other');
      const many = await store.mail.getBlobs([blobId, other, 404_404 as BlobId, blobId]);
      assert.deepEqual([...many.keys()].sort(), [blobId, other].sort());
      assert.equal(many.get(blobId)?.parsed.envelope.subject, 'shared body');
      assert.ok((await rejection(store.mail.getBlob(404_404 as BlobId))) instanceof NotFound);
      assert.ok((await rejection(store.mail.getBlobBytes(404_404 as BlobId))) instanceof NotFound);
    }),
  );

  test(
    'the change feed reports added, flags and expunged after commit',
    it(async ({ store }) => {
      const alice = await newAccount(store);
      const inbox = await mailbox(store, alice);
      const archive = await mailbox(store, alice, 'Archive');
      const seen: MailboxChange[] = [];
      store.changes.subscribe((change) => {
        seen.push(change);
      });
      const [appended] = await appendMessages(store, inbox.id, 2);
      const flags = await store.mail.updateFlags(inbox.id, uids(1, 2), { op: 'add', flags: ['\\Seen'] });
      await store.mail.updateFlags(inbox.id, uids(1), { op: 'add', flags: ['\\Seen'] }); // no change, no event
      const expunged = await store.mail.expunge(inbox.id, uids(1));
      const moved = await store.mail.move(inbox.id, uids(2), archive.id);
      const archiveModSeq = (await store.mail.getMessages(archive.id, uids(1)))[0]!.modSeq;
      assert.deepEqual(seen, [
        { kind: 'added', mailboxId: inbox.id, uids: [1, 2], modSeq: appended!.modSeq },
        { kind: 'flags', mailboxId: inbox.id, uids: [1, 2], modSeq: flags.updated[0]!.modSeq },
        { kind: 'expunged', mailboxId: inbox.id, uids: [1], modSeq: expunged.modSeq },
        { kind: 'added', mailboxId: archive.id, uids: [1], modSeq: archiveModSeq },
        { kind: 'expunged', mailboxId: inbox.id, uids: [2], modSeq: moved.modSeq },
      ]);
    }),
  );
}
