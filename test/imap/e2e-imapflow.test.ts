// imapflow (an independent client library) against a running server over implicit TLS: login, list, create,
// mailbox lock (SELECT with CONDSTORE/QRESYNC), append, search, fetch (envelope, bodystructure, source),
// flags, copy, move, delete (expunge), status, and IDLE seeing a delivery as an `exists` event.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { startTestImapServer } from '../support/imap-server.ts';

test('imapflow drives a whole session, IDLE included', async () => {
  const server = await startTestImapServer();
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: server.imapsPort,
    secure: true,
    tls: { rejectUnauthorized: false },
    auth: { user: server.user, pass: server.password },
    logger: false,
    qresync: true,
  });
  try {
    await server.deliver(
      'INBOX',
      'From: Alice <alice@crepes.fr>\nTo: bob@hamburger.edu\nSubject: =?utf-8?q?Cr=C3=AApes?=\nMessage-ID: <a@crepes.fr>\n' +
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=xx\n\n--xx\nContent-Type: text/plain\n\nhello\n' +
        '--xx\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAECAw==\n--xx--\n',
    );
    await client.connect();
    assert.ok(client.capabilities.has('IDLE'));
    const list = await client.list();
    assert.deepEqual(
      list.map((m) => [m.path, m.specialUse ?? null]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
      [
        ['Archive', '\\Archive'],
        ['Drafts', '\\Drafts'],
        ['INBOX', '\\Inbox'],
        ['Junk', '\\Junk'],
        ['Sent', '\\Sent'],
        ['Trash', '\\Trash'],
      ],
    );
    await client.mailboxCreate('Reçus');
    assert.ok((await client.list()).some((m) => m.path === 'Reçus'));

    const lock = await client.getMailboxLock('INBOX');
    try {
      const mailbox = client.mailbox;
      assert.ok(mailbox && mailbox.exists === 1);
      const appended = await client.append('INBOX', 'Subject: second\r\n\r\nbody two\r\n', ['\\Seen']);
      assert.ok(appended && appended.uid === 2);
      const unseen = await client.search({ seen: false }, { uid: true });
      assert.deepEqual(unseen, [1]);

      const messages = [];
      for await (const m of client.fetch('1:*', {
        uid: true,
        flags: true,
        envelope: true,
        bodyStructure: true,
        source: true,
      })) {
        messages.push(m);
      }
      assert.equal(messages.length, 2);
      const first = messages[0]!;
      assert.equal(first.envelope?.subject, 'Crêpes');
      assert.equal(first.envelope?.from?.[0]?.address, 'alice@crepes.fr');
      assert.equal(first.bodyStructure?.type, 'multipart/mixed');
      assert.equal(first.bodyStructure?.childNodes?.[1]?.type, 'application/octet-stream');
      assert.match(first.source!.toString(), /^From: Alice/);
      assert.deepEqual([...messages[1]!.flags!], ['\\Seen']);

      const part = await client.download('1', '2', { uid: true });
      const chunks: Buffer[] = [];
      for await (const chunk of part.content!) chunks.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat(chunks), Buffer.from([0, 1, 2, 3]));

      assert.ok(await client.messageFlagsAdd('1', ['\\Flagged', '$Important'], { uid: true }));
      const flagged = await client.fetchOne('1', { flags: true }, { uid: true });
      assert.ok(flagged && flagged.flags!.has('$Important'));

      const copied = await client.messageCopy('1', 'Archive', { uid: true });
      assert.ok(copied && copied.uidMap && copied.uidMap.get(1) === 1);
      const moved = await client.messageMove('2', 'Trash', { uid: true });
      assert.ok(moved && moved.uidMap && moved.uidMap.get(2) === 1);
      assert.equal(client.mailbox && client.mailbox.exists, 1);
      assert.ok(await client.messageDelete('1', { uid: true }));
      assert.equal(client.mailbox && client.mailbox.exists, 0);

      // IDLE: imapflow idles on its own when nothing else runs; a delivery must show up as `exists`.
      const exists = new Promise<number>((resolve) =>
        client.once('exists', (e: { count: number }) => resolve(e.count)),
      );
      // Delivered while idling or just before: either way the session announces it (at once, or when IDLE starts).
      void client.idle().catch(() => {});
      await server.deliver('INBOX', 'Subject: during idle\n\nnew mail\n');
      assert.equal(await exists, 1);
    } finally {
      lock.release();
    }
    const status = await client.status('Archive', {
      messages: true,
      uidNext: true,
      unseen: true,
      highestModseq: true,
    });
    assert.ok(status);
    assert.equal(status.messages, 1);
    assert.equal(status.uidNext, 2);
    assert.equal(status.unseen, 1);
    assert.ok(typeof status.highestModseq === 'bigint' || typeof status.highestModseq === 'number');
    await client.logout();
  } finally {
    client.close();
    await server.close();
  }
});
