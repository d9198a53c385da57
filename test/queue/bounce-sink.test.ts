import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Zone } from '../../src/dns/static-resolver.ts';
import type { AccountId } from '../../src/storage/ports.ts';
import { FakeSmtpServer } from '../support/fake-smtp-server.ts';
import { QueueHarness } from '../support/queue-harness.ts';

const ZONE: Zone = {
  'hamburger.edu': { mx: [{ exchange: 'mx.hamburger.edu', preference: 10 }] },
  'mx.hamburger.edu': { a: ['192.0.2.10'] },
  'frites.be': { mx: [{ exchange: 'mx.frites.be', preference: 10 }] },
  'mx.frites.be': { a: ['192.0.2.20'] },
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

describe('queue: where bounces go', () => {
  test('to a local sender: into the INBOX; to a remote sender: through the queue with MAIL FROM:<>', async () => {
    const hamburger = await FakeSmtpServer.start({ rcpt: () => '550 5.1.1 no such user' });
    const frites = await FakeSmtpServer.start();
    open.push(hamburger, frites);
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.10': hamburger.port, '192.0.2.20': frites.port },
      bounce: 'store',
    });
    open.push(h);
    await h.store.accounts.addDomain('crepes.fr');
    const alice = await h.store.accounts.addAccount(
      'alice@crepes.fr',
      '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA',
    );

    await h.enqueue({ from: 'alice@crepes.fr', to: ['nobody@hamburger.edu'] });
    await h.enqueue({ from: 'jan@frites.be', to: ['ghost@hamburger.edu'] });
    await h.run();

    const inbox = (await h.store.mail.getMailbox(alice.id as AccountId, 'INBOX'))!;
    const messages = await h.store.mail.listMessages(inbox.id);
    assert.equal(messages.length, 1);
    const dsn = (await h.store.mail.getBlobBytes(messages[0]!.blobId)).toString('utf8');
    assert.match(dsn, /Subject: Undelivered Mail Returned to Sender/);
    assert.match(dsn, /^Return-Path: <>/m);
    assert.match(dsn, /Final-Recipient: rfc822; nobody@hamburger\.edu/);

    assert.equal(frites.messages.length, 1);
    assert.equal(frites.messages[0]!.from, '');
    assert.deepEqual(frites.messages[0]!.recipients, ['jan@frites.be']);
    assert.match(frites.messages[0]!.data.toString(), /Final-Recipient: rfc822; ghost@hamburger\.edu/);
    assert.deepEqual(await h.store.queue.list(), []);
  });
});
