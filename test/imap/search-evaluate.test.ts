import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSearch, searchNeeds, type SearchMessage } from '../../src/imap/server/search/evaluate.ts';
import type { SearchKey } from '../../src/imap/wire/command-types.ts';
import { parseMessage } from '../../src/message/parse.ts';
import type { BlobId, MailboxId, ModSeq, Uid } from '../../src/storage/ports.ts';

const bytes = Buffer.from(
  'From: Alice <alice@crepes.fr>\r\nSubject: =?utf-8?q?Cr=C3=AApes?=\r\nDate: Sat, 10 Jan 2026 23:30:00 -0800\r\n\r\nhi\r\n',
);
const parsed = parseMessage(bytes);
const message = (seq: number, uid: number, flags: string[] = []): SearchMessage => ({
  seq,
  record: {
    mailboxId: 1 as MailboxId,
    uid: uid as Uid,
    blobId: 1 as BlobId,
    flags,
    internalDate: new Date('2026-01-11T08:00:00Z'),
    size: bytes.length,
    modSeq: (10 + uid) as ModSeq,
  },
  parsed,
  text: { header: 'subject: Crêpes', body: 'hi' },
});
const scope = { exists: 3, maxUid: 30, saved: new Set([20]), now: new Date('2026-01-11T09:00:00Z') };
const run = (key: SearchKey) =>
  [message(1, 10), message(2, 20, ['\\Seen']), message(3, 30, ['$Work'])]
    .filter(compileSearch(key, scope))
    .map((m) => m.seq);

test('search keys as predicates', () => {
  assert.deepEqual(run({ type: 'flag', flag: '\\seen', set: true }), [2]);
  assert.deepEqual(run({ type: 'flag', flag: '$work', set: false }), [1, 2]);
  assert.deepEqual(run({ type: 'flag', flag: '\\Recent', set: false }), [1, 2, 3]);
  assert.deepEqual(run({ type: 'seq', set: { kind: 'ranges', ranges: [{ from: 2, to: '*' }] } }), [2, 3]);
  assert.deepEqual(run({ type: 'uid', set: { kind: 'saved' } }), [2]);
  assert.deepEqual(run({ type: 'header', field: 'subject', value: 'CRÊPES' }), [1, 2, 3]);
  assert.deepEqual(run({ type: 'header', field: 'cc', value: '' }), []);
  // The Date header's own calendar day counts (10 Jan in -0800), not the UTC instant (11 Jan).
  assert.deepEqual(run({ type: 'sentDate', op: 'on', date: { year: 2026, month: 1, day: 10 } }), [1, 2, 3]);
  assert.deepEqual(run({ type: 'internalDate', op: 'since', date: { year: 2026, month: 1, day: 12 } }), []);
  assert.deepEqual(run({ type: 'modSeq', modSeq: 30 as ModSeq, entry: null }), [2, 3]);
  assert.deepEqual(run({ type: 'age', op: 'younger', seconds: 7200 }), [1, 2, 3]);
  assert.deepEqual(run({ type: 'age', op: 'older', seconds: 7200 }), []);
  assert.deepEqual(
    run({
      type: 'or',
      left: { type: 'uid', set: { kind: 'ranges', ranges: [{ from: 10, to: 10 }] } },
      right: { type: 'not', key: { type: 'flag', flag: '$Work', set: false } },
    }),
    [1, 3],
  );
  assert.deepEqual(
    searchNeeds({
      type: 'and',
      keys: [
        { type: 'body', value: 'x' },
        { type: 'modSeq', modSeq: 1 as ModSeq, entry: null },
      ],
    }),
    {
      parsed: true,
      text: true,
      modSeq: true,
    },
  );
});
