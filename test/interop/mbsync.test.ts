// mbsync (isync) keeps a local Maildir and a Posthorn account in step over IMAP with STARTTLS: the first sync
// brings messages and flags down; then each side changes (a flag, a new message, a deletion, and a new
// mailbox made locally) and the next sync carries every change across; a third sync changes nothing on
// either side (same files, same UIDs, flags and MODSEQs).

import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runOk } from '../e2e/support/child.ts';
import { startNode, type PosthornNode } from '../e2e/support/posthorn-node.ts';
import { skipUnlessInstalled } from './support/tools.ts';

const ALICE = { address: 'alice@crepes.fr', password: 'alice-mbsync-pw' };

const message = (subject: string, body = `${subject}\r\n`) =>
  Buffer.from(
    `From: Bob <bob@hamburger.edu>\r\nTo: alice@crepes.fr\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/ /g, '-')}@mbsync.test>\r\n\r\n${body}`,
  );

interface LocalMessage {
  file: string;
  subject: string;
  /** Maildir info flags (D F P R S T), e.g. "FS". */
  flags: string;
  bytes: Buffer;
}

function localMailbox(dir: string): LocalMessage[] {
  const found: LocalMessage[] = [];
  for (const sub of ['new', 'cur']) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const bytes = readFileSync(join(dir, sub, name));
      const subject = /^Subject: (.*)$/m.exec(bytes.toString())?.[1]?.trim() ?? '';
      found.push({ file: join(sub, name), subject, flags: /:2,([A-Z]*)$/.exec(name)?.[1] ?? '', bytes });
    }
  }
  return found.sort((a, b) => a.subject.localeCompare(b.subject));
}

/** mbsync adds X-TUID to the messages it copies (to find their UID again); the rest must be unchanged. */
const withoutTuid = (bytes: Buffer) =>
  Buffer.from(bytes.toString('latin1').replace(/^X-TUID: [^\r\n]*\r?\n/m, ''), 'latin1');

describe('mbsync ↔ Posthorn', { skip: skipUnlessInstalled('mbsync') }, () => {
  let node: PosthornNode;
  let dir: string;
  let local: string;
  let rc: string;
  const sync = () => runOk('mbsync', ['-c', rc, '-a'], { timeoutMs: 60_000 });

  async function serverState() {
    const state: Record<string, unknown> = {};
    for (const name of await node.mailboxNames(ALICE.address)) {
      const box = (await node.mailbox(ALICE.address, name))!;
      state[name] = {
        uidValidity: box.uidValidity,
        highestModSeq: box.highestModSeq,
        messages: box.messages.map((m) => `${m.uid} ${[...m.flags].sort().join(' ')}`),
      };
    }
    return state;
  }
  async function serverSubjects(name: string) {
    const box = await node.mailbox(ALICE.address, name);
    return (box?.messages ?? []).map((m) => ({
      subject: /^Subject: (.*)$/m.exec(m.bytes.toString())?.[1]?.trim() ?? '',
      flags: [...m.flags].sort(),
      bytes: m.bytes,
      uid: m.uid,
    }));
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-mbsync-'));
    local = join(dir, 'Mail');
    mkdirSync(local);
    node = await startNode({
      domain: 'crepes.fr',
      hostname: 'mx.crepes.fr',
      listeners: ['imap'],
      accounts: { [ALICE.address]: ALICE.password },
    });
    rc = join(dir, 'mbsyncrc');
    writeFileSync(
      rc,
      [
        'IMAPAccount posthorn',
        'Host localhost', // the certificate names localhost (and 127.0.0.1, which mbsync does not check)
        `Port ${node.port('imap')}`,
        `User ${ALICE.address}`,
        `Pass ${ALICE.password}`,
        'SSLType STARTTLS',
        `CertificateFile ${node.certFile}`,
        '',
        'IMAPStore remote',
        'Account posthorn',
        '',
        'MaildirStore local',
        `Path ${local}/`,
        `Inbox ${local}/INBOX`,
        'SubFolders Verbatim',
        '',
        'Channel posthorn',
        'Far :remote:',
        'Near :local:',
        'Patterns *',
        'Create Both',
        'Remove Both',
        'Expunge Both',
        'SyncState *',
        '',
      ].join('\n'),
    );
    await node.deliver(ALICE.address, 'INBOX', message('m1 unread'));
    await node.deliver(ALICE.address, 'INBOX', message('m2 read'), ['\\Seen']);
    await node.deliver(ALICE.address, 'INBOX', message('m3 deleted on the server'));
    await node.deliver(ALICE.address, 'INBOX', message('m4 deleted locally'));
    await node.deliver(ALICE.address, 'Archive', message('old one', 'from the archive\r\n'), [
      '\\Seen',
      '$Label1',
    ]);
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('first sync: every mailbox, message and flag comes down, bytes unchanged', async () => {
    await sync();
    const inbox = localMailbox(join(local, 'INBOX'));
    assert.deepEqual(
      inbox.map((m) => [m.subject, m.flags]),
      [
        ['m1 unread', ''],
        ['m2 read', 'S'],
        ['m3 deleted on the server', ''],
        ['m4 deleted locally', ''],
      ],
    );
    const server = await serverSubjects('INBOX');
    for (const m of inbox) {
      // mbsync keeps Maildir files with LF line ends, and its X-TUID field; otherwise the server's bytes.
      const stored = server.find((s) => s.subject === m.subject)!.bytes;
      assert.equal(withoutTuid(m.bytes).toString('latin1'), stored.toString('latin1').replace(/\r\n/g, '\n'));
    }
    assert.deepEqual(
      localMailbox(join(local, 'Archive')).map((m) => [m.subject, m.flags]),
      [['old one', 'S']],
    );
    for (const name of ['Drafts', 'Sent', 'Trash', 'Junk']) {
      assert.ok(readdirSync(join(local, name)).includes('cur'), `${name} exists locally`);
    }
  });

  test('second sync carries changes made on each side', async () => {
    // Local side: flag m1, delete m4, a new mailbox with a new message.
    const inbox = join(local, 'INBOX');
    const m1 = localMailbox(inbox).find((m) => m.subject === 'm1 unread')!;
    const flaggedName = m1.file.replace(/^new\//, 'cur/').replace(/(:2,[A-Z]*)?$/, ':2,F');
    renameSync(join(inbox, m1.file), join(inbox, flaggedName));
    unlinkSync(join(inbox, localMailbox(inbox).find((m) => m.subject === 'm4 deleted locally')!.file));
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(local, 'Recipes', sub), { recursive: true });
    const recipe = message('crepe batter', 'flour, eggs, milk\r\n');
    writeFileSync(join(local, 'Recipes', 'new', `${Date.now()}.1.mbsync-test`), recipe);
    // Server side: a new message, \Answered on m2, m3 expunged.
    await node.deliver(ALICE.address, 'INBOX', message('m5 new on the server'));
    const box = (await node.mailbox(ALICE.address, 'INBOX'))!;
    const bySubject = async (s: string) => (await serverSubjects('INBOX')).find((m) => m.subject === s)!.uid;
    await node.store.mail.updateFlags(box.id, [await bySubject('m2 read')] as never, {
      op: 'add',
      flags: ['\\Answered'],
    });
    await node.store.mail.expunge(box.id, [await bySubject('m3 deleted on the server')] as never);

    await sync();

    assert.deepEqual(
      (await serverSubjects('INBOX')).map((m) => [m.subject, m.flags]),
      [
        ['m1 unread', ['\\Flagged']],
        ['m2 read', ['\\Answered', '\\Seen']],
        ['m5 new on the server', []],
      ],
    );
    const recipes = await serverSubjects('Recipes');
    assert.deepEqual(
      recipes.map((m) => m.subject),
      ['crepe batter'],
    );
    assert.ok(withoutTuid(recipes[0]!.bytes).equals(recipe), 'the uploaded message is stored as sent');
    assert.deepEqual(
      localMailbox(inbox).map((m) => [m.subject, m.flags]),
      [
        ['m1 unread', 'F'],
        ['m2 read', 'RS'],
        ['m5 new on the server', ''],
      ],
    );
  });

  test('a third sync changes nothing on either side', async () => {
    const files = () =>
      ['INBOX', 'Archive', 'Recipes']
        .flatMap((name) => localMailbox(join(local, name)).map((m) => `${name}/${m.file}`))
        .sort();
    const before = { local: files(), server: await serverState() };
    await sync();
    assert.deepEqual({ local: files(), server: await serverState() }, before);
  });
});
