// The records a selected mailbox keeps (src/mailbox/record-cache.ts) always answer what the store would:
// appends, flag changes and expunges made elsewhere are seen by the next call, in any order and mix.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { SelectedMailbox } from '../../src/mailbox/selected-mailbox.ts';
import type { FlagOp, MailboxId, MessageRecord, Uid } from '../../src/storage/ports.ts';
import { messageBytes, stubParsed } from '../contract/parsed-stub.ts';
import { openTestStore, type TestStore } from '../support/imap-store.ts';

let t: TestStore;
before(async () => {
  t = await openTestStore();
});
after(() => t.close());

const FLAGS = ['\\Seen', '\\Flagged', '\\Deleted', '$Label1', 'Junk'];

function plain(r: MessageRecord) {
  return {
    uid: r.uid,
    blobId: r.blobId,
    flags: [...r.flags],
    internalDate: r.internalDate.getTime(),
    size: r.size,
    modSeq: r.modSeq,
  };
}

async function append(mailboxId: MailboxId, flagSets: number[][]): Promise<Uid[]> {
  if (flagSets.length === 0) return [];
  const messages = [];
  for (const set of flagSets) {
    const bytes = messageBytes();
    const blobId = await t.store.mail.putBlob(bytes, stubParsed(bytes));
    messages.push({ blobId, flags: set.map((k) => FLAGS[k]!), internalDate: new Date(1_700_000_000_000) });
  }
  return (await t.store.mail.append(mailboxId, messages)).map((r) => r.uid);
}

const flagSet = fc.uniqueArray(fc.integer({ min: 0, max: FLAGS.length - 1 }), { maxLength: 3 });
const pick = fc.array(fc.nat(), { minLength: 1, maxLength: 4 });
const operation = fc.oneof(
  fc.record({
    kind: fc.constant('append' as const),
    sets: fc.array(flagSet, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('flags' as const),
    pick,
    op: fc.constantFrom<FlagOp>('add', 'remove', 'set'),
    set: flagSet,
  }),
  fc.record({ kind: fc.constant('expunge' as const), pick }),
  fc.record({ kind: fc.constant('sync' as const) }),
  fc.record({ kind: fc.constant('check' as const) }),
);

test('records() equals the store after any mix of changes made elsewhere', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(flagSet, { maxLength: 12 }),
      fc.array(operation, { maxLength: 12 }),
      async (initial, ops) => {
        const mailbox = await t.store.mail.createMailbox(t.account.id, `M${++run}`);
        const existing = await append(mailbox.id, initial);
        let highest = existing.at(-1) ?? 0;
        const view = (
          await SelectedMailbox.open(
            t.store.mail,
            t.store.changes,
            (await t.store.mail.getMailboxById(mailbox.id))!,
            false,
          )
        ).selected;
        const check = async () => {
          // Every UID ever given, gone ones too, and the view's own.
          const asked = Array.from({ length: highest }, (_, i) => (i + 1) as Uid);
          const expected = await t.store.mail.getMessages(mailbox.id, asked);
          assert.deepEqual((await view.records(asked)).map(plain), expected.map(plain));
          const some = asked.filter((uid) => uid % 3 === 1);
          assert.deepEqual(
            (await view.records(some)).map(plain),
            expected.filter((r) => r.uid % 3 === 1).map(plain),
          );
        };
        try {
          for (const op of ops) {
            const chosen = () =>
              [...new Set(op.kind === 'flags' || op.kind === 'expunge' ? op.pick : [])]
                .map((k) => existing[k % Math.max(1, existing.length)])
                .filter((uid): uid is Uid => uid !== undefined);
            if (op.kind === 'append') {
              const uids = await append(mailbox.id, op.sets);
              existing.push(...uids);
              highest = uids.at(-1)!;
            } else if (op.kind === 'flags') {
              await t.store.mail.updateFlags(mailbox.id, chosen(), {
                op: op.op,
                flags: op.set.map((k) => FLAGS[k]!),
              });
            } else if (op.kind === 'expunge') {
              const gone = new Set<number>((await t.store.mail.expunge(mailbox.id, chosen())).expunged);
              existing.splice(0, existing.length, ...existing.filter((uid) => !gone.has(uid)));
            } else if (op.kind === 'sync') {
              await view.sync({ expunges: true });
            } else {
              await check();
            }
          }
          await check();
        } finally {
          view.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('records() asks the store only for what changed (one changesSince, no listing)', async () => {
  const mailbox = await t.store.mail.createMailbox(t.account.id, 'Counted');
  await append(mailbox.id, [[0], [], [1]]);
  const calls: string[] = [];
  const store = new Proxy(t.store.mail, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return value.apply(target, args);
      };
    },
  });
  const view = (await SelectedMailbox.open(store, t.store.changes, mailbox, false)).selected;
  try {
    assert.deepEqual(calls, ['listMessages']);
    calls.length = 0;
    const records = await view.records(view.uids);
    assert.deepEqual(
      records.map((r) => r.flags),
      [['\\Seen'], [], ['\\Flagged']],
    );
    assert.equal(records[0]!.internalDate.getTime(), 1_700_000_000_000);
    assert.deepEqual(calls, ['changesSince']);
  } finally {
    view.close();
  }
});
