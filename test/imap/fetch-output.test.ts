// FETCH output and the data it loads: many messages leave byte for byte in few large writes, the whole
// message (BODY[], BINARY[], RFC822) needs no parse tree, and FETCH/SEARCH over the whole mailbox do not
// read every message row again (the records kept since SELECT follow the store's changes).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MailboxService } from '../../src/mailbox/mailbox-service.ts';
import type { MailStore } from '../../src/storage/ports.ts';
import { startHarness, type ImapClientConnection, type ImapHarness } from '../support/imap-harness.ts';

function message(i: number): Buffer {
  const head = Buffer.from(`Subject: message ${i}\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n`);
  if (i % 50 === 2) return Buffer.concat([head, Buffer.alloc(100_000 + i, 0x42), Buffer.from('\r\n')]);
  if (i % 3 === 1) {
    const body = Buffer.alloc(5_000 + i);
    for (let k = 0; k < body.length; k++) body[k] = k % 80 === 79 ? 0x0a : 0x80 + ((k * 7 + i) % 0x7f);
    return Buffer.concat([head, body, Buffer.from('\r\n')]);
  }
  return Buffer.concat([head, Buffer.from(`body ${i}\r\n`)]);
}

async function login(h: ImapHarness): Promise<ImapClientConnection> {
  const c = h.connect();
  await c.lines.next();
  c.send('a1 LOGIN bob@hamburger.edu secret\r\n');
  await c.lines.until('a1');
  return c;
}

/** Everything the client receives from now until `tail` (inclusive). */
function capture(c: ImapClientConnection, tail: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const all = Buffer.concat(chunks, size);
      if (all.subarray(-tail.length).toString('latin1') === tail) {
        c.stream.off('data', onData);
        resolve(all);
      }
    };
    c.stream.on('data', onData);
  });
}

/** Wraps a store so that chosen methods fail, and counts calls. */
function instrumented(real: MailStore) {
  const calls = new Map<string, number>();
  const failing = new Map<string, Error>();
  const mail = new Proxy(real, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        const error = failing.get(String(name));
        if (error) return Promise.reject(error);
        return value.apply(target, args);
      };
    },
  }) as MailStore;
  return { mail, calls, failing };
}

test('FETCH BODY[] of 300 messages (small, 8-bit, over 64 KB) arrives byte for byte in few writes', async () => {
  const h = await startHarness();
  try {
    const bodies: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      bodies.push(message(i));
      await h.deliver('INBOX', bodies[i]!);
    }
    const c = await login(h);
    c.send('a2 SELECT INBOX\r\n');
    await c.lines.until('a2');
    const stream = c.session.transport.stream;
    let writes = 0;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((...args: unknown[]) => {
      writes++;
      return write(...args);
    }) as typeof stream.write;
    const received = capture(c, 'a3 OK FETCH completed\r\n');
    c.send('a3 FETCH 1:* (UID BODY.PEEK[])\r\n');
    const expected = Buffer.concat([
      ...bodies.flatMap((bytes, i) => [
        Buffer.from(`* ${i + 1} FETCH (UID ${i + 1} BODY[] {${bytes.length}}\r\n`),
        bytes,
        Buffer.from(')\r\n'),
      ]),
      Buffer.from('a3 OK FETCH completed\r\n'),
    ]);
    assert.ok((await received).equals(expected), 'the exact octets of every message, in order');
    // 2.6 MB: about one write per 64 KB (and one per message over 64 KB), not one per response part.
    assert.ok(writes < 100, `${writes} writes`);
  } finally {
    await h.close();
  }
});

test('BODY[], BINARY[] and RFC822 of the whole message do not need the parse tree', async () => {
  const h = await startHarness();
  try {
    const bytes = Buffer.from('Subject: hi\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n');
    await h.deliver('INBOX', bytes);
    const { mail, failing } = instrumented(h.t.store.mail);
    h.context.mail = mail;
    h.context.mailboxes = new MailboxService(mail, h.t.store.changes);
    const c = await login(h);
    c.send('a2 SELECT INBOX\r\n');
    await c.lines.until('a2');
    // A stored parse tree that cannot be read (corrupt JSON, lost row): the whole message is still served.
    failing.set('getBlob', new SyntaxError('Unexpected token in JSON'));
    failing.set('getBlobs', new SyntaxError('Unexpected token in JSON'));
    const literal = `{${bytes.length}}`;
    c.send('a3 FETCH 1 (BODY.PEEK[] BINARY.PEEK[] BINARY.SIZE[] RFC822 BODY.PEEK[]<0.7>)\r\n');
    assert.equal(await c.lines.next(), `* 1 FETCH (BODY[] ${literal}`);
    assert.deepEqual(await c.lines.bytes(bytes.length), bytes);
    assert.equal(await c.lines.next(), ` BINARY[] ${literal}`);
    assert.deepEqual(await c.lines.bytes(bytes.length), bytes);
    assert.equal(await c.lines.next(), ` BINARY.SIZE[] ${bytes.length} RFC822 ${literal}`);
    assert.deepEqual(await c.lines.bytes(bytes.length), bytes);
    assert.equal(await c.lines.next(), ` BODY[]<0> {7}`);
    assert.equal((await c.lines.bytes(7)).toString(), 'Subject');
    assert.equal(await c.lines.next(), ' FLAGS (\\Seen))');
    assert.equal(await c.lines.next(), 'a3 OK FETCH completed');
    // A part, the header or the structure do need it: the failure shows.
    c.send('a4 FETCH 1 (BODY.PEEK[HEADER])\r\n');
    assert.match((await c.lines.until('a4')).at(-1)!, /^a4 NO \[SERVERBUG\]/);
  } finally {
    await h.close();
  }
});

test('FETCH and SEARCH over the whole mailbox read no message rows after SELECT, and see every change', async () => {
  const h = await startHarness();
  try {
    const inbox = await h.mailbox('INBOX');
    for (let i = 0; i < 600; i++)
      await h.deliver('INBOX', `Subject: ${i}\n\nbody\n`, i % 2 ? ['\\Seen'] : []);
    const { mail, calls } = instrumented(h.t.store.mail);
    h.context.mail = mail;
    h.context.mailboxes = new MailboxService(mail, h.t.store.changes);
    const c = await login(h);
    c.send('a2 SELECT INBOX\r\n');
    await c.lines.until('a2');
    const listed = () => (calls.get('listMessages') ?? 0) + (calls.get('getMessages') ?? 0);
    assert.equal(listed(), 1, 'SELECT lists the messages once');

    c.send('a3 FETCH 1:* (FLAGS)\r\n');
    const fetched = await c.lines.until('a3');
    assert.equal(fetched.length, 601);
    assert.equal(fetched[1], '* 2 FETCH (FLAGS (\\Seen))');
    c.send('a4 SEARCH UNSEEN\r\n');
    const unseen = (await c.lines.until('a4'))[0]!.split(' ').slice(2);
    assert.equal(unseen.length, 300);
    assert.equal(listed(), 1, 'FETCH 1:* and SEARCH read no rows again');

    // Changes made elsewhere, straight in the store: the next command sees them.
    await h.t.store.mail.updateFlags(inbox.id, [4 as never], { op: 'add', flags: ['\\Flagged'] });
    await h.t.store.mail.expunge(inbox.id, [6 as never]);
    await h.deliver('INBOX', 'Subject: new\n\nbody\n', ['$Important']);
    c.send('a5 FETCH 4:7 (UID FLAGS)\r\n');
    const lines = await c.lines.until('a5');
    assert.equal(lines[0], '* 4 FETCH (UID 4 FLAGS (\\Seen \\Flagged))');
    assert.equal(lines[1], '* 5 FETCH (UID 5 FLAGS ())');
    assert.equal(lines[2], '* 7 FETCH (UID 7 FLAGS ())', 'message 6 is gone and left out');
    assert.equal(lines.at(-1), 'a5 OK [EXPUNGEISSUED] FETCH completed');
    c.send('a6 NOOP\r\n');
    await c.lines.until('a6');
    c.send('a7 UID FETCH 601 (FLAGS)\r\n');
    assert.deepEqual(await c.lines.until('a7'), [
      '* 600 FETCH (UID 601 FLAGS ($Important))',
      'a7 OK UID FETCH completed',
    ]);
    assert.equal(listed(), 1);
  } finally {
    await h.close();
  }
});

test('a message larger than the slow-reader limit is fetched whole by a client that reads', async () => {
  const h = await startHarness({ config: { imap: { max_output_buffer: 1024 * 1024 } } });
  try {
    const bytes = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.alloc(3 * 1024 * 1024, 0x41)]);
    await h.deliver('INBOX', bytes);
    const c = await login(h);
    c.send('a2 SELECT INBOX\r\n');
    await c.lines.until('a2');
    c.send('a3 FETCH 1 BODY.PEEK[]\r\n');
    assert.equal(await c.lines.next(), `* 1 FETCH (BODY[] {${bytes.length}}`);
    assert.ok((await c.lines.bytes(bytes.length)).equals(bytes));
    assert.deepEqual(await c.lines.until('a3'), [')', 'a3 OK FETCH completed']);
  } finally {
    await h.close();
  }
});
