// Contract: the outgoing queue: FCFS order, leases, attempts, per-recipient results, persistence.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFound, type NewQueueEntry, type QueueEntry, type Store } from '../../src/storage/ports.ts';
import { putMessage, rejection, withStore, type StoreFactory } from './harness.ts';

const MINUTE = 60_000;

async function newEntry(store: Store, overrides: Partial<NewQueueEntry> = {}): Promise<NewQueueEntry> {
  const blobId = overrides.blobId ?? (await putMessage(store));
  return {
    blobId,
    sender: 'alice@crepes.fr',
    recipients: [{ address: 'bob@hamburger.edu', orcpt: null, notify: [] }],
    size: (await store.mail.getBlob(blobId)).size,
    envId: null,
    ret: null,
    smtputf8: false,
    eightBit: false,
    nextAttemptAt: new Date(Date.now() - MINUTE),
    ...overrides,
  };
}

const ids = (entries: QueueEntry[]) => entries.map((e) => e.id);

export function queueContract(factory: StoreFactory): void {
  const it = withStore(factory);

  test(
    'enqueue persists every field and get finds it by id',
    it(async ({ store }) => {
      const next = new Date(Date.now() + 5 * MINUTE);
      const entry = await store.queue.enqueue(
        await newEntry(store, {
          sender: '',
          recipients: [
            {
              address: 'bob@hamburger.edu',
              orcpt: 'rfc822;Bob@hamburger.edu',
              notify: ['SUCCESS', 'FAILURE'],
            },
            { address: 'carol@example.org', orcpt: null, notify: ['NEVER'] },
            { address: 'dave@example.org', orcpt: null, notify: [] },
          ],
          envId: 'env-42',
          ret: 'HDRS',
          smtputf8: true,
          eightBit: true,
          nextAttemptAt: next,
        }),
      );
      assert.match(entry.id, /^[A-Za-z0-9]{6,32}$/);
      assert.equal(entry.sender, '');
      assert.equal(entry.envId, 'env-42');
      assert.equal(entry.ret, 'HDRS');
      assert.equal(entry.smtputf8, true);
      assert.equal(entry.eightBit, true);
      assert.deepEqual(entry.nextAttemptAt, next);
      assert.equal(entry.attempts, 0);
      assert.equal(entry.held, false);
      assert.equal(entry.delayWarned, false);
      assert.equal(entry.leaseOwner, null);
      assert.equal(entry.leaseUntil, null);
      assert.equal(entry.lastError, null);
      assert.ok(entry.createdAt instanceof Date);
      assert.deepEqual(
        entry.recipients.map((r) => [
          r.address,
          r.orcpt,
          r.notify,
          r.state,
          r.attempts,
          r.lastError,
          r.finalReply,
        ]),
        [
          ['bob@hamburger.edu', 'rfc822;Bob@hamburger.edu', ['SUCCESS', 'FAILURE'], 'pending', 0, null, null],
          ['carol@example.org', null, ['NEVER'], 'pending', 0, null, null],
          ['dave@example.org', null, [], 'pending', 0, null, null],
        ],
      );
      assert.deepEqual(await store.queue.get(entry.id), entry);
      assert.equal(await store.queue.get('NOSUCHID0000'), null);
    }),
  );

  test(
    'a recipient given twice is queued once',
    it(async ({ store }) => {
      const entry = await store.queue.enqueue(
        await newEntry(store, {
          recipients: [
            { address: 'bob@hamburger.edu', orcpt: null, notify: [] },
            { address: 'bob@hamburger.edu', orcpt: null, notify: [] },
          ],
        }),
      );
      assert.equal(entry.recipients.length, 1);
    }),
  );

  test(
    'list is in arrival order (FCFS), held entries included, ids unique',
    it(async ({ store }) => {
      const entries: QueueEntry[] = [];
      for (let i = 0; i < 12; i++) {
        entries.push(
          await store.queue.enqueue(
            await newEntry(store, { nextAttemptAt: new Date(Date.now() - i * MINUTE) }),
          ),
        );
      }
      await store.queue.setHeld(entries[3]!.id, true);
      const listed = await store.queue.list();
      assert.deepEqual(ids(listed), ids(entries));
      assert.equal(new Set(ids(listed)).size, 12);
      assert.equal(listed[3]!.held, true);
    }),
  );

  test(
    'claimDue: only due, not held, not leased; oldest first; limit; attempts counted; lease set',
    it(async ({ store }) => {
      const now = new Date();
      const due1 = await store.queue.enqueue(
        await newEntry(store, { nextAttemptAt: new Date(now.getTime() - MINUTE) }),
      );
      const future = await store.queue.enqueue(
        await newEntry(store, { nextAttemptAt: new Date(now.getTime() + MINUTE) }),
      );
      const held = await store.queue.enqueue(await newEntry(store));
      await store.queue.setHeld(held.id, true);
      const dueNow = await store.queue.enqueue(await newEntry(store, { nextAttemptAt: now }));
      const due3 = await store.queue.enqueue(await newEntry(store));
      const leaseUntil = new Date(now.getTime() + 5 * MINUTE);

      const first = await store.queue.claimDue(now, 2, 'worker-a', leaseUntil);
      assert.deepEqual(ids(first), [due1.id, dueNow.id]);
      for (const entry of first) {
        assert.equal(entry.attempts, 1);
        assert.equal(entry.leaseOwner, 'worker-a');
        assert.deepEqual(entry.leaseUntil, leaseUntil);
      }
      assert.equal((await store.queue.get(due1.id))?.leaseOwner, 'worker-a');
      const second = await store.queue.claimDue(now, 10, 'worker-b', leaseUntil);
      assert.deepEqual(ids(second), [due3.id]);
      assert.deepEqual(await store.queue.claimDue(now, 10, 'worker-c', leaseUntil), []);
      assert.deepEqual(await store.queue.claimDue(now, 0, 'worker-c', leaseUntil), []);

      // Once the lease has run out (a crashed worker), the entry is due again and counts another attempt.
      const later = new Date(leaseUntil.getTime() + 1);
      const retaken = await store.queue.claimDue(later, 10, 'worker-d', new Date(later.getTime() + MINUTE));
      assert.deepEqual(ids(retaken), [due1.id, future.id, dueNow.id, due3.id]);
      assert.equal(retaken[0]!.attempts, 2);
      assert.equal(retaken[1]!.attempts, 1);
      assert.equal(retaken[0]!.leaseOwner, 'worker-d');
    }),
  );

  test(
    'claimDue with skipDomains leaves entries whose pending recipients are all at those domains alone',
    it(async ({ store }) => {
      const now = new Date();
      const lease = new Date(now.getTime() + MINUTE);
      const to = (...addresses: string[]) =>
        newEntry(store, { recipients: addresses.map((address) => ({ address, orcpt: null, notify: [] })) });
      const busy = await store.queue.enqueue(await to('bob@Busy.example', 'carol@busy.example'));
      const mixed = await store.queue.enqueue(await to('dave@busy.example', 'erin@other.example'));
      const quoted = await store.queue.enqueue(await to('"frank@other.example"@busy.example'));
      const other = await store.queue.enqueue(await to('gina@other.example'));
      const partly = await store.queue.enqueue(await to('hank@other.example', 'ivy@busy.example'));
      const finished = await store.queue.enqueue(await to('jan@busy.example'));
      await store.queue.claimDue(now, 10, 'w', lease);
      // partly: only busy.example is still pending (the delivered recipient elsewhere does not count);
      // finished: nothing pending, never skipped, so a finished entry left behind is cleaned up.
      await store.queue.recordAttempt(
        partly.id,
        [
          { address: 'hank@other.example', state: 'delivered', finalReply: '250 ok' },
          { address: 'ivy@busy.example', state: 'pending', error: '451 later' },
        ],
        { nextAttemptAt: now, lastError: '451 later' },
      );
      await store.queue.recordAttempt(
        finished.id,
        [{ address: 'jan@busy.example', state: 'delivered', finalReply: '250 ok' }],
        { nextAttemptAt: now, lastError: null },
      );
      for (const e of [busy, mixed, quoted, other]) {
        await store.queue.recordAttempt(e.id, [], { nextAttemptAt: now, lastError: null });
      }

      const claimed = await store.queue.claimDue(now, 10, 'w2', lease, { skipDomains: ['busy.example'] });
      assert.deepEqual(ids(claimed), [mixed.id, other.id, finished.id]);
      for (const e of [busy, quoted, partly]) {
        const left = (await store.queue.get(e.id))!;
        assert.equal(left.leaseOwner, null, 'not leased');
        assert.equal(left.attempts, 1, 'not counted');
      }
      assert.deepEqual(ids(await store.queue.claimDue(now, 10, 'w2', lease, { skipDomains: [] })), [
        busy.id,
        quoted.id,
        partly.id,
      ]);
    }),
  );

  test(
    'releaseLeases frees the leases of earlier runs of a node, not those of the current run or of others',
    it(async ({ store }) => {
      const now = new Date();
      const leaseUntil = new Date(now.getTime() + 5 * MINUTE);
      const a = await store.queue.enqueue(await newEntry(store));
      const b = await store.queue.enqueue(await newEntry(store));
      const c = await store.queue.enqueue(await newEntry(store));
      await store.queue.claimDue(now, 1, 'node1:100:aa', leaseUntil);
      await store.queue.claimDue(now, 1, 'node1:200:bb', leaseUntil);
      await store.queue.claimDue(now, 1, 'node2:300:cc', leaseUntil);
      assert.equal(await store.queue.releaseLeases('node1:', 'node1:200:bb'), 1);
      assert.equal((await store.queue.get(a.id))?.leaseOwner, null);
      assert.equal((await store.queue.get(b.id))?.leaseOwner, 'node1:200:bb');
      assert.equal((await store.queue.get(c.id))?.leaseOwner, 'node2:300:cc');
      assert.deepEqual(ids(await store.queue.claimDue(now, 10, 'node1:200:bb', leaseUntil)), [a.id]);
    }),
  );

  test(
    'renewLeases extends the leases the owner still holds and names them; others are untouched',
    it(async ({ store }) => {
      const now = new Date();
      const leaseUntil = new Date(now.getTime() + MINUTE);
      const a = await store.queue.enqueue(await newEntry(store));
      const b = await store.queue.enqueue(await newEntry(store));
      const c = await store.queue.enqueue(await newEntry(store));
      await store.queue.claimDue(now, 2, 'worker-a', leaseUntil);
      await store.queue.claimDue(now, 1, 'worker-b', leaseUntil);
      const renewedUntil = new Date(now.getTime() + 10 * MINUTE);
      const held = await store.queue.renewLeases('worker-a', [a.id, b.id, c.id, 'NOSUCHENTRY'], renewedUntil);
      assert.deepEqual(held.sort(), [a.id, b.id].sort());
      assert.equal((await store.queue.get(a.id))?.leaseUntil?.getTime(), renewedUntil.getTime());
      assert.equal((await store.queue.get(c.id))?.leaseUntil?.getTime(), leaseUntil.getTime());
      assert.equal((await store.queue.get(c.id))?.leaseOwner, 'worker-b');
      // Past the original lease, nobody can take a renewed entry; the attempt count is unchanged.
      const later = new Date(leaseUntil.getTime() + 1);
      assert.deepEqual(ids(await store.queue.claimDue(later, 10, 'worker-c', renewedUntil)), [c.id]);
      assert.equal((await store.queue.get(a.id))?.attempts, 1);
      assert.deepEqual(await store.queue.renewLeases('worker-a', [], renewedUntil), []);
    }),
  );

  test(
    'concurrent claimers, also on two connections, get each entry exactly once',
    it(async ({ store, reopen }) => {
      const other = await reopen();
      const created: QueueEntry[] = [];
      for (let i = 0; i < 30; i++) created.push(await store.queue.enqueue(await newEntry(store)));
      const now = new Date();
      const leaseUntil = new Date(now.getTime() + MINUTE);
      const claimed: string[] = [];
      const worker = async (target: Store, name: string) => {
        for (;;) {
          const batch = await target.queue.claimDue(now, 3, name, leaseUntil);
          if (batch.length === 0) return;
          for (const entry of batch) {
            assert.equal(entry.leaseOwner, name);
            claimed.push(entry.id);
          }
        }
      };
      await Promise.all(Array.from({ length: 10 }, (_, i) => worker(i % 2 === 0 ? store : other, `w${i}`)));
      assert.equal(claimed.length, 30);
      assert.deepEqual(new Set(claimed), new Set(ids(created)));
      for (const entry of await store.queue.list()) assert.equal(entry.attempts, 1);
    }),
  );

  test(
    'recordAttempt stores per-recipient results, releases the lease, sets the next attempt',
    it(async ({ store }) => {
      const queued = await store.queue.enqueue(
        await newEntry(store, {
          recipients: [
            { address: 'bob@hamburger.edu', orcpt: null, notify: [] },
            { address: 'carol@example.org', orcpt: null, notify: [] },
            { address: 'dave@example.org', orcpt: null, notify: [] },
          ],
        }),
      );
      const now = new Date();
      await store.queue.claimDue(now, 1, 'w', new Date(now.getTime() + MINUTE));
      const retryAt = new Date(now.getTime() + 10 * MINUTE);
      const after = await store.queue.recordAttempt(
        queued.id,
        [
          { address: 'bob@hamburger.edu', state: 'delivered', finalReply: '250 2.0.0 ok' },
          {
            address: 'carol@example.org',
            state: 'failed',
            error: '550 5.1.1 no such user',
            finalReply: '550 5.1.1 no such user',
          },
          { address: 'dave@example.org', state: 'pending', error: '451 4.4.1 try later' },
        ],
        { nextAttemptAt: retryAt, lastError: '451 4.4.1 try later' },
      );
      assert.equal(after.leaseOwner, null);
      assert.equal(after.leaseUntil, null);
      assert.deepEqual(after.nextAttemptAt, retryAt);
      assert.equal(after.lastError, '451 4.4.1 try later');
      assert.equal(after.attempts, 1);
      assert.deepEqual(
        after.recipients.map((r) => [r.address, r.state, r.attempts, r.lastError, r.finalReply]),
        [
          ['bob@hamburger.edu', 'delivered', 1, null, '250 2.0.0 ok'],
          ['carol@example.org', 'failed', 1, '550 5.1.1 no such user', '550 5.1.1 no such user'],
          ['dave@example.org', 'pending', 1, '451 4.4.1 try later', null],
        ],
      );
      assert.deepEqual(await store.queue.get(queued.id), after);
      assert.deepEqual(await store.queue.claimDue(now, 10, 'w', new Date(now.getTime() + MINUTE)), []);

      const second = await store.queue.recordAttempt(
        queued.id,
        [{ address: 'dave@example.org', state: 'expired', error: 'gave up', finalReply: null }],
        { nextAttemptAt: retryAt, lastError: 'gave up' },
      );
      assert.deepEqual(
        second.recipients.map((r) => [r.state, r.attempts]),
        [
          ['delivered', 1],
          ['failed', 1],
          ['expired', 2],
        ],
      );
      const unknown = store.queue.recordAttempt(
        queued.id,
        [{ address: 'eve@example.org', state: 'delivered' }],
        {
          nextAttemptAt: retryAt,
          lastError: null,
        },
      );
      assert.ok((await rejection(unknown)) instanceof NotFound);
      const missing = store.queue.recordAttempt('NOSUCHID0000', [], {
        nextAttemptAt: retryAt,
        lastError: null,
      });
      assert.ok((await rejection(missing)) instanceof NotFound);
    }),
  );

  test(
    'recordAttempt with removeIfDone removes the entry in the same call once every recipient is final',
    it(async ({ store, reopen }) => {
      const queued = await store.queue.enqueue(
        await newEntry(store, {
          recipients: [
            { address: 'bob@hamburger.edu', orcpt: null, notify: [] },
            { address: 'carol@example.org', orcpt: null, notify: [] },
          ],
        }),
      );
      const other = await store.queue.enqueue(await newEntry(store));
      const now = new Date();
      const lease = new Date(now.getTime() + MINUTE);
      await store.queue.claimDue(now, 10, 'w', lease);
      const retryAt = new Date(now.getTime() + 10 * MINUTE);

      // A recipient still pending: recorded as without the option, nothing removed.
      const first = await store.queue.recordAttempt(
        queued.id,
        [
          { address: 'bob@hamburger.edu', state: 'delivered', finalReply: '250 2.0.0 ok' },
          { address: 'carol@example.org', state: 'pending', error: '451 4.4.1 try later' },
        ],
        { nextAttemptAt: retryAt, lastError: '451 4.4.1 try later' },
        { removeIfDone: true },
      );
      assert.deepEqual(await store.queue.get(queued.id), first);
      assert.equal(first.leaseOwner, null);

      // The last one final: the answer is the entry's last state, and the entry is gone (also for another
      // connection), its recipients with it; other entries are untouched.
      const last = await store.queue.recordAttempt(
        queued.id,
        [
          {
            address: 'carol@example.org',
            state: 'failed',
            error: '550 5.1.1 no such user',
            finalReply: '550 5.1.1 no such user',
          },
        ],
        { nextAttemptAt: now, lastError: null },
        { removeIfDone: true },
      );
      assert.deepEqual(
        last.recipients.map((r) => [r.address, r.state, r.attempts, r.finalReply]),
        [
          ['bob@hamburger.edu', 'delivered', 1, '250 2.0.0 ok'],
          ['carol@example.org', 'failed', 2, '550 5.1.1 no such user'],
        ],
      );
      assert.equal(last.leaseOwner, null);
      assert.equal(await store.queue.get(queued.id), null);
      assert.deepEqual(ids(await (await reopen()).queue.list()), [other.id]);
      assert.ok((await rejection(store.queue.remove(queued.id))) instanceof NotFound);
      const again = store.queue.recordAttempt(
        queued.id,
        [],
        { nextAttemptAt: now, lastError: null },
        {
          removeIfDone: true,
        },
      );
      assert.ok((await rejection(again)) instanceof NotFound);
      // The blob another entry shares is kept.
      assert.equal((await store.mail.getBlobBytes(other.blobId)).length, other.size);

      // Without the option, a finished entry stays (due as asked) until remove().
      const done = await store.queue.recordAttempt(
        other.id,
        [{ address: 'bob@hamburger.edu', state: 'delivered', finalReply: '250 2.0.0 ok' }],
        { nextAttemptAt: now, lastError: null },
      );
      assert.deepEqual(await store.queue.get(other.id), done);
      assert.deepEqual(ids(await store.queue.claimDue(now, 10, 'w', lease)), [other.id]);
    }),
  );

  test(
    'hold and release, reschedule, delay warning, remove',
    it(async ({ store }) => {
      const now = new Date();
      const lease = new Date(now.getTime() + MINUTE);
      const entry = await store.queue.enqueue(await newEntry(store));
      await store.queue.setHeld(entry.id, true);
      assert.equal((await store.queue.get(entry.id))?.held, true);
      assert.deepEqual(await store.queue.claimDue(now, 10, 'w', lease), []);
      await store.queue.setHeld(entry.id, false);
      assert.deepEqual(ids(await store.queue.claimDue(now, 10, 'w', lease)), [entry.id]);

      const later = await store.queue.enqueue(
        await newEntry(store, { nextAttemptAt: new Date(now.getTime() + 60 * MINUTE) }),
      );
      assert.deepEqual(await store.queue.claimDue(now, 10, 'w', lease), []);
      await store.queue.reschedule(later.id, now);
      assert.deepEqual((await store.queue.get(later.id))?.nextAttemptAt, now);
      assert.deepEqual(ids(await store.queue.claimDue(now, 10, 'w', lease)), [later.id]);

      await store.queue.setDelayWarned(later.id);
      assert.equal((await store.queue.get(later.id))?.delayWarned, true);

      await store.queue.remove(entry.id);
      assert.equal(await store.queue.get(entry.id), null);
      assert.deepEqual(ids(await store.queue.list()), [later.id]);
      for (const op of [
        // One at a time: a rejection not yet awaited while another call does I/O would be unhandled.
        () => store.queue.remove(entry.id),
        () => store.queue.setHeld(entry.id, true),
        () => store.queue.reschedule(entry.id, now),
        () => store.queue.setDelayWarned(entry.id),
      ]) {
        assert.ok((await rejection(op())) instanceof NotFound);
      }
    }),
  );

  test(
    'enqueue with a missing blob is NotFound',
    it(async ({ store }) => {
      const entry = await newEntry(store);
      const missing = store.queue.enqueue({ ...entry, blobId: (entry.blobId + 1000) as typeof entry.blobId });
      assert.ok((await rejection(missing)) instanceof NotFound);
      assert.deepEqual(await store.queue.list(), []);
    }),
  );

  test(
    'queue entries, leases and recipient states survive close and reopen',
    it(async ({ store, reopen }) => {
      const now = new Date();
      const a = await store.queue.enqueue(await newEntry(store));
      const b = await store.queue.enqueue(
        await newEntry(store, {
          recipients: [
            { address: 'x@example.org', orcpt: null, notify: ['DELAY'] },
            { address: 'y@example.org', orcpt: null, notify: [] },
          ],
        }),
      );
      await store.queue.claimDue(now, 1, 'w', new Date(now.getTime() + MINUTE));
      await store.queue.recordAttempt(
        a.id,
        [{ address: 'bob@hamburger.edu', state: 'pending', error: 'timeout' }],
        {
          nextAttemptAt: new Date(now.getTime() + MINUTE),
          lastError: 'timeout',
        },
      );
      await store.queue.setHeld(b.id, true);
      const before = await store.queue.list();
      await store.close();
      const again = await reopen();
      assert.deepEqual(await again.queue.list(), before);
      assert.equal((await again.queue.get(a.id))?.attempts, 1);
      assert.equal((await again.mail.getBlobBytes(a.blobId)).length, a.size);
    }),
  );
}
