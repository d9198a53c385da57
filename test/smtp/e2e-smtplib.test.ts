// End to end over real sockets with an independent client (Python's smtplib): submission with STARTTLS
// and AUTH, implicit TLS, MX delivery byte-exact into the INBOX, SMTPUTF8, and the refusals (relay through
// MX, submission without AUTH, forged sender) with nothing queued. Plus a smuggling attempt on a raw socket.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import { systemClock } from '../../src/app/context.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { startSmtpServers, type SmtpServers } from '../../src/smtp/server/index.ts';
import type { Store } from '../../src/storage/ports.ts';
import { openStoreForTest, type StoreForTest } from '../support/test-store.ts';
import { RawSmtpClient } from './support/smtp-client.ts';
import { testTls } from './support/tls.ts';

const run = promisify(execFile);

/** Runs a Python snippet with PORT_* variables set; returns its stdout. */
async function python(script: string, env: Record<string, string> = {}): Promise<string> {
  const prelude = [
    'import os, smtplib, ssl',
    'ctx = ssl.create_default_context()',
    'ctx.check_hostname = False',
    'ctx.verify_mode = ssl.CERT_NONE',
    "MX = int(os.environ['PORT_SMTP'])",
    "SUB = int(os.environ['PORT_SUBMISSION'])",
    "SUBS = int(os.environ['PORT_SUBMISSIONS'])",
    '',
  ].join('\n');
  try {
    const { stdout } = await run('python3', ['-c', prelude + script], {
      env: { ...process.env, ...ports, ...env },
    });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`python failed: ${e.stderr ?? e.message}`);
  }
}

let dir: string;
let opened: StoreForTest;
let store: Store;
let servers: SmtpServers;
let ports: Record<string, string>;
const wakeups: string[] = [];

async function inbox(address: string): Promise<Buffer[]> {
  const account = (await store.accounts.getAccount(address))!;
  const mailbox = (await store.mail.getMailbox(account.id, 'INBOX'))!;
  const records = await store.mail.listMessages(mailbox.id);
  return Promise.all(records.map((r) => store.mail.getBlobBytes(r.blobId)));
}

/** Asserts `stored` is exactly `sent` with our trace fields (Return-Path, Delivered-To, Received) before it. */
function assertTraceThenExact(stored: Buffer, sent: Buffer, sender: string, deliveredTo: string): void {
  assert.ok(
    stored.subarray(stored.length - sent.length).equals(sent),
    `stored message does not end with the sent bytes:\n${stored}`,
  );
  const prefix = stored.subarray(0, stored.length - sent.length).toString();
  assert.match(
    prefix,
    new RegExp(
      `^Return-Path: <${sender}>\\r\\nDelivered-To: ${deliveredTo}\\r\\nReceived: from [^\\r\\n]+\\r\\n\\tby mx\\.example\\.org \\(Posthorn\\) with [A-Z0-9]+[^\\r\\n]*\\r\\n\\t[^\\r\\n]+\\r\\n$`,
    ),
  );
}

describe('SMTP end to end with Python smtplib', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-smtp-e2e-'));
    const config = configFromDefaults(
      {
        hostname: 'mx.example.org',
        data_dir: dir,
        listen: {
          smtp: ['127.0.0.1:0'],
          submission: ['127.0.0.1:0'],
          submissions: ['127.0.0.1:0'],
          imap: [],
          imaps: [],
        },
        smtp: { auth_failure_delay_ms: 0 },
      },
      dir,
    );
    opened = await openStoreForTest({ dir });
    store = opened.store;
    const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2 });
    await accounts.addDomain('example.org');
    await accounts.createAccount('alice@example.org', 'alice-password');
    await accounts.createAccount('bob@example.org', 'bob-password');
    await accounts.createAccount('josé@example.org', 'jose-password');
    servers = await startSmtpServers(
      { config, store, log: silentLogger(), tls: testTls(), clock: systemClock },
      { accounts, onQueued: (id) => wakeups.push(id) },
    );
    ports = {
      PORT_SMTP: String(servers.addresses.smtp[0]!.port),
      PORT_SUBMISSION: String(servers.addresses.submission[0]!.port),
      PORT_SUBMISSIONS: String(servers.addresses.submissions[0]!.port),
    };
  });

  after(async () => {
    await servers.stop();
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('submission: STARTTLS + AUTH, one message to a local and a remote recipient', async () => {
    const message = Buffer.from(
      'From: Alice <alice@example.org>\r\nTo: bob@example.org, carol@remote.test\r\nSubject: smtplib test\r\n' +
        'Message-ID: <e2e-1@example.org>\r\n\r\nHello Bob.\r\n.a line starting with a dot\r\n..two dots\r\n',
    );
    const out = await python(
      [
        "msg = bytes.fromhex(os.environ['MSG'])",
        "s = smtplib.SMTP('127.0.0.1', SUB)",
        's.starttls(context=ctx)',
        "s.login('alice@example.org', 'alice-password')",
        "s.mail('alice@example.org')",
        "s.rcpt('bob@example.org')",
        "s.rcpt('carol@remote.test')",
        'code, text = s.data(msg)',
        'print(code, text.decode())',
        's.quit()',
      ].join('\n'),
      { MSG: message.toString('hex') },
    );
    const m = /^250 2\.0\.0 Ok: queued as ([0-9A-Z]+)$/.exec(out);
    assert.ok(m, out);
    const [stored] = await inbox('bob@example.org');
    assertTraceThenExact(stored!, message, 'alice@example.org', 'bob@example.org');
    assert.match(stored!.toString(), /with ESMTPSA \(TLSv1\.3 /);
    const entry = await store.queue.get(m[1]!);
    assert.ok(entry, 'the reply carries the queue id');
    assert.equal(entry.sender, 'alice@example.org');
    assert.deepEqual(
      entry.recipients.map((r) => r.address),
      ['carol@remote.test'],
    );
    assert.ok(wakeups.includes(m[1]!), 'the queue worker was woken');
    const queuedBytes = (await store.mail.getBlobBytes(entry.blobId)).toString();
    assert.ok(queuedBytes.startsWith('Received: '), 'the queued copy has no Return-Path/Delivered-To');
    assert.ok(queuedBytes.endsWith(message.toString()));
  });

  test('submissions: implicit TLS + AUTH', async () => {
    const before = (await store.queue.list()).length;
    const out = await python(
      [
        "s = smtplib.SMTP_SSL('127.0.0.1', SUBS, context=ctx)",
        "s.login('alice@example.org', 'alice-password')",
        "print(s.sendmail('alice@example.org', ['dave@remote.test'], b'Subject: 465\\r\\n\\r\\nhi\\r\\n'))",
        's.quit()',
      ].join('\n'),
    );
    assert.equal(out, '{}');
    assert.equal((await store.queue.list()).length, before + 1);
  });

  test('MX: a remote server delivers to a local user, byte-exact after the trace fields', async () => {
    const message = Buffer.from(
      'From: x@remote.test\r\nSubject: via MX\r\n\r\n8-bit: \xc3\xa9t\xc3\xa9\r\n',
      'latin1',
    );
    const out = await python(
      [
        "msg = bytes.fromhex(os.environ['MSG'])",
        "s = smtplib.SMTP('127.0.0.1', MX, local_hostname='mail.remote.test')",
        "print(s.sendmail('x@remote.test', ['bob@example.org'], msg, mail_options=['BODY=8BITMIME']))",
        's.quit()',
      ].join('\n'),
      { MSG: message.toString('hex') },
    );
    assert.equal(out, '{}');
    const messages = await inbox('bob@example.org');
    const stored = messages[messages.length - 1]!;
    assertTraceThenExact(stored, message, 'x@remote.test', 'bob@example.org');
    assert.match(
      stored.toString(),
      /^Return-Path: <x@remote\.test>\r\nDelivered-To: bob@example\.org\r\nReceived: from mail\.remote\.test \(\[127\.0\.0\.1\]\)\r\n\tby mx\.example\.org \(Posthorn\) with ESMTP id [0-9A-Z]{12}\r\n\tfor <bob@example\.org>; /,
    );
  });

  test('SMTPUTF8: a UTF-8 address works with SMTPUTF8 and is refused without it', async () => {
    const out = await python(
      [
        "s = smtplib.SMTP('127.0.0.1', MX)",
        "print(s.sendmail('jürgen@bücher.example', ['josé@example.org'], 'Subject: Grüße\\r\\n\\r\\nÀ bientôt\\r\\n'.encode(), mail_options=['SMTPUTF8']))",
        's.quit()',
        "s = smtplib.SMTP('127.0.0.1', MX)",
        's.ehlo()',
        "s.mail('sender@remote.test')",
        "s.send('RCPT TO:<josé@example.org>\\r\\n'.encode())",
        'code, text = s.getreply()',
        'print(code, text.decode())',
        's.rset()',
        "s.send('MAIL FROM:<jürgen@bücher.example>\\r\\n'.encode())",
        'code, text = s.getreply()',
        'print(code, text.decode())',
        's.quit()',
      ].join('\n'),
    );
    assert.deepEqual(out.split('\n'), [
      '{}',
      '553 5.6.7 Non-ASCII recipient address requires SMTPUTF8',
      '553 5.6.7 Non-ASCII sender address requires SMTPUTF8',
    ]);
    const [stored] = await inbox('josé@example.org');
    assert.ok(stored);
    assert.match(
      stored.toString(),
      /^Return-Path: <jürgen@bücher\.example>\r\nDelivered-To: josé@example\.org\r\n/,
    );
    assert.match(stored.toString(), /with UTF8SMTP id [0-9A-Z]{12}\r\n/);
    assert.ok(stored.toString().endsWith('Subject: Grüße\r\n\r\nÀ bientôt\r\n'));
  });

  test('refusals: relay through MX, submission without AUTH, forged sender after AUTH; nothing queued', async () => {
    const before = (await store.queue.list()).length;
    const out = await python(
      [
        "msg = b'Subject: nope\\r\\n\\r\\nnope\\r\\n'",
        "s = smtplib.SMTP('127.0.0.1', MX)",
        'try:',
        "    s.sendmail('spammer@remote.test', ['victim@remote.test'], msg)",
        'except smtplib.SMTPRecipientsRefused as e:',
        "    code, text = e.recipients['victim@remote.test']",
        "    print('relay', code, text.decode())",
        's.quit()',
        "s = smtplib.SMTP('127.0.0.1', SUB)",
        'try:',
        "    s.login('alice@example.org', 'alice-password')",
        'except smtplib.SMTPNotSupportedError:',
        "    print('no AUTH before TLS')",
        's.starttls(context=ctx)',
        'try:',
        "    s.sendmail('alice@example.org', ['victim@remote.test'], msg)",
        'except smtplib.SMTPSenderRefused as e:',
        "    print('no auth', e.smtp_code, e.smtp_error.decode())",
        's.quit()',
        "s = smtplib.SMTP('127.0.0.1', SUB)",
        's.starttls(context=ctx)',
        "s.login('alice@example.org', 'alice-password')",
        'try:',
        "    s.sendmail('bob@example.org', ['victim@remote.test'], msg)",
        'except smtplib.SMTPSenderRefused as e:',
        "    print('forged', e.smtp_code, e.smtp_error.decode())",
        's.quit()',
        "s = smtplib.SMTP('127.0.0.1', SUB)",
        's.starttls(context=ctx)',
        'try:',
        "    s.login('alice@example.org', 'wrong')",
        'except smtplib.SMTPAuthenticationError as e:',
        "    print('bad password', e.smtp_code, e.smtp_error.decode())",
        's.close()',
      ].join('\n'),
    );
    assert.deepEqual(out.split('\n'), [
      'relay 554 5.7.1 Relay access denied',
      'no AUTH before TLS',
      'no auth 530 5.7.0 Authentication required',
      'forged 553 5.7.1 Sender address rejected: not owned by the authenticated user',
      'bad password 535 5.7.8 Authentication credentials invalid',
    ]);
    assert.equal((await store.queue.list()).length, before);
  });

  test('smuggling over a real socket: bare-LF dots never end DATA; no second message', async () => {
    const bobBefore = (await inbox('bob@example.org')).length;
    const aliceBefore = (await inbox('alice@example.org')).length;
    const client = await RawSmtpClient.connect(servers.addresses.smtp[0]!.port);
    await client.reply();
    await client.command('EHLO attacker.test');
    for (const separator of ['\n.\n', '\n.\r\n', '\r.\r\n', '\r\n.\n', '\r\n.\r']) {
      assert.deepEqual(await client.command('MAIL FROM:<a@remote.test>'), ['250 2.1.0 Sender ok']);
      assert.deepEqual(await client.command('RCPT TO:<bob@example.org>'), ['250 2.1.5 Recipient ok']);
      assert.match((await client.command('DATA'))[0]!, /^354 /);
      client.write(
        `Subject: smuggle\r\n\r\nhello${separator}MAIL FROM:<admin@example.org>\r\nRCPT TO:<alice@example.org>\r\n` +
          'DATA\r\nSubject: forged\r\n\r\nforged\r\n.\r\n',
      );
      assert.deepEqual(await client.reply(), [
        '554 5.5.2 Message contains bare CR or LF; lines must end with CRLF',
      ]);
    }
    assert.deepEqual(await client.command('QUIT'), ['221 2.0.0 Bye']);
    client.close();
    assert.equal((await inbox('bob@example.org')).length, bobBefore);
    assert.equal((await inbox('alice@example.org')).length, aliceBefore);
  });
});
