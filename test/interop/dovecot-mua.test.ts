// `posthorn mail` (our MUA) against other people's servers: a private Dovecot for IMAP and a private Postfix
// for submission, with Postfix asking Dovecot to check passwords (Dovecot SASL), the usual small-site setup.
// Carol adds her account non-interactively (STARTTLS on both, the servers' self-signed certificate trusted
// with --ca-file), sends herself a message through Postfix, finds it in her INBOX on Dovecot, reads it and
// flags it; her Sent copy is on Dovecot too. Asserts on what Postfix delivered into the Maildir, what
// Dovecot keeps (Maildir flags) and what `posthorn mail` printed.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSelfSigned } from '../../src/net/tls-context.ts';
import { run } from '../e2e/support/child.ts';
import { startDovecot, type PrivateDovecot } from './support/private-dovecot.ts';
import { startPostfix, type PrivatePostfix } from './support/private-postfix.ts';
import { skipUnlessInstalled, until } from './support/tools.ts';

const CAROL = { address: 'carol@postfix.test', password: 'carol-dovecot-pw' };
const ROOT = join(import.meta.dirname, '..', '..');
const notRoot = process.getuid?.() !== 0 ? 'Postfix and Dovecot need root to start' : false;

const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());

describe(
  'posthorn mail ↔ Dovecot (IMAP) + Postfix (submission with Dovecot SASL)',
  {
    skip: notRoot || skipUnlessInstalled('postfix', 'dovecot'),
  },
  () => {
    let dir: string;
    let mailRoot: string;
    let dovecot: PrivateDovecot;
    let postfix: PrivatePostfix;
    let home: string;

    const mail = async (args: string[]) => {
      const result = await run('./node_modules/.bin/node', ['src/main.ts', 'mail', '-a', 'carol', ...args], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: home,
          XDG_CONFIG_HOME: join(home, '.config'),
          CAROL_PASSWORD: CAROL.password,
          NO_COLOR: '1',
        },
      });
      return { code: result.code, stdout: result.stdout.toString(), stderr: result.stderr };
    };
    const inboxFiles = () =>
      ['new', 'cur'].flatMap((sub) => {
        const path = join(mailRoot, 'carol', sub);
        return existsSync(path) ? readdirSync(path).map((f) => join(path, f)) : [];
      });

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'posthorn-dovecot-mua-'));
      execFileSync('chmod', ['755', dir]); // Dovecot and Postfix work as nobody inside
      mailRoot = join(dir, 'mail');
      mkdirSync(mailRoot);
      const nobody = { uid: id('-u'), gid: id('-g') };
      chownSync(mailRoot, nobody.uid, nobody.gid);
      const tls = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
      generateSelfSigned('mail.postfix.test', tls.cert, tls.key);
      execFileSync('chmod', ['644', tls.cert, tls.key]);
      dovecot = await startDovecot({
        users: { [CAROL.address]: CAROL.password },
        mailRoot,
        tls,
        mailOwner: nobody,
      });
      postfix = await startPostfix({
        hostname: 'mail.postfix.test',
        domain: 'postfix.test',
        users: ['carol'],
        transport: {},
        mailRoot,
        tls,
        saslPath: dovecot.authSocket,
      });
      home = join(dir, 'home');
      mkdirSync(home);
    });
    after(async () => {
      await postfix?.stop();
      await dovecot?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('account add with --yes --check logs in to Dovecot and Postfix', async () => {
      const result = await mail([
        'account',
        'add',
        CAROL.address,
        '--name',
        'carol',
        '--display-name',
        'Carol',
        '--imap',
        `127.0.0.1:${dovecot.port}`,
        '--smtp',
        `127.0.0.1:${postfix.port}`,
        '--tls',
        'starttls',
        '--password-env',
        'CAROL_PASSWORD',
        '--ca-file',
        join(dir, 'cert.pem'),
        '--check',
        '--yes',
      ]);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}\n${dovecot.log()}`);
    });

    test('send: submission through Postfix (AUTH checked by Dovecot), delivered into the Maildir', async () => {
      const sent = await mail([
        'send',
        '--to',
        CAROL.address,
        '--subject',
        'Crêpes ce soir',
        '--body',
        'Carol, des crêpes ce soir ?\n.\nC.',
      ]);
      assert.equal(sent.code, 0, sent.stderr);
      const messageId = /^Sent (<[^>]+>) to carol@postfix\.test$/m.exec(sent.stderr)?.[1];
      assert.ok(messageId, sent.stderr);
      assert.match(sent.stderr, /^Copy saved in Sent$/m);

      await until('Postfix to deliver into carol’s Maildir', () => inboxFiles().length === 1).catch(
        (err: Error) => {
          throw new Error(`${err.message}\n${postfix.log()}`);
        },
      );
      const delivered = readFileSync(inboxFiles()[0]!, 'utf8');
      assert.match(
        delivered,
        /^Received: from \S+ \(localhost \[127\.0\.0\.1\]\)\n\tby mail\.postfix\.test \(Postfix\) with ESMTPSA id /m,
      );
      assert.match(delivered, /^From: Carol <carol@postfix\.test>$/m);
      assert.ok(delivered.includes(`\nMessage-ID: ${messageId}\n`), delivered);
      assert.match(
        delivered,
        /^Subject: =\?(?:utf|UTF)-8\?[QqBb]\?/m,
        'a non-ASCII subject is an encoded word',
      );
    });

    test('list and read over Dovecot IMAP; reading marks the message seen', async () => {
      const list = await mail(['list']);
      assert.equal(list.code, 0, list.stderr);
      assert.match(
        list.stdout,
        /^ +1 +N +\d{4}-\d\d-\d\d \d\d:\d\d +Carol <carol@postfix\.test> +Crêpes ce soir +\d+B$/m,
      );
      const sentList = await mail(['list', 'Sent']);
      assert.match(sentList.stdout, /^ +1 .* Crêpes ce soir /m, 'the Sent copy is on Dovecot');

      const read = await mail(['read', '1']);
      assert.equal(read.code, 0, read.stderr);
      assert.match(read.stdout, /^Subject: Crêpes ce soir$/m);
      assert.match(read.stdout, /\n\nCarol, des crêpes ce soir \?\n\.\nC\.\n$/);
      assert.match(inboxFiles()[0]!, /:2,S$/, 'Dovecot stored \\Seen in the Maildir file name');
    });

    test('flag: Dovecot records \\Flagged', async () => {
      const flag = await mail(['flag', '1']);
      assert.equal(flag.code, 0, flag.stderr);
      assert.match(inboxFiles()[0]!, /:2,FS$/);
    });

    test('search, reply, mailbox create, move to Archive and delete, against Dovecot + Postfix', async () => {
      const search = await mail(['search', 'subject:Crêpes', '--json']);
      assert.equal(search.code, 0, search.stderr);
      assert.equal((JSON.parse(search.stdout) as { total: number }).total, 1);
      assert.equal(
        (JSON.parse((await mail(['search', 'subject:galettes', '--json'])).stdout) as { total: number })
          .total,
        0,
      );

      const reply = await mail(['reply', '1', '--body', 'Oui !']);
      assert.equal(reply.code, 0, reply.stderr);
      await until('the reply to arrive through Postfix', () => inboxFiles().length === 2);
      const replied = inboxFiles()
        .map((f) => readFileSync(f, 'utf8'))
        .find((m) => /^In-Reply-To: </m.test(m));
      assert.ok(replied, 'the reply carries In-Reply-To');
      assert.match(replied, /^Subject: Re: /m);

      assert.equal((await mail(['mailbox', 'create', 'Archive'])).code, 0);
      const moved = await mail(['move', '1', 'Archive']);
      assert.equal(moved.code, 0, moved.stderr);
      const archived = await mail(['list', 'Archive', '--json']);
      assert.equal((JSON.parse(archived.stdout) as { total: number }).total, 1);

      const deleted = await mail(['delete', '2']);
      assert.equal(deleted.code, 0, deleted.stderr);
      const trash = await mail(['list', 'Trash', '--json']);
      assert.equal((JSON.parse(trash.stdout) as { total: number }).total, 1, 'deleted to Trash on Dovecot');
      const inbox = await mail(['list', '--json']);
      assert.equal((JSON.parse(inbox.stdout) as { total: number }).total, 0);
    });
  },
);
