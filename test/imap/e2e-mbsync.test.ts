// mbsync (isync), an independent C client, syncs the server with a local Maildir both ways over imaps:
// server messages and mailboxes arrive locally, a local message is uploaded (APPEND), local flag changes
// reach the server (UID STORE), and a message expunged on the server disappears locally.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startTestImapServer } from '../support/imap-server.ts';

const run = promisify(execFile);
const hasMbsync = existsSync('/usr/bin/mbsync');

function maildirFiles(dir: string): string[] {
  return ['new', 'cur'].flatMap((sub) =>
    existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).map((f) => join(sub, f)) : [],
  );
}

test('mbsync syncs both ways', { skip: hasMbsync ? false : 'mbsync is not installed' }, async () => {
  const server = await startTestImapServer();
  try {
    await server.deliver('INBOX', 'From: alice@crepes.fr\nSubject: one\n\nfirst\n');
    await server.deliver('INBOX', 'From: alice@crepes.fr\nSubject: two\n\nsecond\n', ['\\Seen']);
    await server.deliver('Archive', 'From: carol@example.org\nSubject: old\n\nold\n');
    const local = join(server.t.dir, 'mail');
    mkdirSync(local, { recursive: true });
    const rc = join(server.t.dir, 'mbsyncrc');
    writeFileSync(
      rc,
      [
        'IMAPAccount test',
        'Host localhost', // the certificate names localhost; mbsync does not check IP addresses
        `Port ${server.imapsPort}`,
        `User ${server.user}`,
        `Pass ${server.password}`,
        'SSLType IMAPS',
        `CertificateFile ${server.certPath}`,
        '',
        'IMAPStore remote',
        'Account test',
        '',
        'MaildirStore local',
        `Path ${local}/`,
        `Inbox ${local}/INBOX`,
        'SubFolders Verbatim',
        '',
        'Channel sync',
        'Far :remote:',
        'Near :local:',
        'Patterns *',
        'Create Both',
        'Expunge Both',
        'SyncState *',
        '',
      ].join('\n'),
    );
    const sync = () => run('mbsync', ['-c', rc, '-a'], { timeout: 30_000 });

    await sync();
    assert.equal(maildirFiles(join(local, 'INBOX')).length, 2);
    assert.equal(maildirFiles(join(local, 'Archive')).length, 1);
    assert.ok(existsSync(join(local, 'Sent')), 'empty mailboxes are created too');
    const seen = maildirFiles(join(local, 'INBOX')).filter((f) => /:2,[A-Z]*S/.test(f));
    assert.equal(seen.length, 1, 'the \\Seen flag arrived');

    // Upload a new local message; flag the unseen server message locally.
    writeFileSync(
      join(local, 'INBOX', 'new', `${Date.now()}.local.mbsync-test`),
      'From: bob@hamburger.edu\r\nSubject: local\r\n\r\nfrom maildir\r\n',
    );
    const unseen = maildirFiles(join(local, 'INBOX')).find((f) => !/:2,[A-Z]*S/.test(f))!;
    const flagged = join('cur', unseen.split('/')[1]!.replace(/(:2,[A-Z]*)?$/, ':2,F'));
    renameSync(join(local, 'INBOX', unseen), join(local, 'INBOX', flagged));
    await sync();
    const inbox = (await server.t.store.mail.getMailbox(server.t.account.id, 'INBOX'))!;
    const records = await server.t.store.mail.listMessages(inbox.id);
    assert.equal(records.length, 3);
    assert.deepEqual(
      records.map((r) => r.flags.filter((f) => f !== '\\Recent').sort()),
      [['\\Flagged'], ['\\Seen'], []],
    );

    // Expunge on the server: the local copy goes away.
    await server.t.store.mail.expunge(inbox.id, [records[1]!.uid]);
    await sync();
    assert.equal(maildirFiles(join(local, 'INBOX')).length, 2);
  } finally {
    await server.close();
  }
});
