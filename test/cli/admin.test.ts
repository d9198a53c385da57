// End to end: `posthorn init`, then domain/account/alias commands against the store it created.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { AccountService } from '../../src/accounts/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openStore } from '../../src/storage/open.ts';
import { runCli, tempDir, type CliResult } from './run-cli.ts';

const dir = tempDir();
const cli = (args: string[], stdin?: string): Promise<CliResult> => runCli(args, { cwd: dir, stdin });
const json = async (args: string[]): Promise<unknown> => {
  const result = await cli([...args, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
};
const addresses = async (family: 'account' | 'alias'): Promise<string[]> =>
  ((await json([family, 'list'])) as Array<{ address: string }>).map((row) => row.address);

/** Runs a command that must fail: exit 1, one line on stderr, nothing on stdout. */
async function fails(args: string[], message: string | RegExp, stdin?: string): Promise<void> {
  const result = await cli(args, stdin);
  assert.equal(result.code, 1, `expected exit 1 for ${args.join(' ')}: ${result.stdout}`);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
  if (typeof message === 'string') assert.equal(result.stderr, `posthorn: ${message}\n`);
  else assert.match(result.stderr, message);
}

async function passwordWorks(address: string, password: string): Promise<boolean> {
  const store = await openStore(loadConfig(join(dir, 'posthorn.toml'), { env: {} }));
  try {
    return (await new AccountService(store.accounts).authenticate(address, password)) !== null;
  } finally {
    await store.close();
  }
}

describe('posthorn init and admin commands', () => {
  let adminPassword = '';

  before(async () => {
    const result = await cli(['init', '--hostname', 'mail.crepes.fr', '--domain', 'Crepes.FR']);
    assert.equal(result.code, 0, result.stderr);
    adminPassword = /^password: (\S+)$/m.exec(result.stdout)![1]!;
  });

  test('init wrote the config, store, domain, admin account and postmaster alias, and printed DNS records', async () => {
    const config = readFileSync(join(dir, 'posthorn.toml'), 'utf8');
    assert.match(config, /^hostname = "mail.crepes.fr"$/m);
    assert.ok(existsSync(join(dir, 'data', 'posthorn.db')));
    const { stdout } = await cli(['config', 'check']);
    assert.equal(stdout, `ok: ${join(dir, 'posthorn.toml')}\n`);
    const domains = (await json(['domain', 'list'])) as Array<{ name: string; createdAt: string }>;
    assert.deepEqual(
      domains.map((d) => d.name),
      ['crepes.fr'],
    );
    assert.ok(!Number.isNaN(Date.parse(domains[0]!.createdAt)));
    assert.deepEqual(await addresses('account'), ['admin@crepes.fr']);
    assert.deepEqual(await json(['alias', 'list']), [
      { address: 'postmaster@crepes.fr', targets: ['admin@crepes.fr'] },
    ]);
    assert.ok(await passwordWorks('admin@crepes.fr', adminPassword));
  });

  test('init prints the MX and address records', async () => {
    const other = tempDir();
    const result = await runCli(
      [
        'init',
        '--hostname',
        'mx.hamburger.edu',
        '--domain',
        'hamburger.edu',
        '--admin',
        'bob@hamburger.edu',
        '--password-stdin',
      ],
      { cwd: other, stdin: 'pw\n' },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^hamburger\.edu\. +IN MX +10 mx\.hamburger\.edu\.$/m);
    assert.match(result.stdout, /^mx\.hamburger\.edu\. +IN A /m);
    assert.match(result.stdout, /^mx\.hamburger\.edu\. +IN AAAA /m);
    assert.match(result.stdout, /^ed-\d+\._domainkey\.hamburger\.edu\. +IN TXT +"v=DKIM1; k=ed25519; p=/m);
    assert.match(result.stdout, /^added alias postmaster@hamburger.edu -> bob@hamburger.edu$/m);
    assert.doesNotMatch(result.stdout, /^password:/m);
  });

  test('init refuses to overwrite a config and changes nothing', async () => {
    const before = readFileSync(join(dir, 'posthorn.toml'), 'utf8');
    await fails(
      ['init', '--hostname', 'x.example', '--domain', 'example.org'],
      `${join(dir, 'posthorn.toml')} already exists; init never overwrites a config (use --config for another)`,
    );
    assert.equal(readFileSync(join(dir, 'posthorn.toml'), 'utf8'), before);
    assert.deepEqual(
      await json(['domain', 'list']).then((d) => (d as Array<{ name: string }>).map((x) => x.name)),
      ['crepes.fr'],
    );
  });

  test('init checks its input before writing anything', async () => {
    const other = tempDir();
    const run = (args: string[]) => runCli(['init', ...args], { cwd: other });
    const bad = await run(['--hostname', 'mail server', '--domain', 'a.org']);
    assert.equal(
      bad.stderr,
      'posthorn: --hostname: expected a host name such as "mail.example.org", got "mail server"\n',
    );
    const wrongDomain = await run(['--hostname', 'mx.a.org', '--domain', 'a.org', '--admin', 'me@b.org']);
    assert.equal(wrongDomain.stderr, 'posthorn: --admin me@b.org must be an address in a.org\n');
    assert.equal(wrongDomain.code, 1);
    assert.ok(!existsSync(join(other, 'posthorn.toml')));
    assert.ok(!existsSync(join(other, 'data')));
  });

  test('domain add, list --json, remove', async () => {
    const add = await cli(['domain', 'add', 'Hamburger.EDU']);
    assert.match(add.stdout, /^added domain hamburger\.edu\nDKIM keys: ed-\d+, rsa-\d+ /);
    const names = ((await json(['domain', 'list'])) as Array<{ name: string }>).map((d) => d.name);
    assert.deepEqual(names.sort(), ['crepes.fr', 'hamburger.edu']);
    const text = await cli(['domain', 'list']);
    assert.match(text.stdout, /^DOMAIN +CREATED\ncrepes\.fr +\S+\nhamburger\.edu +\S+\n$/);
    assert.equal((await cli(['domain', 'remove', 'hamburger.edu'])).stdout, 'removed domain hamburger.edu\n');
    await fails(['domain', 'remove', 'hamburger.edu'], 'no domain hamburger.edu');
    await fails(['domain', 'add', 'crepes.fr'], 'domain crepes.fr exists');
    await fails(['domain', 'add', 'bad domain'], 'domain "bad domain" contains a space');
  });

  test('a domain with accounts cannot be removed', async () => {
    await fails(
      ['domain', 'remove', 'crepes.fr'],
      /^posthorn: domain crepes.fr still has 1 account\(s\) and 1 alias\(es\)\n$/,
    );
  });

  test('account add with the password on stdin; the password works', async () => {
    const result = await cli(['account', 'add', 'alice@crepes.fr', '--password-stdin'], 'correct horse\n');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'added account alice@crepes.fr\n');
    assert.ok(await passwordWorks('alice@crepes.fr', 'correct horse'));
    assert.ok(!(await passwordWorks('alice@crepes.fr', 'correct horse\n')));
  });

  test('account add --generate-password prints it once', async () => {
    const result = await cli(['account', 'add', 'chef@Crepes.fr', '--generate-password']);
    assert.equal(result.code, 0, result.stderr);
    const password = /^password: (\S+)$/m.exec(result.stdout)![1]!;
    assert.match(result.stdout, /^added account chef@crepes\.fr\n/);
    assert.ok(await passwordWorks('chef@crepes.fr', password));
  });

  test('account list, text and --json; by domain', async () => {
    assert.deepEqual(await addresses('account'), ['admin@crepes.fr', 'alice@crepes.fr', 'chef@crepes.fr']);
    const rows = (await json(['account', 'list', 'crepes.fr'])) as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(rows[0]!).sort(), ['address', 'createdAt', 'disabled', 'domain']);
    const text = await cli(['account', 'list']);
    assert.match(text.stdout, /^ADDRESS +CREATED +STATUS\nadmin@crepes\.fr +\S+ +active\n/);
  });

  test('duplicate account: error, exit 1, nothing changed', async () => {
    await fails(
      ['account', 'add', 'alice@crepes.fr', '--password-stdin'],
      'account alice@crepes.fr already exists',
      'other\n',
    );
    assert.ok(await passwordWorks('alice@crepes.fr', 'correct horse'));
  });

  test('bad address and unknown domain', async () => {
    await fails(
      ['account', 'add', 'alice', '--generate-password'],
      'posthorn: "alice" has no "@" (expected local-part@domain)'.replace('posthorn: ', ''),
    );
    await fails(
      ['account', 'add', 'al ice@crepes.fr', '--generate-password'],
      /^posthorn: "al ice@crepes\.fr": the local part /,
    );
    await fails(
      ['account', 'add', 'bob@hamburger.edu', '--generate-password'],
      'hamburger.edu is not a local domain; add it first with `posthorn domain add hamburger.edu`',
    );
    await fails(
      ['account', 'list', 'hamburger.edu'],
      'hamburger.edu is not a local domain; add it first with `posthorn domain add hamburger.edu`',
    );
    assert.deepEqual(await addresses('account'), ['admin@crepes.fr', 'alice@crepes.fr', 'chef@crepes.fr']);
  });

  test('passwords never come from argv; stdin must have one', async () => {
    await fails(
      ['account', 'add', 'dave@crepes.fr'],
      'no password given: use --password-stdin (or --generate-password) when not on a terminal',
    );
    await fails(
      ['account', 'add', 'dave@crepes.fr', '--password-stdin'],
      'no password on standard input',
      '',
    );
    await fails(
      ['account', 'add', 'dave@crepes.fr', '--password', 'x'],
      /^posthorn: unknown option '--password'/,
    );
    assert.deepEqual(await addresses('account'), ['admin@crepes.fr', 'alice@crepes.fr', 'chef@crepes.fr']);
  });

  test('account passwd', async () => {
    const result = await cli(['account', 'passwd', 'alice@crepes.fr', '--password-stdin'], 'new one\n');
    assert.equal(result.stdout, 'password changed for alice@crepes.fr\n');
    assert.ok(await passwordWorks('alice@crepes.fr', 'new one'));
    assert.ok(!(await passwordWorks('alice@crepes.fr', 'correct horse')));
    await fails(
      ['account', 'passwd', 'nobody@crepes.fr', '--password-stdin'],
      'no account nobody@crepes.fr',
      'x\n',
    );
  });

  test('alias add, list, remove; catch-all; conflicts', async () => {
    const add = await cli([
      'alias',
      'add',
      'Info@crepes.fr',
      'alice@crepes.fr',
      'chef@crepes.fr',
      'friend@remote.example',
    ]);
    assert.equal(
      add.stdout,
      'added alias Info@crepes.fr -> alice@crepes.fr, chef@crepes.fr, friend@remote.example\n',
    );
    assert.equal((await cli(['alias', 'add', '@crepes.fr', 'alice@crepes.fr'])).code, 0);
    assert.deepEqual(
      await json(['alias', 'list', 'crepes.fr']),
      [
        { address: '@crepes.fr', targets: ['alice@crepes.fr'] },
        {
          address: 'Info@crepes.fr',
          targets: ['alice@crepes.fr', 'chef@crepes.fr', 'friend@remote.example'],
        },
        { address: 'postmaster@crepes.fr', targets: ['admin@crepes.fr'] },
      ].sort((a, b) => (a.address < b.address ? -1 : 1)),
    );
    await fails(
      ['alias', 'add', 'alice@crepes.fr', 'chef@crepes.fr'],
      'alice@crepes.fr is already an account',
    );
    await fails(
      ['alias', 'add', 'x@hamburger.edu', 'alice@crepes.fr'],
      'hamburger.edu is not a local domain; add it first with `posthorn domain add hamburger.edu`',
    );
    await fails(
      ['alias', 'add', 'x@crepes.fr', 'not-an-address'],
      '"not-an-address" has no "@" (expected local-part@domain)',
    );
    assert.equal((await cli(['alias', 'remove', 'Info@crepes.fr'])).stdout, 'removed alias Info@crepes.fr\n');
    await fails(['alias', 'remove', 'Info@crepes.fr'], 'no alias Info@crepes.fr');
  });

  test('account remove', async () => {
    assert.equal(
      (await cli(['account', 'remove', 'chef@crepes.fr'])).stdout,
      'removed account chef@crepes.fr\n',
    );
    await fails(['account', 'remove', 'chef@crepes.fr'], 'no account chef@crepes.fr');
    assert.deepEqual(await addresses('account'), ['admin@crepes.fr', 'alice@crepes.fr']);
  });

  test('list commands print nothing (text) or [] (--json) when empty', async () => {
    const other = tempDir();
    const init = await runCli(
      [
        'init',
        '--hostname',
        'mx.empty.example',
        '--domain',
        'empty.example',
        '--admin',
        'postmaster@empty.example',
      ],
      { cwd: other },
    );
    assert.equal(init.code, 0, init.stderr);
    const text = await runCli(['alias', 'list'], { cwd: other });
    assert.equal(text.stdout, '');
    const asJson = await runCli(['alias', 'list', '--json'], { cwd: other });
    assert.deepEqual(JSON.parse(asJson.stdout), []);
  });
});
