// A mailbox of 100,000 messages: SELECT, FETCH 1:* (FLAGS), UID FETCH, SEARCH on flags and a STORE stay fast
// (records from the index, sequence numbers by binary search, output written in large chunks).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage } from '../../src/message/parse.ts';
import { startHarness } from '../support/imap-harness.ts';

const COUNT = 100_000;

test(`${COUNT} messages: SELECT, FETCH 1:* FLAGS, SEARCH and STORE answer correctly`, async () => {
  const h = await startHarness();
  try {
    const inbox = await h.mailbox('INBOX');
    const bytes = Buffer.from('Subject: bulk\r\n\r\nbody\r\n');
    const blobId = await h.t.store.mail.putBlob(bytes, parseMessage(bytes));
    const date = new Date('2026-01-01T00:00:00Z');
    await h.t.store.mail.append(
      inbox.id,
      Array.from({ length: COUNT }, (_, i) => ({
        blobId,
        flags: i % 10 === 0 ? [] : ['\\Seen'],
        internalDate: date,
      })),
    );
    const c = h.connect();
    await c.lines.next();
    c.send('a1 LOGIN bob@hamburger.edu secret\r\n');
    await c.lines.until('a1');

    const timed = async (tag: string, command: string) => {
      const started = performance.now();
      c.send(`${tag} ${command}\r\n`);
      const lines = await c.lines.until(tag, 60_000);
      return { lines, ms: performance.now() - started };
    };
    const select = await timed('a2', 'SELECT INBOX');
    assert.ok(select.lines.includes(`* ${COUNT} EXISTS`));
    const fetch = await timed('a3', 'FETCH 1:* (FLAGS)');
    assert.equal(fetch.lines.length, COUNT + 1);
    assert.equal(fetch.lines[COUNT - 1], `* ${COUNT} FETCH (FLAGS (\\Seen))`);
    const uidFetch = await timed('a4', `UID FETCH ${COUNT - 9}:* (FLAGS)`);
    assert.equal(uidFetch.lines.length, 11);
    const search = await timed('a5', 'SEARCH UNSEEN');
    assert.equal(search.lines[0]!.split(' ').length, 2 + COUNT / 10);
    const store = await timed('a6', `STORE ${COUNT} +FLAGS (\\Flagged)`);
    assert.equal(store.lines[0], `* ${COUNT} FETCH (UID ${COUNT} FLAGS (\\Seen \\Flagged))`);
    console.log(
      `100k: SELECT ${select.ms.toFixed(0)} ms, FETCH 1:* FLAGS ${fetch.ms.toFixed(0)} ms, ` +
        `UID FETCH tail ${uidFetch.ms.toFixed(0)} ms, SEARCH UNSEEN ${search.ms.toFixed(0)} ms, STORE ${store.ms.toFixed(0)} ms`,
    );
    // Timings are printed, not asserted: speed targets live in `npm run bench` (docs/performance.md).
  } finally {
    await h.close();
  }
});
