// Limits and abuse handling (DESIGN.md §4.7): line and literal sizes, failed logins, commands before login,
// invalid commands, timeouts, slow readers.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { startHarness, type ImapHarness } from '../support/imap-harness.ts';

describe('IMAP limits', () => {
  let h: ImapHarness;
  beforeEach(async () => {
    h = await startHarness({ config: { imap: { max_line_length: 8192, max_literal_size: 65536 } } });
  });
  afterEach(() => h.close());

  test('a line over max_line_length is refused and the session goes on', async () => {
    const c = h.connect();
    await c.lines.next();
    c.send(`a1 NOOP ${'x'.repeat(10_000)}\r\na2 NOOP\r\n`);
    assert.equal(await c.lines.next(), '* BAD [TOOBIG] command line too long');
    assert.equal(await c.lines.next(), 'a2 OK NOOP completed');
  });

  test('a synchronizing literal over the limit gets NO [TOOBIG] and no continuation', async () => {
    const c = h.connect();
    await c.lines.next();
    c.send('a1 LOGIN {9000}\r\n');
    assert.match((await c.lines.next())!, /^a1 NO \[TOOBIG\] /);
    c.send('a2 NOOP\r\n');
    assert.equal(await c.lines.next(), 'a2 OK NOOP completed');
  });

  test('a non-synchronizing literal over the limit is read and dropped, then refused', async () => {
    const c = h.connect();
    await c.lines.next();
    c.send(`a1 LOGIN {9000+}\r\n${'y'.repeat(9000)} secret\r\na2 NOOP\r\n`);
    assert.match((await c.lines.next())!, /^a1 NO \[TOOBIG\] /);
    assert.equal(await c.lines.next(), 'a2 OK NOOP completed');
  });

  test('deep SEARCH nesting and sequence sets with too many ranges are refused', async () => {
    const c = h.connect();
    await c.lines.next();
    c.send('a1 LOGIN bob@hamburger.edu secret\r\na2 SELECT INBOX\r\n');
    await c.lines.until('a2');
    c.send(`a3 SEARCH ${'('.repeat(40)}ALL${')'.repeat(40)}\r\n`);
    assert.match((await c.lines.next())!, /^a3 BAD /);
    c.send('a5 NOOP\r\n');
    assert.equal(await c.lines.next(), 'a5 OK NOOP completed');
    const wide = await startHarness(); // default max_line_length (65536) leaves room for 10,001 ranges
    try {
      const d = wide.connect();
      await d.lines.next();
      d.send('a1 LOGIN bob@hamburger.edu secret\r\na2 SELECT INBOX\r\n');
      await d.lines.until('a2');
      d.send(`a3 UID FETCH ${Array.from({ length: 10_001 }, (_, i) => 2 * i + 1).join(',')} FLAGS\r\n`);
      assert.match((await d.lines.next())!, /^a3 BAD .*ranges/);
      d.send(`a4 UID FETCH ${Array.from({ length: 10_000 }, (_, i) => 2 * i + 1).join(',')} FLAGS\r\n`);
      assert.equal(await d.lines.next(), 'a4 OK UID FETCH completed');
    } finally {
      await wide.close();
    }
  });

  test('failed logins wait longer each time, then BYE; unknown user and wrong password look the same', async () => {
    const c = h.connect();
    await c.lines.next();
    c.send('a1 LOGIN nobody@hamburger.edu secret\r\n');
    const unknown = await c.lines.next();
    c.send('a2 LOGIN bob@hamburger.edu wrong\r\n');
    const wrong = await c.lines.next();
    assert.equal(unknown!.slice(3), wrong!.slice(3));
    c.send('a3 LOGIN bob@hamburger.edu wrong\r\n');
    assert.equal(await c.lines.next(), 'a3 NO [AUTHENTICATIONFAILED] Authentication failed');
    assert.equal(await c.lines.next(), '* BYE Too many authentication failures');
    assert.equal(await c.lines.next(), null);
    assert.deepEqual(h.delays, [100, 200, 400]);
  });

  test('too many commands before authentication end the session', async () => {
    const c = h.connect();
    await c.lines.next();
    c.send('a NOOP\r\n'.repeat(51));
    const lines: string[] = [];
    for (let l = await c.lines.next(); l !== null; l = await c.lines.next()) lines.push(l);
    assert.equal(lines.length, 51);
    assert.equal(lines.at(-1), '* BYE Too many commands without authentication');
  });

  test('twenty invalid commands in a row end the session', async () => {
    const c = h.connect();
    await c.lines.next();
    c.send('a1 LOGIN bob@hamburger.edu secret\r\n');
    await c.lines.next();
    c.send('b BOGUS\r\n'.repeat(20));
    const lines: string[] = [];
    for (let l = await c.lines.next(); l !== null; l = await c.lines.next()) lines.push(l);
    assert.equal(lines.length, 21);
    assert.equal(lines.at(-1), '* BYE Too many invalid commands');
  });

  test('an idle session is logged out (timeout)', async () => {
    h.config.imap.preauth_timeout_s = 0.05; // below the schema minimum, for the test only
    const c = h.connect();
    await c.lines.next();
    assert.equal(await c.lines.next(), '* BYE Autologout; idle for too long');
    assert.equal(await c.lines.next(), null);
  });

  test('a reader that does not read is disconnected once max_output_buffer is exceeded', async () => {
    const big = `Subject: big\r\n\r\n${'z'.repeat(60_000)}\r\n`;
    for (let i = 0; i < 5; i++) await h.deliver('INBOX', big);
    h.config.imap.max_output_buffer = 100_000;
    const c = h.connect();
    await c.lines.next();
    c.send('a1 LOGIN bob@hamburger.edu secret\r\na2 SELECT INBOX\r\na3 FETCH 1:* BODY.PEEK[]\r\n');
    c.stream.pause();
    await c.done; // the session ended by itself
    c.stream.resume();
    const lines: string[] = [];
    for (let l = await c.lines.next(); l !== null; l = await c.lines.next()) lines.push(l);
    assert.equal(
      lines.some((l) => l.startsWith('a3 OK')),
      false,
    );
  });
});
