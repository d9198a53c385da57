// mutt as Alice's and Bob's mail client against Posthorn. Sending: batch mode (`mutt -s … -- rcpt < body`)
// through submission with STARTTLS (certificate verified by GnuTLS) and AUTH, with an FCC copy APPENDed to
// Sent over IMAP. Reading: mutt's curses interface in a pseudo-terminal (`script`), driven by `push`: pipe
// the decoded message to a file, flag it, save it to a new mailbox, sync and quit. Asserts on what Bob
// received, what the pipe wrote, and what the server stores afterwards.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runOk } from '../e2e/support/child.ts';
import { startNode, type PosthornNode } from '../e2e/support/posthorn-node.ts';
import { assertTracePrefixOnly } from '../e2e/support/trace-prefix.ts';
import { skipUnlessInstalled } from './support/tools.ts';

const ALICE = { address: 'alice@crepes.fr', password: 'alice-mutt-pw', name: 'Alice' };
const BOB = { address: 'bob@crepes.fr', password: 'bob-mutt-pw', name: 'Bob' };

const bodyOf = (message: Buffer) => message.subarray(message.indexOf('\r\n\r\n') + 4);

describe('mutt ↔ Posthorn', { skip: skipUnlessInstalled('mutt', 'script') }, () => {
  let node: PosthornNode;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  function muttrc(user: typeof ALICE): string {
    const path = join(dir, `${user.name}.muttrc`);
    const lines = [
      `set realname="${user.name}"`,
      `set from="${user.address}"`,
      'set use_from=yes',
      'set envelope_from=yes',
      `set smtp_url="smtp://${encodeURIComponent(user.address)}@127.0.0.1:${node.port('submission')}/"`,
      `set smtp_pass="${user.password}"`,
      'set ssl_starttls=yes',
      'set ssl_force_tls=yes',
      `set ssl_ca_certificates_file="${node.certFile}"`,
      `set certificate_file="${join(dir, 'certificates')}"`,
      `set imap_user="${user.address}"`,
      `set imap_pass="${user.password}"`,
      `set folder="imap://127.0.0.1:${node.port('imap')}/"`,
      'set spoolfile="+INBOX"',
      'set record="+Sent"',
      'set charset="utf-8"',
      'set send_charset="utf-8"',
      'set header_cache=""',
      'set message_cachedir=""',
      // Nothing may wait for a key or ask a question: the session is scripted.
      'set confirmcreate=no',
      'set confirmappend=no',
      'set quit=yes',
      'set wait_key=no',
      'set delete=yes',
      'set move=no',
      'set resolve=no',
      'set pipe_decode=yes',
      'set beep=no',
    ];
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-mutt-'));
    node = await startNode({
      domain: 'crepes.fr',
      hostname: 'mx.crepes.fr',
      listeners: ['submission', 'imap'],
      accounts: { [ALICE.address]: ALICE.password, [BOB.address]: BOB.password },
    });
    // A home of its own: no ~/.muttrc, no ~/Mail of the machine's user.
    env = {
      ...process.env,
      HOME: dir,
      TERM: 'xterm',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      COLUMNS: '120',
      LINES: '40',
    };
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('batch send through submission (STARTTLS, AUTH), FCC to Sent over IMAP', async () => {
    await runOk('mutt', ['-n', '-F', muttrc(ALICE), '-s', 'Crêpes ce soir', '--', BOB.address], {
      input: 'Bob, des crêpes ce soir ?\n.\nAlice\n',
      env,
    });
    const [received] = await node.waitForMessages(BOB.address, 1);
    const text = received!.toString('utf8');
    assert.match(text, /^From: Alice <alice@crepes\.fr>\r$/m);
    assert.match(text, /^Subject: =\?utf-8\?Q\?Cr=C3=AApes\?= ce soir\r$/m);
    assert.match(
      text,
      /^Received: from \S+ \(\[127\.0\.0\.1\]\)\r\n\tby mx\.crepes\.fr \(Posthorn\) with ESMTPSA \(TLSv1\.3 /m,
    );
    assert.equal(bodyOf(received!).toString('utf8'), 'Bob, des crêpes ce soir ?\r\n.\r\nAlice\r\n');

    // mutt wrote its FCC copy with APPEND: the same message (mutt regenerates the Date field for it).
    const sent = await node.messages(ALICE.address, 'Sent');
    assert.equal(sent.length, 1);
    const messageId = /^Message-ID: (.*)\r$/m.exec(text)![1];
    assert.match(
      sent[0]!.toString('utf8'),
      new RegExp(`^Message-ID: ${messageId!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\r$`, 'm'),
    );
    assert.ok(bodyOf(sent[0]!).equals(bodyOf(received!)));
    assertTracePrefixOnly(received!, received!.subarray(received!.indexOf('Date: ')), 'Bob’s copy');
  });

  test('reading over IMAP: pipe the decoded message, flag it, save it to a new mailbox, expunge', async () => {
    const inboxBefore = (await node.mailbox(BOB.address, 'INBOX'))!.messages;
    assert.equal(inboxBefore.length, 1);
    const piped = join(dir, 'piped.txt');
    const keys = `<pipe-message>cat > ${piped}<enter><flag-message><save-message>=Projects<enter><sync-mailbox><quit>`;
    const mutt = `mutt -n -F ${muttrc(BOB)} -e 'push "${keys}"'`;
    await runOk('script', ['-qec', mutt, '/dev/null'], { env, timeoutMs: 30_000 });

    const shown = readFileSync(piped, 'utf8');
    assert.match(shown, /^Subject: Crêpes ce soir$/m, 'pipe_decode decodes the encoded word');
    assert.match(shown, /\n\nBob, des crêpes ce soir \?\n\.\nAlice\n$/);

    assert.deepEqual((await node.mailbox(BOB.address, 'INBOX'))!.messages, [], 'saved, deleted and expunged');
    const projects = (await node.mailbox(BOB.address, 'Projects'))!.messages;
    assert.equal(projects.length, 1);
    assert.ok(projects[0]!.bytes.equals(inboxBefore[0]!.bytes), 'UID COPY keeps the bytes');
    assert.ok(projects[0]!.flags.includes('\\Flagged'), `flags ${projects[0]!.flags.join(' ')}`);
  });
});
