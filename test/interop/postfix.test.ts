// Postfix as Posthorn's peer, both ways, each over a real SMTP session with STARTTLS between the two MTAs:
// a private Postfix (support/private-postfix.ts) relays a message for crepes.fr to Posthorn's MX, and
// Posthorn's queue delivers a message for postfix.test to Postfix through a [routes] entry. In both
// directions the recipient's copy is the sender's bytes with only trace fields in front.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { QueueService } from '../../src/queue/index.ts';
import { runOk } from '../e2e/support/child.ts';
import { startNode, type PosthornNode } from '../e2e/support/posthorn-node.ts';
import { assertTracePrefixOnly } from '../e2e/support/trace-prefix.ts';
import { startPostfix, type PrivatePostfix } from './support/private-postfix.ts';
import { freePort, skipUnlessInstalled, until } from './support/tools.ts';

const ALICE = { address: 'alice@crepes.fr', password: 'alice-postfix-pw' };
const BOB = { address: 'bob@crepes.fr', password: 'bob-postfix-pw' };
const SEND = join(import.meta.dirname, 'py', 'smtp-send.py');

const notRoot = process.getuid?.() !== 0 ? 'Postfix needs root to start' : false;

function message(from: string, to: string, subject: string): Buffer {
  return Buffer.from(
    [
      `From: ${from}`,
      `To: ${to}`,
      `Subject: ${subject}`,
      'Date: Sun, 29 Nov 2026 10:00:00 +0000',
      `Message-ID: <${subject.replace(/\W+/g, '-')}@interop.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Galettes et crêpes, 8-bit all the way.',
      '.a dot at the start',
      '..',
      'x'.repeat(990),
      '',
    ].join('\r\n'),
  );
}

describe('Postfix ↔ Posthorn', { skip: notRoot || skipUnlessInstalled('postfix', 'python3') }, () => {
  let posthorn: PosthornNode;
  let postfix: PrivatePostfix;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-postfix-test-'));
    const postfixPort = await freePort();
    posthorn = await startNode({
      domain: 'crepes.fr',
      hostname: 'mx.crepes.fr',
      listeners: ['smtp', 'submission'],
      accounts: { [ALICE.address]: ALICE.password, [BOB.address]: BOB.password },
      routes: { 'postfix.test': `127.0.0.1:${postfixPort}` },
    });
    postfix = await startPostfix({
      hostname: 'mx.postfix.test',
      domain: 'postfix.test',
      users: ['carol'],
      transport: { 'crepes.fr': `127.0.0.1:${posthorn.port('smtp')}` },
      port: postfixPort,
    });
  });
  after(async () => {
    await postfix?.stop();
    await posthorn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Postfix relays to Posthorn’s MX: bytes intact, both Received fields', async () => {
    const original = message('Carol <carol@postfix.test>', 'bob@crepes.fr', 'from Postfix');
    const file = join(dir, 'to-posthorn.eml');
    writeFileSync(file, original);
    const sent = await runOk('python3', [
      SEND,
      '127.0.0.1',
      String(postfix.port),
      'carol@postfix.test',
      BOB.address,
      file,
    ]);
    assert.match(sent.stdout.toString(), /^250 2\.0\.0 Ok: queued as \w+\n$/);

    const [delivered] = await posthorn.waitForMessages(BOB.address, 1).catch((err: Error) => {
      throw new Error(`${err.message}\nPostfix log:\n${postfix.log()}`);
    });
    const trace = assertTracePrefixOnly(delivered!, original, 'Bob’s copy');
    const received = trace.filter((f) => f.name === 'received').map((f) => f.value);
    assert.equal(received.length, 2, received.join('\n'));
    assert.match(
      received[0]!,
      /^Received: from mx\.postfix\.test \(\[127\.0\.0\.1\]\) by mx\.crepes\.fr \(Posthorn\) with ESMTPS \(TLSv1\.[23] /,
    );
    assert.match(
      received[1]!,
      /^Received: from client\.test \(localhost \[127\.0\.0\.1\]\) by mx\.postfix\.test \(Postfix\) with ESMTP id \w+ for <bob@crepes\.fr>;/,
    );
    assert.equal(trace[0]!.value, 'Return-Path: <carol@postfix.test>');
  });

  test('Posthorn’s queue delivers to Postfix through [routes]: bytes intact in Postfix’s Maildir', async () => {
    const original = message('Alice <alice@crepes.fr>', 'carol@postfix.test', 'from Posthorn');
    const file = join(dir, 'to-postfix.eml');
    writeFileSync(file, original);
    await runOk('python3', [
      SEND,
      '127.0.0.1',
      String(posthorn.port('submission')),
      ALICE.address,
      'carol@postfix.test',
      file,
      '--starttls',
      posthorn.certFile,
      '--login',
      ALICE.address,
      ALICE.password,
    ]);
    await until('Postfix to deliver to carol’s Maildir', () => postfix.maildir('carol').length === 1).catch(
      (err: Error) => {
        throw new Error(`${err.message}\nPostfix log:\n${postfix.log()}`);
      },
    );
    // virtual(8) writes Maildir files with LF line ends; the message had CRLF and no bare CR or LF.
    const delivered = Buffer.from(
      postfix.maildir('carol')[0]!.toString('latin1').replace(/\n/g, '\r\n'),
      'latin1',
    );
    const trace = assertTracePrefixOnly(delivered, original, 'Carol’s copy');
    const received = trace.filter((f) => f.name === 'received').map((f) => f.value);
    assert.equal(received.length, 2, received.join('\n'));
    assert.match(
      received[0]!,
      /^Received: from mx\.crepes\.fr \(localhost \[127\.0\.0\.1\]\) by mx\.postfix\.test \(Postfix\) with ESMTPS id \w+ for <carol@postfix\.test>;/,
    );
    assert.match(
      received[1]!,
      /^Received: from client\.test \(\[127\.0\.0\.1\]\) by mx\.crepes\.fr \(Posthorn\) with ESMTPSA /,
    );
    assert.equal(trace[0]!.value, 'Return-Path: <alice@crepes.fr>');

    const queue = posthorn.app.services.find((s) => s.name === 'queue') as QueueService;
    await queue.whenIdle();
    assert.deepEqual(await posthorn.store.queue.list(), [], 'crepes.fr’s queue is empty again');
  });
});
