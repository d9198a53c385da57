// Delivery.acceptMessage over a recording fake store: what is stored, delivered and queued, and in which
// order failures leave things.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InboundEnvelope, RecipientTarget } from '../../src/delivery/envelope.ts';
import { Delivery, MailLoop, type DeliveryStore } from '../../src/delivery/index.ts';
import { silentLogger } from '../../src/log/logger.ts';
import type { ParsedMessage } from '../../src/message/types.ts';
import {
  StorageUnavailable,
  type AccountId,
  type BlobId,
  type DeliveryTarget,
  type MailboxId,
  type NewQueueEntry,
  type QueueEntry,
  type Uid,
} from '../../src/storage/ports.ts';

/** One store.mail.deliver call: where to, and the bytes and parse given with it (stored in that call). */
interface Delivered {
  target: DeliveryTarget;
  bytes: Buffer;
  parsed: ParsedMessage;
}

class RecordingStore implements DeliveryStore {
  /** putBlob calls: the shared message, stored for the queue. */
  blobs: Array<{ bytes: Buffer; parsed: ParsedMessage }> = [];
  deliveries: Delivered[] = [];
  entries: NewQueueEntry[] = [];
  failDeliverFor: AccountId | null = null;
  failEnqueue = false;

  mail: DeliveryStore['mail'] = {
    putBlob: async (bytes, parsed) => {
      this.blobs.push({ bytes, parsed });
      return this.blobs.length as BlobId;
    },
    deliver: async (target, message) => {
      if (target.accountId === this.failDeliverFor) throw new StorageUnavailable('disk full');
      if ('blobId' in message) throw new Error('local copies are stored in the delivery call');
      this.deliveries.push({ target, bytes: message.bytes, parsed: message.parsed });
      return {
        uid: this.deliveries.length as Uid,
        modSeq: 1 as never,
        uidValidity: 1,
        mailboxId: ((target.accountId as number) * 10) as MailboxId,
      };
    },
  };

  queue: DeliveryStore['queue'] = {
    enqueue: async (entry) => {
      if (this.failEnqueue) throw new StorageUnavailable('database is locked');
      this.entries.push(entry);
      return { ...entry, id: entry.id ?? `Q${this.entries.length}` } as unknown as QueueEntry;
    },
  };
}

const local = (id: number, address: string): RecipientTarget => ({
  kind: 'local',
  accountId: id as AccountId,
  address,
});
const remote = (address: string): RecipientTarget => ({ kind: 'remote', address });

function envelope(
  recipients: InboundEnvelope['recipients'],
  over: Partial<InboundEnvelope> = {},
): InboundEnvelope {
  return {
    sender: 'alice@example.org',
    recipients,
    smtputf8: false,
    body: null,
    ret: null,
    envId: null,
    trace: { helo: 'laptop', remoteAddress: '192.0.2.1', extended: true, tls: null, authenticated: true },
    ...over,
  };
}

function setup() {
  const store = new RecordingStore();
  const woken: string[] = [];
  const delivery = new Delivery({
    store,
    hostname: 'mx.example.org',
    clock: { now: () => new Date(Date.UTC(2024, 0, 1)) },
    log: silentLogger(),
    maxReceivedHeaders: 3,
    onQueued: (id) => woken.push(id),
  });
  return { store, delivery, woken };
}

const message = Buffer.from('Subject: hi\r\n\r\nbody\r\n');

describe('Delivery.acceptMessage', () => {
  test('mixed recipients: one queue entry with DSN data, one INBOX copy per account, queue id returned', async () => {
    const { store, delivery, woken } = setup();
    const result = await delivery.acceptMessage(
      envelope(
        [
          {
            address: 'bob@example.org',
            notify: ['SUCCESS'],
            orcpt: null,
            targets: [local(2, 'bob@example.org')],
          },
          { address: 'bob+x@example.org', notify: [], orcpt: null, targets: [local(2, 'bob@example.org')] },
          {
            address: 'team@example.org',
            notify: ['FAILURE', 'DELAY'],
            orcpt: null,
            targets: [local(1, 'alice@example.org'), remote('carol@remote.test')],
          },
          {
            address: 'dave@remote.test',
            notify: ['NEVER'],
            orcpt: 'rfc822;dave@remote.test',
            targets: [remote('dave@remote.test')],
          },
        ],
        { ret: 'HDRS', envId: 'env-1', body: '8BITMIME', smtputf8: true },
      ),
      message,
    );
    assert.match(result.id, /^[0-9A-Z]{12}$/);
    assert.deepEqual(result, { id: result.id, delivered: 2, queued: 2 });
    assert.deepEqual(woken, [result.id]);
    assert.equal(store.entries.length, 1);
    const entry = store.entries[0]!;
    assert.equal(entry.id, result.id, 'the queue entry has the id of the Received field and the reply');
    assert.deepEqual(entry.recipients, [
      { address: 'carol@remote.test', orcpt: 'rfc822;team@example.org', notify: ['FAILURE', 'DELAY'] },
      { address: 'dave@remote.test', orcpt: 'rfc822;dave@remote.test', notify: ['NEVER'] },
    ]);
    assert.equal(entry.ret, 'HDRS');
    assert.equal(entry.envId, 'env-1');
    assert.equal(entry.eightBit, true);
    assert.equal(entry.smtputf8, false, 'all-ASCII envelope and headers need no SMTPUTF8 from the next hop');
    assert.equal(entry.sender, 'alice@example.org');
    // One blob for the shared message (queued); the per-account copies are stored by their delivery call.
    assert.equal(store.blobs.length, 1);
    const shared = store.blobs[0]!.bytes.toString();
    assert.ok(
      shared.startsWith(
        `Received: from laptop ([192.0.2.1])\r\n\tby mx.example.org (Posthorn) with UTF8SMTPA id ${result.id};\r\n\t`,
      ),
      shared,
    );
    assert.ok(shared.endsWith('\r\nSubject: hi\r\n\r\nbody\r\n'));
    assert.equal(entry.size, store.blobs[0]!.bytes.length);
    assert.deepEqual(
      store.deliveries.map((d) => d.target),
      [
        { accountId: 2, mailbox: 'INBOX', specialUse: null },
        { accountId: 1, mailbox: 'INBOX', specialUse: null },
      ],
    );
    assert.equal(
      store.deliveries[0]!.bytes.toString(),
      `Return-Path: <alice@example.org>\r\nDelivered-To: bob@example.org\r\n${shared}`,
    );
    assert.equal(
      store.deliveries[0]!.parsed.size,
      store.deliveries[0]!.bytes.length,
      'the copy carries its own index',
    );
    assert.equal(
      store.deliveries[1]!.bytes.toString(),
      `Return-Path: <alice@example.org>\r\nDelivered-To: alice@example.org\r\n${shared}`,
    );
  });

  test('local only: no queue entry, a fresh id of the queue id form', async () => {
    const { store, delivery, woken } = setup();
    const result = await delivery.acceptMessage(
      envelope([
        { address: 'bob@example.org', notify: [], orcpt: null, targets: [local(2, 'bob@example.org')] },
      ]),
      message,
    );
    assert.match(result.id, /^[0-9A-Z]{12}$/);
    assert.equal(store.entries.length, 0);
    assert.equal(store.blobs.length, 0, 'nothing queued, so no shared blob');
    assert.equal(store.deliveries.length, 1);
    assert.deepEqual(woken, []);
    assert.match(
      store.deliveries[0]!.bytes.toString(),
      /\tfor <bob@example\.org>; Mon, 01 Jan 2024 00:00:00 \+0000\r\n/,
    );
  });

  test('SMTPUTF8 is required from the next hop when an address or a header is non-ASCII', async () => {
    const { store, delivery } = setup();
    const rcpt = [
      { address: 'josé@remote.test', notify: [], orcpt: null, targets: [remote('josé@remote.test')] },
    ];
    await delivery.acceptMessage(envelope(rcpt, { smtputf8: true }), message);
    await delivery.acceptMessage(
      envelope([{ address: 'x@remote.test', notify: [], orcpt: null, targets: [remote('x@remote.test')] }], {
        smtputf8: true,
      }),
      Buffer.from('Subject: Grüße\r\n\r\nx\r\n'),
    );
    await delivery.acceptMessage(envelope(rcpt, { smtputf8: false }), message);
    assert.deepEqual(
      store.entries.map((e) => e.smtputf8),
      [true, true, false],
    );
  });

  test('a loop is refused before anything is stored', async () => {
    const { store, delivery } = setup();
    const looping = Buffer.from('Received: a\r\nReceived: b\r\nReceived: c\r\n\r\nx\r\n');
    await assert.rejects(
      delivery.acceptMessage(
        envelope([
          { address: 'bob@example.org', notify: [], orcpt: null, targets: [local(2, 'bob@example.org')] },
        ]),
        looping,
      ),
      MailLoop,
    );
    assert.equal(store.blobs.length + store.deliveries.length + store.entries.length, 0);
  });

  test('storage failures propagate (the session answers 451) and nothing is acknowledged', async () => {
    const { store, delivery, woken } = setup();
    store.failEnqueue = true;
    await assert.rejects(
      delivery.acceptMessage(
        envelope([
          { address: 'bob@example.org', notify: [], orcpt: null, targets: [local(2, 'bob@example.org')] },
          { address: 'x@remote.test', notify: [], orcpt: null, targets: [remote('x@remote.test')] },
        ]),
        message,
      ),
      StorageUnavailable,
    );
    assert.equal(
      store.deliveries.length,
      0,
      'the queue entry is written first; its failure stops local delivery',
    );
    assert.deepEqual(woken, []);
    store.failEnqueue = false;
    store.failDeliverFor = 2 as AccountId;
    await assert.rejects(
      delivery.acceptMessage(
        envelope([
          { address: 'bob@example.org', notify: [], orcpt: null, targets: [local(2, 'bob@example.org')] },
        ]),
        message,
      ),
      StorageUnavailable,
    );
  });
});
