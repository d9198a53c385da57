// Infrastructure faults answer NO [UNAVAILABLE]; unexpected errors NO [SERVERBUG] with the session id
// (DESIGN.md §3.3, §4.7). The session goes on afterwards.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MailboxService } from '../../src/mailbox/mailbox-service.ts';
import { StorageUnavailable, type MailStore } from '../../src/storage/ports.ts';
import { startHarness } from '../support/imap-harness.ts';

test('storage faults and bugs become NO [UNAVAILABLE] and NO [SERVERBUG]', async () => {
  const h = await startHarness();
  try {
    const failing = new Map<string, Error>();
    const real = h.t.store.mail;
    const mail = new Proxy(real, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const error = failing.get(String(name));
          if (error) return Promise.reject(error);
          return value.apply(target, args);
        };
      },
    }) as MailStore;
    h.context.mail = mail;
    h.context.mailboxes = new MailboxService(mail, h.t.store.changes);

    const c = h.connect();
    await c.lines.next();
    c.send('a1 LOGIN bob@hamburger.edu secret\r\n');
    await c.lines.until('a1');
    failing.set('listMailboxes', new StorageUnavailable('database is locked'));
    c.send('a2 LIST "" *\r\n');
    assert.equal(await c.lines.next(), 'a2 NO [UNAVAILABLE] Temporary failure, try again later');
    failing.clear();
    failing.set('getMailbox', new TypeError('x is undefined'));
    c.send('a3 SELECT INBOX\r\n');
    assert.equal(await c.lines.next(), 'a3 NO [SERVERBUG] Internal error (session test1)');
    failing.clear();
    await h.deliver('INBOX', 'Subject: x\n\nbody\n');
    c.send('a4 SELECT INBOX\r\n');
    assert.match((await c.lines.until('a4')).at(-1)!, /^a4 OK \[READ-WRITE\]/);
    failing.set('updateFlags', new StorageUnavailable('disk full'));
    c.send('a5 STORE 1 +FLAGS (\\Seen)\r\n');
    assert.equal(await c.lines.next(), 'a5 NO [UNAVAILABLE] Temporary failure, try again later');
    await h.deliver('INBOX', 'Subject: z\n\nbody\n');
    failing.set('append', new StorageUnavailable('disk full'));
    c.send('a6 APPEND INBOX {12+}\r\nSubject: y\r\n\r\n');
    // The delivery made meanwhile is announced before the tagged reply, whatever the command's result.
    assert.deepEqual(await c.lines.until('a6'), [
      '* 2 EXISTS',
      '* 0 RECENT',
      'a6 NO [UNAVAILABLE] Temporary failure, try again later',
    ]);
    failing.clear();
    c.send('a7 FETCH 1:* (FLAGS)\r\n');
    assert.deepEqual(await c.lines.until('a7'), [
      '* 1 FETCH (FLAGS ())',
      '* 2 FETCH (FLAGS ())',
      'a7 OK FETCH completed',
    ]);
  } finally {
    await h.close();
  }
});
