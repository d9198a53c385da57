import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Zone } from '../../src/dns/static-resolver.ts';
import { parseMessage } from '../../src/message/parse.ts';
import { buildDsn, wantsDsn } from '../../src/queue/dsn.ts';
import { FakeSmtpServer, type FakeSmtpScript } from '../support/fake-smtp-server.ts';
import { dsnText, QueueHarness, type HarnessOptions } from '../support/queue-harness.ts';

const ZONE: Zone = {
  'hamburger.edu': { mx: [{ exchange: 'mx.hamburger.edu', preference: 10 }] },
  'mx.hamburger.edu': { a: ['192.0.2.10'] },
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(script: FakeSmtpScript = {}, options: HarnessOptions = {}) {
  const server = await FakeSmtpServer.start(script);
  open.push(server);
  const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': server.port }, ...options });
  open.push(h);
  return { server, h };
}

const unknownUsers: FakeSmtpScript = {
  rcpt: (to) => (to.startsWith('nobody') || to.startsWith('ghost') ? '550 5.1.1 no such user' : undefined),
};

describe('queue: permanent failures and DSNs (RFC 3464, RFC 3461)', () => {
  test('5xx for one recipient: exactly one DSN naming it, the others delivered', async () => {
    const { server, h } = await setup(unknownUsers);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu', 'nobody@hamburger.edu'], envId: 'env-42' });
    await h.run();
    assert.deepEqual(server.messages[0]!.recipients, ['bob@hamburger.edu']);
    assert.equal(await h.entry(entry.id), null);
    assert.equal(h.bounces.length, 1);
    const b = h.bounces[0]!;
    assert.equal(b.recipient, 'alice@crepes.fr');
    const text = dsnText(b);
    assert.equal(text.match(/Final-Recipient:/g)?.length, 1);
    assert.match(text, /Final-Recipient: rfc822; nobody@hamburger\.edu/);
    assert.doesNotMatch(text, /Final-Recipient: rfc822; bob/);
    assert.match(
      text,
      /Action: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.hamburger\.edu\r\nDiagnostic-Code: smtp; 550 5\.1\.1 no such user/,
    );
    assert.match(text, /Original-Envelope-Id: env-42/);
    assert.match(text, /Reporting-MTA: dns; crepes\.fr/);
    assert.match(text, /^Content-Type: multipart\/report; report-type=delivery-status;/m);
    assert.match(
      text,
      /Content-Type: message\/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\nFrom: alice@crepes\.fr/,
    );
    assert.match(text, /Hello Bob/); // RET default: the whole message comes back
  });

  test('the DSN is a well-formed MIME message our own parser understands', async () => {
    const { h } = await setup(unknownUsers);
    await h.enqueue({ to: ['nobody@hamburger.edu'] });
    await h.run();
    const parsed = parseMessage(h.bounces[0]!.bytes);
    assert.equal(parsed.body.type, 'multipart');
    assert.equal(parsed.body.subtype, 'report');
    assert.equal(parsed.body.params['report-type'], 'delivery-status');
    assert.deepEqual(
      parsed.body.children.map((c) => `${c.type}/${c.subtype}`),
      ['text/plain', 'message/delivery-status', 'message/rfc822'],
    );
    assert.equal(parsed.envelope.subject, 'Undelivered Mail Returned to Sender');
  });

  test('two recipients failing in one attempt: one DSN listing both; a later failure gets its own', async () => {
    let laterFails = false;
    const { h } = await setup({
      rcpt: (to) =>
        to.startsWith('nobody') || to.startsWith('ghost')
          ? '550 5.1.1 no such user'
          : to.startsWith('carol')
            ? laterFails
              ? '552 5.2.2 mailbox full'
              : '450 4.2.1 busy'
            : undefined,
    });
    const entry = await h.enqueue({
      to: ['nobody@hamburger.edu', 'ghost@hamburger.edu', 'carol@hamburger.edu'],
    });
    await h.run();
    assert.equal(h.bounces.length, 1);
    const first = dsnText(h.bounces[0]!);
    assert.equal(first.match(/Final-Recipient:/g)?.length, 2);
    assert.ok(
      (await h.entry(entry.id))!.recipients.find((r) => r.address === 'carol@hamburger.edu')!.state ===
        'pending',
    );
    laterFails = true;
    await h.advance(300);
    assert.equal(h.bounces.length, 2);
    const second = dsnText(h.bounces[1]!);
    assert.equal(second.match(/Final-Recipient:/g)?.length, 1);
    assert.match(second, /carol@hamburger\.edu/);
    assert.match(second, /Status: 5\.2\.2/);
    assert.equal(await h.entry(entry.id), null);
  });

  test('no DSN for the null sender <>', async () => {
    const { h } = await setup(unknownUsers);
    const entry = await h.enqueue({ from: '', to: ['nobody@hamburger.edu'] });
    await h.run();
    assert.equal(await h.entry(entry.id), null);
    assert.deepEqual(h.bounces, []);
  });

  test('NOTIFY=NEVER suppresses the failure DSN; NOTIFY=SUCCESS gets none for a failure', async () => {
    const { h } = await setup(unknownUsers);
    await h.enqueue({ to: [{ address: 'nobody@hamburger.edu', notify: ['NEVER'] }] });
    await h.enqueue({ to: [{ address: 'ghost@hamburger.edu', notify: ['SUCCESS'] }] });
    await h.run();
    assert.deepEqual(h.bounces, []);
  });

  test('NOTIFY=SUCCESS: "relayed" DSN when the next hop has no DSN; none when it takes NOTIFY over', async () => {
    const noDsn = await setup({ extensions: ['PIPELINING', '8BITMIME'] });
    await noDsn.h.enqueue({
      to: [
        { address: 'bob@hamburger.edu', notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;Bob@hamburger.edu' },
      ],
    });
    await noDsn.h.run();
    assert.equal(noDsn.h.bounces.length, 1);
    const text = dsnText(noDsn.h.bounces[0]!);
    assert.match(text, /Subject: Successful Mail Delivery Report/);
    assert.match(
      text,
      /Original-Recipient: rfc822; Bob@hamburger\.edu\r\nFinal-Recipient: rfc822; bob@hamburger\.edu\r\nAction: relayed\r\nStatus: 2\.0\.0/,
    );
    assert.match(text, /Content-Type: text\/rfc822-headers/);
    assert.doesNotMatch(text, /Hello Bob/);

    const withDsn = await setup();
    await withDsn.h.enqueue({
      to: [{ address: 'bob@hamburger.edu', notify: ['SUCCESS'] }],
      ret: 'HDRS',
      envId: 'e1',
    });
    await withDsn.h.run();
    assert.deepEqual(withDsn.h.bounces, []);
    assert.equal(withDsn.server.messages[0]!.rcptParams[0], 'NOTIFY=SUCCESS');
    assert.match(withDsn.server.messages[0]!.mailParams, /RET=HDRS ENVID=e1/);
  });

  test('RET=HDRS: the failure DSN returns only the header section', async () => {
    const { h } = await setup(unknownUsers);
    await h.enqueue({ to: ['nobody@hamburger.edu'], ret: 'HDRS' });
    await h.run();
    const text = dsnText(h.bounces[0]!);
    assert.match(
      text,
      /Content-Type: text\/rfc822-headers\r\nContent-Transfer-Encoding: 8bit\r\n\r\nFrom: alice@crepes\.fr/,
    );
    assert.doesNotMatch(text, /Hello Bob/);
  });

  test('delay warning: sent once after delay_warning_s to those who want DELAY', async () => {
    const { h } = await setup(
      { rcpt: () => '451 4.3.0 later' },
      { config: { queue: { delay_warning_s: 1200, min_backoff_s: 600, max_backoff_s: 600 } } },
    );
    const entry = await h.enqueue({
      to: ['bob@hamburger.edu', { address: 'carol@hamburger.edu', notify: ['FAILURE'] }],
    });
    await h.run();
    await h.advance(600);
    assert.equal(h.bounces.length, 0);
    await h.advance(600);
    assert.equal(h.bounces.length, 1);
    const text = dsnText(h.bounces[0]!);
    assert.match(text, /Subject: Delayed Mail/);
    assert.match(text, /Action: delayed/);
    assert.match(text, /Will-Retry-Until: /);
    assert.match(text, /Final-Recipient: rfc822; bob@hamburger\.edu/);
    assert.doesNotMatch(text, /carol/);
    assert.equal((await h.entry(entry.id))!.delayWarned, true);
    await h.advance(600);
    await h.advance(600);
    assert.equal(h.bounces.length, 1);
  });

  test('wantsDsn follows RFC 3461 §4.1', () => {
    assert.equal(wantsDsn('a@b', [], 'failure'), true);
    assert.equal(wantsDsn('a@b', [], 'delay'), true);
    assert.equal(wantsDsn('a@b', [], 'success'), false);
    assert.equal(wantsDsn('a@b', ['NEVER'], 'failure'), false);
    assert.equal(wantsDsn('a@b', ['SUCCESS'], 'failure'), false);
    assert.equal(wantsDsn('a@b', ['SUCCESS'], 'success'), true);
    assert.equal(wantsDsn('', ['FAILURE'], 'failure'), false);
  });

  test('SMTPUTF8 originals get message/global-delivery-status (RFC 6533)', () => {
    const dsn = buildDsn({
      kind: 'failure',
      hostname: 'crepes.fr',
      queueId: 'Q1',
      to: 'élise@crepes.fr',
      envId: null,
      ret: null,
      arrivalDate: new Date(0),
      smtputf8: true,
      original: Buffer.from('Subject: é\r\n\r\nbody\r\n'),
      recipients: [
        {
          address: 'jürgen@hamburger.edu',
          orcpt: null,
          action: 'failed',
          status: '5.1.1',
          smtpReply: null,
          text: 'no such user',
          remoteMta: null,
          lastAttempt: new Date(0),
        },
      ],
      now: new Date(0),
    }).toString('utf8');
    assert.match(dsn, /Content-Type: message\/global-delivery-status/);
    assert.match(dsn, /Final-Recipient: utf-8; jürgen@hamburger\.edu/);
    assert.match(dsn, /Diagnostic-Code: X-Posthorn; no such user/);
    assert.match(dsn, /Content-Type: message\/global\r\n/);
  });
});
