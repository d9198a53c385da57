// The reference story (DESIGN.md §1) between two whole Posthorn apps on loopback, driven by independent
// clients: alice@crepes.fr submits with Python's smtplib (STARTTLS + AUTH) → crepes.fr's queue → a static
// route to hamburger.edu's MX listener (standing in for its MX record) → Bob's INBOX, while Bob's imaplib
// session IDLEs and sees `* 1 EXISTS`. The message Bob fetches is Alice's bytes with only trace fields in
// front: hamburger.edu's Return-Path and Received above crepes.fr's Received.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { QueueService } from '../../src/queue/index.ts';
import { LineProcess, runOk } from './support/child.ts';
import { startNode, type PosthornNode } from './support/posthorn-node.ts';
import { assertTracePrefixOnly } from './support/trace-prefix.ts';

const ALICE = { address: 'alice@crepes.fr', password: 'alice-pw-7f3k' };
const BOB = { address: 'bob@hamburger.edu', password: 'bob-pw-q8zt' };
const HERE = import.meta.dirname;

/** Alice's message: 8-bit UTF-8 text, lines a dot-stuffing or CRLF bug would change, an attachment. */
function alicesMessage(): Buffer {
  const attachment = Buffer.alloc(3000, 0);
  for (let i = 0; i < attachment.length; i++) attachment[i] = (i * 7919) % 256;
  const base64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  const lines = [
    'From: Alice <alice@crepes.fr>',
    'To: Bob <bob@hamburger.edu>',
    'Subject: =?UTF-8?Q?Cr=C3=AApes_ce_soir_=3F?=',
    'Date: Sat, 28 Nov 2026 18:30:00 +0100',
    'Message-ID: <reference-story-1@crepes.fr>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="crepe-boundary"',
    '',
    'Preamble.',
    '--crepe-boundary',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Bob, des crêpes ce soir ? Ça te dit ?',
    '.',
    '.. two dots',
    '.leading dot',
    'From the start of a line',
    'trailing spaces   ',
    '\ttab at the start',
    'x'.repeat(900),
    '',
    '--crepe-boundary',
    'Content-Type: application/octet-stream; name="recette.bin"',
    'Content-Disposition: attachment; filename="recette.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    base64,
    '--crepe-boundary--',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

describe('the reference story: alice@crepes.fr → crepes.fr queue → hamburger.edu → Bob’s IDLE', () => {
  let hamburger: PosthornNode;
  let crepes: PosthornNode;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-reference-story-'));
    hamburger = await startNode({
      domain: 'hamburger.edu',
      hostname: 'mx.hamburger.edu',
      listeners: ['smtp', 'imap'],
      accounts: { [BOB.address]: BOB.password },
    });
    crepes = await startNode({
      domain: 'crepes.fr',
      hostname: 'mx.crepes.fr',
      listeners: ['smtp', 'submission'],
      accounts: { [ALICE.address]: ALICE.password },
      routes: { 'hamburger.edu': `127.0.0.1:${hamburger.port('smtp')}` },
    });
  });

  after(async () => {
    await crepes?.stop();
    await hamburger?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Bob’s IDLE sees EXISTS and fetches Alice’s bytes with both servers’ Received fields', async () => {
    const bob = new LineProcess('python3', [
      join(HERE, 'imap-idle.py'),
      '127.0.0.1',
      String(hamburger.port('imap')),
      BOB.address,
      BOB.password,
      hamburger.certFile,
    ]);
    try {
      const idling = await bob.waitFor(/^IDLING (\d+)$/);
      assert.equal(idling[1], '0');

      const original = alicesMessage();
      const file = join(dir, 'alice.eml');
      writeFileSync(file, original);
      const submitted = await runOk('python3', [
        join(HERE, 'smtp-submit.py'),
        '127.0.0.1',
        String(crepes.port('submission')),
        ALICE.address,
        ALICE.password,
        crepes.certFile,
        ALICE.address,
        BOB.address,
        file,
      ]);
      const queueId = /^250 2\.0\.0 Ok: queued as (\w+)\n$/.exec(submitted.stdout.toString())?.[1];
      assert.ok(queueId, `submission reply: ${submitted.stdout.toString()}`);

      const exists = await bob.waitFor(/^EXISTS (.*)$/);
      assert.equal(exists[1], '* 1 EXISTS');
      const body = await bob.waitFor(/^BODY (\S+)$/);
      assert.equal(await bob.exit(), 0, bob.stderr);
      const delivered = Buffer.from(body[1]!, 'base64');

      const trace = assertTracePrefixOnly(delivered, original, 'Bob’s copy');
      const received = trace.filter((f) => f.name === 'received').map((f) => f.value);
      assert.equal(received.length, 2, trace.map((f) => f.value).join('\n'));
      // Newest first (RFC 5321 §4.4): hamburger.edu's MX received it from crepes.fr's queue over TLS…
      assert.match(
        received[0]!,
        /^Received: from mx\.crepes\.fr \(\[127\.0\.0\.1\]\) by mx\.hamburger\.edu \(Posthorn\) with ESMTPS \(TLSv1\.3 [^)]*\) id [0-9A-Z]{12} for <bob@hamburger\.edu>; /,
      );
      // …after crepes.fr's submission listener received it from Alice, authenticated, over TLS.
      assert.match(
        received[1]!,
        /^Received: from alice-laptop\.crepes\.fr \(\[127\.0\.0\.1\]\) by mx\.crepes\.fr \(Posthorn\) with ESMTPSA \(TLSv1\.3 [^)]*\) id [0-9A-Z]{12} for <bob@hamburger\.edu>; /,
      );
      assert.equal(trace[0]!.value, 'Return-Path: <alice@crepes.fr>');

      // What IMAP served is what hamburger.edu stored, and crepes.fr's queue is empty again.
      const stored = await hamburger.messages(BOB.address);
      assert.equal(stored.length, 1);
      assert.ok(stored[0]!.equals(delivered));
      const queue = crepes.app.services.find((s) => s.name === 'queue') as QueueService;
      await queue.whenIdle();
      assert.equal(await crepes.store.queue.get(queueId), null);
    } finally {
      bob.kill();
    }
  });
});
