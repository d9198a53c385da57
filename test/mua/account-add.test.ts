import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { accountAdd, parseServer, type AccountAddDeps } from '../../src/mua/commands/account.ts';
import { discoverSettings, parseAutoconfig, type DiscoveryDeps } from '../../src/mua/discovery/index.ts';
import { loadProfiles, mailConfigPath, type MailProfile } from '../../src/mua/profile.ts';
import { terminalPrompter } from '../../src/mua/prompt.ts';
import type { MuaIo } from '../../src/mua/session.ts';

const AUTOCONFIG = `<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="crepes.fr">
    <domain>crepes.fr</domain>
    <incomingServer type="pop3"><hostname>pop.crepes.fr</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
    <incomingServer type="imap">
      <hostname>imap.crepes.fr</hostname><port>143</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.crepes.fr</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.crepes.fr</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>`;

function fakeDeps(options: {
  urls?: Record<string, string>;
  srv?: Record<string, Array<{ name: string; port: number; priority: number; weight: number }>>;
  open?: string[];
}): DiscoveryDeps & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async fetchText(url) {
      asked.push(url);
      return options.urls?.[url] ?? null;
    },
    async resolveSrv(name) {
      asked.push(`SRV ${name}`);
      return options.srv?.[name] ?? [];
    },
    async canConnect(host, port) {
      return options.open?.includes(`${host}:${port}`) ?? false;
    },
  };
}

describe('discovery', () => {
  test('autoconfig: IMAP and SMTP servers, implicit TLS preferred, placeholders filled', () => {
    assert.deepEqual(parseAutoconfig(AUTOCONFIG, 'alice@crepes.fr'), {
      imap: { host: 'imap.crepes.fr', port: 993, tls: 'tls', user: 'alice@crepes.fr' },
      smtp: { host: 'smtp.crepes.fr', port: 587, tls: 'starttls', user: 'alice@crepes.fr' },
    });
    assert.equal(parseAutoconfig('<html>not found</html>', 'a@b.c'), null);
  });
  test('autoconfig first, from the autoconfig host, then the well-known URL, over HTTPS only', async () => {
    const deps = fakeDeps({
      urls: {
        'https://crepes.fr/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40crepes.fr':
          AUTOCONFIG,
      },
    });
    const found = await discoverSettings('alice@crepes.fr', deps);
    assert.equal(found?.source, 'autoconfig https://crepes.fr/.well-known/autoconfig/mail/config-v1.1.xml');
    assert.deepEqual(deps.asked, [
      'https://autoconfig.crepes.fr/mail/config-v1.1.xml?emailaddress=alice%40crepes.fr',
      'https://crepes.fr/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40crepes.fr',
    ]);
  });
  test('RFC 6186 SRV next: implicit TLS services first, "." means not offered, priority then weight', async () => {
    const deps = fakeDeps({
      srv: {
        '_imaps._tcp.crepes.fr': [{ name: '.', port: 0, priority: 0, weight: 0 }],
        '_imap._tcp.crepes.fr': [
          { name: 'b.crepes.fr', port: 143, priority: 10, weight: 0 },
          { name: 'a.crepes.fr', port: 143, priority: 5, weight: 1 },
        ],
        '_submissions._tcp.crepes.fr': [{ name: 'smtp.crepes.fr.', port: 465, priority: 0, weight: 1 }],
      },
    });
    assert.deepEqual(await discoverSettings('alice@crepes.fr', deps), {
      imap: { host: 'a.crepes.fr', port: 143, tls: 'starttls' },
      smtp: { host: 'smtp.crepes.fr', port: 465, tls: 'tls' },
      source: 'SRV records of crepes.fr',
    });
  });
  test('common host names last, preferring implicit TLS and imap./smtp.', async () => {
    const deps = fakeDeps({
      open: ['mail.crepes.fr:143', 'mail.crepes.fr:993', 'smtp.crepes.fr:587', 'mail.crepes.fr:465'],
    });
    const found = await discoverSettings('alice@crepes.fr', deps);
    assert.deepEqual(found?.imap, { host: 'mail.crepes.fr', port: 993, tls: 'tls' });
    assert.deepEqual(found?.smtp, { host: 'smtp.crepes.fr', port: 587, tls: 'starttls' });
    assert.equal(await discoverSettings('alice@nowhere.example', fakeDeps({})), null);
  });
});

const homes: string[] = [];
after(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function testIo(): MuaIo & { err: () => string } {
  const home = mkdtempSync(join(tmpdir(), 'posthorn-mua-add-'));
  homes.push(home);
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    env: { XDG_CONFIG_HOME: join(home, '.config') },
    stdout: new PassThrough(),
    stderr,
    stdin: Readable.from([]),
    now: () => new Date(),
    err: () => err,
  };
}

describe('account add', () => {
  test('interactive: asks, discovers, checks the login with the typed password, confirms, saves', async () => {
    const io = testIo();
    const answers = Readable.from(['alice@crepes.fr\nAlice Crêpe\ntyped-pw\npass show mail/alice\ny\n']);
    const prompter = terminalPrompter(answers, io.stderr);
    const checked: Array<[MailProfile, string]> = [];
    const deps: AccountAddDeps = {
      discovery: fakeDeps({
        urls: {
          'https://autoconfig.crepes.fr/mail/config-v1.1.xml?emailaddress=alice%40crepes.fr': AUTOCONFIG,
        },
      }),
      prompter,
      async checkLogin(profile, password) {
        checked.push([profile, password]);
      },
    };
    await accountAdd(io, {}, deps);
    prompter.close();
    const saved = loadProfiles(mailConfigPath(io.env));
    assert.deepEqual(saved, [
      {
        name: 'alice',
        address: 'alice@crepes.fr',
        displayName: 'Alice Crêpe',
        passwordCommand: 'pass show mail/alice',
        imap: { host: 'imap.crepes.fr', port: 993, tls: 'tls', user: 'alice@crepes.fr' },
        smtp: { host: 'smtp.crepes.fr', port: 587, tls: 'starttls', user: 'alice@crepes.fr' },
        folders: {},
      },
    ]);
    assert.equal(checked[0]?.[1], 'typed-pw');
    assert.match(io.err(), /settings from autoconfig https:\/\/autoconfig\.crepes\.fr/);
    assert.match(io.err(), /Save to .*mail\.toml\? \[Y\/n\]/);
    assert.doesNotMatch(io.err(), /typed-pw/, 'the password is never echoed');
  });

  test('interactive: "n" at the confirmation saves nothing', async () => {
    const io = testIo();
    const prompter = terminalPrompter(Readable.from(['bob@hamburger.edu\n\n\n\nBOB_PW\nn\n']), io.stderr);
    await assert.rejects(
      accountAdd(
        io,
        { imap: 'imap.hamburger.edu', smtp: 'smtp.hamburger.edu:587', smtpTls: 'starttls' },
        {
          discovery: fakeDeps({}),
          prompter,
          checkLogin: async () => assert.fail('no password typed, so no check'),
        },
      ),
      /not saved/,
    );
    prompter.close();
    assert.deepEqual(loadProfiles(mailConfigPath(io.env)), []);
  });

  test('--yes: everything from flags, nothing asked; duplicate names refused', async () => {
    const io = testIo();
    const noQuestions = terminalPrompter(Readable.from([]), io.stderr);
    const deps: AccountAddDeps = {
      discovery: fakeDeps({}),
      prompter: noQuestions,
      checkLogin: async () => {},
    };
    const options = {
      address: 'bob@hamburger.edu',
      imap: '127.0.0.1:1143',
      smtp: '[::1]:1587',
      tls: 'none',
      passwordEnv: 'BOB_PW',
      yes: true,
    };
    const profile = await accountAdd(io, options, deps);
    assert.deepEqual(profile.imap, { host: '127.0.0.1', port: 1143, tls: 'none', user: 'bob@hamburger.edu' });
    assert.deepEqual(profile.smtp, { host: '::1', port: 1587, tls: 'none', user: 'bob@hamburger.edu' });
    await assert.rejects(accountAdd(io, options, deps), /an account named "bob" exists already/);
    const second = await accountAdd(io, { ...options, name: 'bob2' }, deps);
    assert.equal(second.name, 'bob2');
    assert.deepEqual(
      loadProfiles(mailConfigPath(io.env)).map((p) => p.name),
      ['bob', 'bob2'],
    );
  });

  test('server flags: default ports follow the TLS mode', () => {
    assert.deepEqual(parseServer('mail.x', 'imap', 'tls', 'u'), {
      host: 'mail.x',
      port: 993,
      tls: 'tls',
      user: 'u',
    });
    assert.equal(parseServer('mail.x', 'imap', 'starttls', 'u').port, 143);
    assert.equal(parseServer('mail.x', 'smtp', 'tls', 'u').port, 465);
    assert.equal(parseServer('mail.x', 'smtp', 'starttls', 'u').port, 587);
    assert.throws(() => parseServer('mail.x:99999', 'smtp', 'tls', 'u'), /port out of range/);
  });
});
