// Two sessions on one mailbox (RFC 9051 §5.5, §7.5): each sees the other's appends, flag changes and expunges
// as untagged responses at the allowed points only; UIDs are never reused and MODSEQ never decreases.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { startHarness, type ImapClientConnection, type ImapHarness } from '../support/imap-harness.ts';

let counter = 0;
let lastTagged = '';
async function command(c: ImapClientConnection, text: string): Promise<string[]> {
  const tag = `t${++counter}`;
  c.send(`${tag} ${text}\r\n`);
  const lines = await c.lines.until(tag);
  lastTagged = lines.at(-1)!;
  assert.match(lastTagged, new RegExp(`^${tag} OK`), `${text}: ${lines.join(' | ')}`);
  return lines.slice(0, -1);
}

function appendCommand(message: string): string {
  return `APPEND INBOX {${Buffer.byteLength(message)}+}\r\n${message}`;
}

async function open(h: ImapHarness, enable?: string): Promise<ImapClientConnection> {
  const c = h.connect();
  await c.lines.next(); // greeting
  await command(c, 'LOGIN bob@hamburger.edu secret');
  if (enable) await command(c, `ENABLE ${enable}`);
  await command(c, 'SELECT INBOX');
  return c;
}

describe('two sessions on one mailbox', () => {
  let h: ImapHarness;
  beforeEach(async () => {
    h = await startHarness();
    for (let i = 1; i <= 3; i++) await h.deliver('INBOX', `Subject: m${i}\n\nbody ${i}\n`);
  });
  afterEach(() => h.close());

  test('appends, flag changes and expunges reach the other session', async () => {
    const a = await open(h);
    const b = await open(h);

    await command(b, 'APPEND INBOX (\\Seen) {12+}\r\nSubject: x\r\n');
    assert.deepEqual(await command(a, 'NOOP'), ['* 4 EXISTS', '* 0 RECENT']);

    await command(b, 'STORE 2 +FLAGS.SILENT (\\Flagged)');
    assert.deepEqual(await command(a, 'NOOP'), ['* 2 FETCH (UID 2 FLAGS (\\Flagged))']);
    assert.deepEqual(await command(b, 'NOOP'), [], 'the session that stored is not told again');

    await command(b, 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.deepEqual(await command(b, 'EXPUNGE'), ['* 1 EXPUNGE']);
    // FETCH, STORE and SEARCH by sequence number must not bring the EXPUNGE (§7.5.1); flag updates may come.
    // Message 1 is gone from the store: FETCH returns nothing for it (RFC 2180 §4.1.2), and no EXPUNGE.
    assert.deepEqual(await command(a, 'FETCH 1 (UID)'), []);
    assert.match(lastTagged, /OK \[EXPUNGEISSUED\]/);
    assert.deepEqual(await command(a, 'FETCH 2 (UID)'), ['* 2 FETCH (UID 2)']);
    assert.deepEqual(await command(a, 'SEARCH ALL'), ['* SEARCH 2 3 4']);
    assert.deepEqual(await command(a, 'STORE 2 +FLAGS.SILENT (\\Answered)'), []);
    // A UID command may.
    assert.deepEqual(await command(a, 'UID SEARCH ALL'), ['* SEARCH 2 3 4', '* 1 EXPUNGE']);
    assert.deepEqual(await command(a, 'FETCH 1:* (UID FLAGS)'), [
      '* 1 FETCH (UID 2 FLAGS (\\Flagged \\Answered))',
      '* 2 FETCH (UID 3 FLAGS ())',
      '* 3 FETCH (UID 4 FLAGS (\\Seen))',
    ]);
    assert.deepEqual(await command(b, 'NOOP'), ['* 1 FETCH (UID 2 FLAGS (\\Flagged \\Answered))']);
  });

  test('IDLE sees appends by another session and by direct delivery at once', async () => {
    const a = await open(h);
    const b = await open(h);
    a.send('i1 IDLE\r\n');
    assert.equal(await a.lines.next(), '+ idling');
    await command(b, appendCommand('Subject: y\r\n'));
    assert.equal(await a.lines.next(), '* 4 EXISTS');
    assert.equal(await a.lines.next(), '* 0 RECENT');
    await h.deliver('INBOX', 'Subject: delivered\n\nhello\n');
    assert.equal(await a.lines.next(), '* 5 EXISTS');
    assert.equal(await a.lines.next(), '* 0 RECENT');
    assert.deepEqual(await command(b, 'NOOP'), ['* 5 EXISTS', '* 0 RECENT']);
    await command(b, 'STORE 5 +FLAGS.SILENT (\\Seen)');
    assert.equal(await a.lines.next(), '* 5 FETCH (UID 5 FLAGS (\\Seen))');
    await command(b, 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await command(b, 'EXPUNGE');
    assert.equal(await a.lines.next(), '* 1 FETCH (UID 1 FLAGS (\\Deleted))');
    assert.equal(await a.lines.next(), '* 1 EXPUNGE');
    a.send('DONE\r\n');
    assert.equal(await a.lines.next(), 'i1 OK IDLE terminated');
  });

  test('QRESYNC sessions get VANISHED; UIDs are never reused; MODSEQ never decreases', async () => {
    const a = await open(h, 'QRESYNC');
    const b = await open(h, 'CONDSTORE');
    const modseqs: number[] = [];
    const perUid = new Map<number, number>();
    const highestCodes: number[] = [];
    const note = (lines: string[]) => {
      for (const line of lines) {
        const fetch = /UID (\d+) .*MODSEQ \((\d+)\)|MODSEQ \((\d+)\) UID (\d+)/.exec(line);
        if (fetch) {
          const uid = Number(fetch[1] ?? fetch[4]);
          const modseq = Number(fetch[2] ?? fetch[3]);
          assert.ok(modseq >= (perUid.get(uid) ?? 0), `MODSEQ of UID ${uid} went down: ${line}`);
          perUid.set(uid, modseq);
          modseqs.push(modseq);
        }
        const code = /HIGHESTMODSEQ (\d+)/.exec(line);
        if (code) highestCodes.push(Number(code[1]));
      }
    };
    for (let round = 0; round < 12; round++) {
      await command(b, appendCommand(`Subject: r${round}\r\n`));
      note(await command(a, 'NOOP'));
      note(await command(b, `STORE ${1 + (round % 3)} +FLAGS (\\Seen)`));
      if (round % 2 === 1) {
        note(await command(b, 'STORE * +FLAGS.SILENT (\\Deleted)'));
        note(await command(b, 'EXPUNGE'));
        note([lastTagged]);
        const aLines = await command(a, 'NOOP');
        note(aLines);
        assert.ok(
          aLines.some((l) => /^\* VANISHED \d+$/.test(l)),
          aLines.join(' | '),
        );
        assert.ok(!aLines.some((l) => l.endsWith('EXPUNGE')));
      }
      const fetched = await command(a, 'UID FETCH 1:* (MODSEQ)');
      note(fetched);
    }
    const uids = (await command(a, 'UID SEARCH ALL'))[0]!.split(' ').slice(2).map(Number);
    // Expunged UIDs were the highest at the time; new ones must all be above every UID ever handed out.
    const status = (await command(b, 'STATUS INBOX (UIDNEXT MESSAGES HIGHESTMODSEQ)'))[0]!;
    const uidNext = Number(/UIDNEXT (\d+)/.exec(status)![1]);
    assert.equal(uidNext, 3 + 12 + 1, 'every append got a fresh UID');
    assert.ok(uids.every((u, i) => i === 0 || u > uids[i - 1]!));
    const highest = Number(/HIGHESTMODSEQ (\d+)/.exec(status)![1]);
    assert.ok(modseqs.length > 20);
    assert.ok(modseqs.every((m) => m <= highest));
    assert.ok(highestCodes.length >= 6);
    assert.ok(
      highestCodes.every((m, i) => i === 0 || m > highestCodes[i - 1]!),
      highestCodes.join(),
    );
  });
});
