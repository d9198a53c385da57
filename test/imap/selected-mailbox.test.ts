import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SelectedMailbox } from '../../src/mailbox/selected-mailbox.ts';
import type { Mailbox, Uid } from '../../src/storage/ports.ts';
import { messageBytes, stubParsed } from '../contract/parsed-stub.ts';
import { openTestStore, type TestStore } from '../support/imap-store.ts';

describe('SelectedMailbox', () => {
  let t: TestStore;
  let inbox: Mailbox;
  beforeEach(async () => {
    t = await openTestStore();
    inbox = (await t.store.mail.getMailbox(t.account.id, 'INBOX'))!;
  });
  afterEach(() => t.close());

  async function append(n: number, flags: string[] = []): Promise<Uid[]> {
    const uids: Uid[] = [];
    for (let i = 0; i < n; i++) {
      const bytes = messageBytes();
      const blobId = await t.store.mail.putBlob(bytes, stubParsed(bytes));
      const [r] = await t.store.mail.append(inbox.id, [{ blobId, flags, internalDate: new Date() }]);
      uids.push(r!.uid);
    }
    return uids;
  }
  const open = async () => (await SelectedMailbox.open(t.store.mail, t.store.changes, inbox, false)).selected;

  test('sequence numbers and UID lookup by binary search', async () => {
    const uids = await append(5);
    await t.store.mail.expunge(inbox.id, [uids[1]!]);
    const view = await open();
    assert.equal(view.exists, 4);
    assert.equal(view.uidAt(2), uids[2]);
    assert.equal(view.seqOf(uids[4]!), 4);
    assert.equal(view.seqOf(uids[1]!), null);
    assert.equal(view.seqOf(9999), null);
    view.close();
  });

  test('appends from elsewhere wait for sync and then raise EXISTS', async () => {
    await append(2);
    const view = await open();
    let woken = 0;
    view.onPending(() => woken++);
    await append(3);
    assert.equal(view.exists, 2, 'the snapshot does not change between syncs');
    assert.ok(woken >= 1);
    const update = await view.sync({ expunges: true });
    assert.equal(update.exists, 5);
    assert.equal(view.exists, 5);
    view.close();
  });

  test('expunges are held back while not allowed, then announced with shifted sequence numbers', async () => {
    const uids = await append(6);
    const view = await open();
    await t.store.mail.expunge(inbox.id, [uids[1]!, uids[2]!, uids[4]!]);
    const [added] = await append(1);
    const held = await view.sync({ expunges: false });
    assert.deepEqual(held.expunged, []);
    assert.equal(held.exists, 7);
    assert.equal(view.exists, 7);
    const update = await view.sync({ expunges: true });
    // Seqs 2,3,5 of 7: announced as 2, 2, 3 (each EXPUNGE shifts the ones after it).
    assert.deepEqual(
      update.expunged.map((e) => e.seq),
      [2, 2, 3],
    );
    assert.equal(view.exists, 4);
    assert.equal(view.seqOf(added!), 4);
  });

  test('a message added and expunged before a sync is never announced', async () => {
    await append(1);
    const view = await open();
    const [uid] = await append(1);
    await t.store.mail.expunge(inbox.id, [uid!]);
    const update = await view.sync({ expunges: true });
    assert.equal(update.exists, null);
    assert.deepEqual(update.expunged, []);
  });

  test('flag changes by others are reported once; own reported changes are not repeated', async () => {
    const uids = await append(3);
    const view = await open();
    await t.store.mail.updateFlags(inbox.id, [uids[0]!], { op: 'add', flags: ['\\Seen', '$Work'] });
    const own = await t.store.mail.updateFlags(inbox.id, [uids[2]!], { op: 'add', flags: ['\\Flagged'] });
    view.noteReported(own.updated);
    const update = await view.sync({ expunges: true });
    assert.deepEqual(
      update.flags.map((f) => [f.seq, f.record.flags]),
      [[1, ['\\Seen', '$Work']]],
    );
    assert.equal(view.takeKeywordsChanged(), true);
    assert.equal(view.takeKeywordsChanged(), false);
    assert.deepEqual((await view.sync({ expunges: true })).flags, []);
  });

  test('local changes apply at once and the later feed event is ignored', async () => {
    const uids = await append(3);
    const view = await open();
    view.applyLocal({ kind: 'expunged', mailboxId: inbox.id, uids: [uids[0]!], modSeq: inbox.highestModSeq });
    const update = await view.sync({ expunges: true });
    assert.deepEqual(update.expunged, [{ seq: 1, uid: uids[0] }]);
    await t.store.mail.expunge(inbox.id, [uids[0]!]);
    assert.equal(view.hasPending, false);
  });

  test('deletion of the mailbox is noticed', async () => {
    const box = await t.store.mail.createMailbox(t.account.id, 'Tmp');
    const { selected } = await SelectedMailbox.open(t.store.mail, t.store.changes, box, true);
    await t.store.mail.deleteMailbox(t.account.id, 'Tmp');
    const update = await selected.sync({ expunges: true });
    assert.equal(update.gone, true);
  });

  test('100,000 messages: open and look-ups are fast', async () => {
    const bytes = messageBytes('bulk');
    const blobId = await t.store.mail.putBlob(bytes, stubParsed(bytes));
    const batch = Array.from({ length: 100_000 }, () => ({
      blobId,
      flags: ['\\Seen'],
      internalDate: new Date(),
    }));
    await t.store.mail.append(inbox.id, batch);
    const started = performance.now();
    const view = await open();
    const opened = performance.now() - started;
    assert.equal(view.exists, 100_000);
    let sum = 0;
    for (let i = 1; i <= 100_000; i++) sum += view.seqOf(view.uidAt(i))!;
    assert.equal(sum, (100_000 * 100_001) / 2);
    assert.ok(opened < 3000, `open took ${opened} ms`);
    view.close();
  });
});
