// End to end, as a user would: `node src/main.ts mail …` processes with real arguments and XDG_CONFIG_HOME
// in a temporary directory, against a whole Posthorn (submission + IMAP, STARTTLS with its self-signed
// certificate trusted through ca_file). Alice and Bob are local users of that server.
// The tests run in order and build on each other, like a session at the terminal.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPosthorn, type RunningPosthorn } from './posthorn-server.ts';
import { mailRunner, waitForOutput, type MailResult, type MailRunner } from './run-mail.ts';

interface Summary {
  uid: number;
  subject: string;
  flags: string[];
  from: Array<{ name: string | null; address: string }>;
  messageId: string | null;
  inReplyTo: string | null;
  isReply: boolean;
}
interface Page {
  mailbox: string;
  total: number;
  messages: Summary[];
}
interface Message {
  uid: number;
  subject: string;
  flags: string[];
  text: string;
  from: Array<{ name: string | null; address: string }>;
  to: Array<{ name: string | null; address: string }>;
  bcc: Array<{ name: string | null; address: string }>;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  attachments: Array<{ index: number; filename: string | null; contentType: string; size: number }>;
}

function ok(result: MailResult): MailResult {
  assert.equal(result.code, 0, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}
function json<T>(result: MailResult): T {
  return JSON.parse(ok(result).stdout) as T;
}

describe('posthorn mail against a running Posthorn', () => {
  let server: RunningPosthorn;
  let home: string;
  let mail: MailRunner;
  const ids: Record<string, string> = {};

  before(async () => {
    server = await startPosthorn();
    home = mkdtempSync(join(tmpdir(), 'posthorn-mua-home-'));
    mail = mailRunner(home, { ALICE_PW: server.alice.password, BOB_PW: server.bob.password });
  });
  after(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const alice = (args: string[], options?: { stdin?: string; env?: Record<string, string> }) =>
    mail.run(['-a', 'alice', ...args].slice(0), options).then((r) => r);
  const bob = (args: string[], options?: { stdin?: string; env?: Record<string, string> }) =>
    mail.run([...args, '-a', 'bob'], options);

  test('account add (non-interactive) for both users; the first is the default', async () => {
    for (const [user, env] of [
      [server.alice, 'ALICE_PW'],
      [server.bob, 'BOB_PW'],
    ] as const) {
      ok(
        await mail.run([
          'account',
          'add',
          user.address,
          '--imap',
          `127.0.0.1:${server.imapPort}`,
          '--smtp',
          `127.0.0.1:${server.submissionPort}`,
          '--tls',
          'starttls',
          '--password-env',
          env,
          '--ca-file',
          server.certPath,
          '--check',
          '--yes',
        ]),
      );
    }
    const toml = readFileSync(join(home, '.config', 'posthorn', 'mail.toml'), 'utf8');
    assert.doesNotMatch(toml, /secret/, 'no password in the file');
    const list = json<{ accounts: Array<{ name: string; default: boolean; password: string }> }>(
      await mail.run(['account', 'list', '--json']),
    );
    assert.deepEqual(
      list.accounts.map((a) => [a.name, a.default, a.password]),
      [
        ['alice', true, 'env'],
        ['bob', false, 'env'],
      ],
    );
  });

  test('account add (interactive): answers on stdin, login checked with the typed password, confirmed', async () => {
    const other = mailRunner(mkdtempSync(join(home, 'second-home-')));
    const flags = ['--imap', `127.0.0.1:${server.imapPort}`, '--smtp', `127.0.0.1:${server.submissionPort}`];
    const answers = `Alice Crêpe\n${server.alice.password}\n\nALICE_PW\ny\n`;
    const added = ok(
      await other.run(
        ['account', 'add', 'alice@crepes.fr', ...flags, '--tls', 'starttls', '--ca-file', server.certPath],
        {
          stdin: answers,
        },
      ),
    );
    assert.match(added.stderr, /Checking the login at 127\.0\.0\.1 and 127\.0\.0\.1…\nLogin works\./);
    assert.match(added.stderr, /Save to .*mail\.toml\? \[Y\/n\]: Saved account "alice" \(the default\)/);
    assert.doesNotMatch(added.stderr + added.stdout, new RegExp(server.alice.password));
    const wrong = await other.run(
      [
        'account',
        'add',
        'alice@crepes.fr',
        '--name',
        'again',
        ...flags,
        '--tls',
        'starttls',
        '--ca-file',
        server.certPath,
      ],
      {
        stdin: `\nnot-the-password\n`,
      },
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /posthorn: IMAP 127\.0\.0\.1:\d+: login failed for alice@crepes\.fr/);
  });

  test('a wrong password is one clear line', async () => {
    const result = await mail.run(['list'], { env: { ALICE_PW: 'wrong' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^posthorn: IMAP 127\.0\.0\.1:\d+: login failed for alice@crepes\.fr/);
  });

  test('alice sends to bob while bob watches his INBOX: it arrives at once', async () => {
    const watch = mail.spawn(['watch', '-a', 'bob', '--count', '1', '--json']);
    const exited = new Promise<number | null>((resolve) => watch.once('close', resolve));
    await waitForOutput(watch, 'stderr', /Watching INBOX \(0 messages\)/);
    const arrived = waitForOutput(watch, 'stdout', /\n/);
    const sent = ok(
      await mail.run([
        'send',
        '--to',
        'Bob <bob@hamburger.edu>',
        '--subject',
        'Crêpes tonight?',
        '--body',
        'Hello Bob,\nare you coming tonight?\n— Alice',
      ]),
    );
    assert.match(sent.stderr, /^Sent <[^>]+@crepes\.fr> to bob@hamburger\.edu\nCopy saved in Sent\n$/);
    const line = JSON.parse((await arrived).trim()) as Summary & { mailbox: string };
    assert.equal(line.subject, 'Crêpes tonight?');
    assert.equal(line.mailbox, 'INBOX');
    assert.deepEqual(line.from, [{ name: null, address: 'alice@crepes.fr' }]);
    assert.equal(await exited, 0);
    ids['first'] = line.messageId!;
  });

  test('bob lists and reads it; reading marks it read', async () => {
    const page = json<Page>(await bob(['list', '--json']));
    assert.equal(page.total, 1);
    assert.deepEqual(page.messages[0]!.flags, []);
    const text = ok(await bob(['list']));
    assert.match(
      text.stdout,
      /^UID +FLAGS +DATE +FROM +SUBJECT +SIZE\n +1 +N +\d{4}-\d\d-\d\d \d\d:\d\d +alice@crepes\.fr +Crêpes tonight\? +\d+B\n$/,
    );
    const message = json<Message>(await bob(['read', '1', '--json']));
    assert.equal(message.text, 'Hello Bob,\nare you coming tonight?\n— Alice');
    assert.deepEqual(message.to, [{ name: 'Bob', address: 'bob@hamburger.edu' }]);
    assert.deepEqual(message.flags, ['\\Seen']);
    const shown = ok(await bob(['read', '1']));
    assert.match(
      shown.stdout,
      /^From: +alice@crepes\.fr\nTo: +Bob <bob@hamburger\.edu>\nDate: .+\nSubject: Crêpes tonight\?\n\nHello Bob,\n/,
    );
  });

  test('bob replies: Re: subject, In-Reply-To and References, the original quoted and \\Answered', async () => {
    ok(await bob(['reply', '1', '--body', 'Yes, at 8.']));
    const page = json<Page>(await alice(['list', '--json']));
    const reply = page.messages.find((m) => m.subject === 'Re: Crêpes tonight?');
    assert.ok(reply, JSON.stringify(page));
    assert.equal(reply.inReplyTo, ids['first']);
    assert.equal(reply.isReply, true);
    const message = json<Message>(await alice(['read', String(reply.uid), '--json']));
    assert.deepEqual(message.references, [ids['first']]);
    assert.match(
      message.text,
      /^Yes, at 8\.\n\nOn .+, alice@crepes\.fr wrote:\n> Hello Bob,\n> are you coming tonight\?\n> — Alice$/,
    );
    const original = json<Message>(await bob(['read', '1', '--json', '--peek']));
    assert.ok(original.flags.includes('\\Answered'));
    ids['reply'] = message.messageId;
    ids['replyUid'] = String(reply.uid);
  });

  test('alice forwards the reply to bob with a file attached', async () => {
    const file = join(home, 'menu.txt');
    writeFileSync(file, 'Crêpe menu: sucre, citron, chocolat\n');
    ok(
      await alice([
        'forward',
        ids['replyUid']!,
        '--to',
        'bob@hamburger.edu',
        '--attach',
        file,
        '--body',
        'FYI',
      ]),
    );
    const page = json<Page>(await bob(['list', '--json']));
    const forward = page.messages.find((m) => m.subject === 'Fwd: Re: Crêpes tonight?');
    assert.ok(forward, JSON.stringify(page));
    const message = json<Message>(await bob(['read', String(forward.uid), '--json']));
    assert.match(
      message.text,
      /^FYI\n\n---------- Forwarded message ----------\nFrom: Bob <bob@hamburger\.edu>|^FYI\n\n---------- Forwarded message ----------\nFrom: bob@hamburger\.edu/,
    );
    assert.match(message.text, /\nYes, at 8\./);
    assert.deepEqual(
      message.attachments.map((a) => [a.index, a.filename, a.contentType]),
      [[1, 'menu.txt', 'text/plain']],
    );
    assert.ok(message.references.includes(ids['reply']!));
    const saved = join(home, 'saved-menu.txt');
    ok(await bob(['attachment', 'save', String(forward.uid), '1', '-o', saved]));
    assert.equal(readFileSync(saved, 'utf8'), 'Crêpe menu: sucre, citron, chocolat\n');
    ids['forwardUid'] = String(forward.uid);
  });

  test('search runs on the server: fields, body, flags, negation', async () => {
    const subjects = async (args: string[]) =>
      json<Page>(await bob(['search', ...args, '--json'])).messages.map((m) => m.subject);
    assert.deepEqual(await subjects(['from:alice', 'subject:Fwd']), ['Fwd: Re: Crêpes tonight?']);
    assert.deepEqual(await subjects(['body:tonight']), ['Fwd: Re: Crêpes tonight?', 'Crêpes tonight?']);
    assert.deepEqual(await subjects(['is:answered']), ['Crêpes tonight?']);
    assert.deepEqual(await subjects(['not', 'subject:Fwd']), ['Crêpes tonight?']);
    const dashed = json<Page>(await mail.run(['search', '-a', 'bob', '--json', '--', '-subject:Fwd']));
    assert.deepEqual(
      dashed.messages.map((m) => m.subject),
      ['Crêpes tonight?'],
    );
    assert.deepEqual(await subjects(['since:today', 'subject:nothing-like-this']), []);
  });

  test('move to Archive, then delete to Trash and expunge there', async () => {
    const moved = json<{ to: string; messages: Array<{ uid: number; newUid: number }> }>(
      await bob(['move', ids['forwardUid']!, 'archive', '--json']),
    );
    assert.equal(moved.to, 'Archive');
    const archive = json<Page>(await bob(['list', 'Archive', '--json']));
    assert.deepEqual(
      archive.messages.map((m) => [m.uid, m.subject]),
      [[moved.messages[0]!.newUid, 'Fwd: Re: Crêpes tonight?']],
    );
    ok(await bob(['delete', '1']));
    assert.equal(json<Page>(await bob(['list', '--json'])).total, 0);
    const trash = json<Page>(await bob(['list', '-m', 'Trash', '--json']));
    assert.deepEqual(
      trash.messages.map((m) => m.subject),
      ['Crêpes tonight?'],
    );
    ok(await bob(['delete', String(trash.messages[0]!.uid), '-m', 'Trash']));
    assert.equal(json<Page>(await bob(['list', '-m', 'Trash', '--json'])).total, 0);
  });

  test('alice reads her Sent copies: \\Seen, with the attachment', async () => {
    const sent = json<Page>(await alice(['list', 'sent', '--json']));
    assert.equal(sent.mailbox, 'Sent');
    assert.deepEqual(
      sent.messages.map((m) => [m.subject, m.flags]),
      [
        ['Fwd: Re: Crêpes tonight?', ['\\Seen']],
        ['Crêpes tonight?', ['\\Seen']],
      ],
    );
    const copy = json<Message>(await alice(['read', String(sent.messages[0]!.uid), '-m', 'Sent', '--json']));
    assert.deepEqual(copy.to, [{ name: null, address: 'bob@hamburger.edu' }]);
    assert.deepEqual(
      copy.attachments.map((a) => a.filename),
      ['menu.txt'],
    );
  });

  test('drafts: saved with \\Draft (Bcc kept), sent later, filed in Sent', async () => {
    ok(
      await alice([
        'draft',
        '--to',
        'bob@hamburger.edu',
        '--bcc',
        'alice@crepes.fr',
        '--subject',
        'Later',
        '--body',
        'draft text',
      ]),
    );
    const drafts = json<Page>(await alice(['list', 'drafts', '--json']));
    assert.deepEqual(
      drafts.messages.map((m) => [m.subject, m.flags]),
      [['Later', ['\\Draft', '\\Seen']]],
    );
    ok(await alice(['send', '--from-draft', String(drafts.messages[0]!.uid)]));
    assert.equal(json<Page>(await alice(['list', 'drafts', '--json'])).total, 0);
    const inbox = json<Page>(await bob(['list', '--json']));
    const delivered = inbox.messages.find((m) => m.subject === 'Later')!;
    const seenByBob = json<Message>(await bob(['read', String(delivered.uid), '--json']));
    assert.deepEqual(seenByBob.bcc, [], 'Bcc is not sent');
    const aliceInbox = json<Page>(await alice(['list', '--json']));
    assert.ok(
      aliceInbox.messages.some((m) => m.subject === 'Later'),
      'the Bcc recipient got it',
    );
    const sent = json<Page>(await alice(['list', 'sent', '--json']));
    const copy = json<Message>(await alice(['read', String(sent.messages[0]!.uid), '-m', 'Sent', '--json']));
    assert.equal(copy.subject, 'Later');
    assert.deepEqual(copy.bcc, [{ name: null, address: 'alice@crepes.fr' }], 'the Sent copy keeps Bcc');
  });

  test('text from stdin; copy, flag and mark-unread', async () => {
    ok(
      await alice(['send', '--to', 'bob@hamburger.edu', '--subject', 'From stdin'], {
        stdin: 'Piped\ntext\n',
      }),
    );
    const found = json<Page>(await bob(['search', 'subject:"From stdin"', '--json']));
    const uid = String(found.messages[0]!.uid);
    assert.equal(json<Message>(await bob(['read', uid, '--json'])).text, 'Piped\ntext');
    const copied = json<{ messages: Array<{ newUid: number }> }>(
      await bob(['copy', uid, 'Archive', '--json']),
    );
    const archived = json<Message>(
      await bob(['read', String(copied.messages[0]!.newUid), '-m', 'Archive', '--json', '--peek']),
    );
    assert.equal(archived.subject, 'From stdin');
    ok(await bob(['flag', uid]));
    ok(await bob(['mark-unread', uid]));
    const flags = async () => json<Page>(await bob(['search', `uid:${uid}`, '--json'])).messages[0]!.flags;
    assert.deepEqual(await flags(), ['\\Flagged']);
    ok(await bob(['unflag', uid]));
    ok(await bob(['mark-read', uid]));
    assert.deepEqual(await flags(), ['\\Seen']);
    assert.deepEqual(
      json<Page>(await bob(['search', 'is:flagged', '--json'])).messages.map((m) => m.uid),
      [],
    );
  });

  test('$EDITOR: the template is filled in by the editor; an unchanged file sends nothing', async () => {
    const editor = join(home, 'editor.sh');
    writeFileSync(
      editor,
      "#!/bin/sh\nsed -i -e 's/^To: *$/To: bob@hamburger.edu/' -e 's/^Subject: *$/Subject: Edited/' \"$1\"\n" +
        'printf \'Written in the editor.\\n\' >> "$1"\n',
    );
    chmodSync(editor, 0o755);
    ok(await alice(['send', '--edit'], { env: { EDITOR: editor } }));
    const page = json<Page>(await bob(['search', 'subject:Edited', '--json']));
    const message = json<Message>(await bob(['read', String(page.messages[0]!.uid), '--json']));
    assert.equal(message.text, 'Written in the editor.');
    const unchanged = await alice(['send', '--edit', '--to', 'bob@hamburger.edu'], {
      env: { EDITOR: 'true' },
    });
    assert.equal(unchanged.code, 1);
    assert.equal(unchanged.stderr, 'posthorn: message unchanged: nothing sent\n');
  });

  test('hostile mail is shown safely: escapes visible, real address and punycode domain shown', async () => {
    const uid = await server.deliver(
      server.bob.address,
      'INBOX',
      'From: "PayPal Service" <service@p\u0430ypal.com>\nTo: bob@hamburger.edu\n' +
        'Subject: Urgent \u001b]0;owned\u0007\u001b[2J account\nMessage-ID: <evil@x>\nDate: Tue, 3 Mar 2026 10:00:00 +0000\n' +
        'Content-Type: text/plain; charset=utf-8\n\nClick \u001b[8mhidden\u001b[0m here\n',
    );
    const list = ok(await bob(['list']));
    assert.match(list.stdout, /PayPal Service <service@xn--pypal-4ve\.com>/);
    assert.match(list.stdout, /Urgent \\x1b\]0;owned\\x07\\x1b\[2J account/);
    assert.doesNotMatch(list.stdout, /\u001b/);
    const read = ok(await bob(['read', String(uid)]));
    assert.doesNotMatch(read.stdout, /\u001b|\u0007/);
    assert.match(read.stdout, /Click \\x1b\[8mhidden\\x1b\[0m here/);
    const asJson = json<Message>(await bob(['read', String(uid), '--json']));
    assert.equal(asJson.from[0]!.address, 'service@p\u0430ypal.com');
    assert.match(asJson.subject, /\u001b\]0;owned/, 'JSON keeps the data, escaped by JSON itself');
  });

  test('mailboxes with counts; create, rename, delete', async () => {
    ok(await bob(['mailbox', 'create', 'Projects']));
    ok(await bob(['mailbox', 'rename', 'Projects', 'Done']));
    const boxes = json<{ mailboxes: Array<{ name: string; specialUse: string | null; messages: number }> }>(
      await bob(['mailboxes', '--json']),
    );
    assert.deepEqual(
      boxes.mailboxes.map((m) => m.name),
      ['INBOX', 'Drafts', 'Sent', 'Archive', 'Junk', 'Trash', 'Done'],
    );
    assert.equal(boxes.mailboxes.find((m) => m.name === 'Archive')?.messages, 2);
    ok(await bob(['mailbox', 'delete', 'Done']));
    const missing = await bob(['mailbox', 'delete', 'Done']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^posthorn: cannot delete "Done": /);
  });
});
