import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { resolvePassword } from '../../src/mua/password.ts';
import {
  loadProfiles,
  mailConfigPath,
  pickProfile,
  saveProfiles,
  type MailProfile,
} from '../../src/mua/profile.ts';
import type { Prompter } from '../../src/mua/prompt.ts';
import { compileSearch, parseSearchDate } from '../../src/mua/search-query.ts';

const NOW = new Date(2026, 2, 15, 12, 0, 0); // 15 March 2026, local time

function profile(name: string, overrides: Partial<MailProfile> = {}): MailProfile {
  return {
    name,
    address: `${name}@crepes.fr`,
    imap: { host: 'mail.crepes.fr', port: 993, tls: 'tls', user: `${name}@crepes.fr` },
    smtp: { host: 'mail.crepes.fr', port: 465, tls: 'tls', user: `${name}@crepes.fr` },
    folders: {},
    ...overrides,
  };
}

describe('search language', () => {
  test('field terms, dates, flags and sizes', () => {
    assert.deepEqual(
      compileSearch(
        ['from:alice', 'subject:quarterly report', 'since:2026-01-01', 'is:unread', 'larger:100k'],
        NOW,
      ),
      {
        from: 'alice',
        subject: 'quarterly report',
        sentSince: new Date(Date.UTC(2026, 0, 1)),
        seen: false,
        larger: 102400,
      },
    );
  });
  test('bare words search the whole text; quotes are stripped', () => {
    assert.deepEqual(compileSearch(['invoice'], NOW), { text: 'invoice' });
    assert.deepEqual(compileSearch(['subject:"a b"'], NOW), { subject: 'a b' });
    assert.deepEqual(compileSearch([], NOW), { all: true });
  });
  test('or, negation, and repeated keys (ANDed through NOT/OR)', () => {
    assert.deepEqual(compileSearch(['from:a', 'or', 'from:b'], NOW), { or: [{ from: 'a' }, { from: 'b' }] });
    assert.deepEqual(compileSearch(['-from:billing'], NOW), { not: { from: 'billing' } });
    assert.deepEqual(compileSearch(['not', 'from:billing'], NOW), { not: { from: 'billing' } });
    assert.deepEqual(compileSearch(['not', 'invoice', 'or', 'is:flagged'], NOW), {
      or: [{ not: { text: 'invoice' } }, { flagged: true }],
    });
    assert.throws(() => compileSearch(['from:a', 'not'], NOW), /"not" needs a term after it/);
    assert.deepEqual(compileSearch(['to:a', 'to:b'], NOW), { to: 'a', not: { not: { to: 'b' } } });
    assert.deepEqual(compileSearch(['-from:x', 'from:y'], NOW), { not: { from: 'x' }, from: 'y' });
    assert.deepEqual(compileSearch(['from:x', '-from:y', 'from:z'], NOW), {
      from: 'x',
      // x AND NOT(y OR NOT z) = x AND NOT y AND z
      not: { or: [{ from: 'y' }, { not: { from: 'z' } }] },
    });
  });
  test('date ranges include their last day; relative dates', () => {
    assert.deepEqual(compileSearch(['date:2026-01-01..2026-01-31'], NOW), {
      sentSince: new Date(Date.UTC(2026, 0, 1)),
      sentBefore: new Date(Date.UTC(2026, 1, 1)),
    });
    assert.deepEqual(parseSearchDate('today', NOW), new Date(Date.UTC(2026, 2, 15)));
    assert.deepEqual(parseSearchDate('7d', NOW), new Date(Date.UTC(2026, 2, 8)));
    assert.deepEqual(parseSearchDate('2w', NOW), new Date(Date.UTC(2026, 2, 1)));
    assert.deepEqual(compileSearch(['received-since:yesterday'], NOW), {
      since: new Date(Date.UTC(2026, 2, 14)),
    });
  });
  test('mistakes are explained', () => {
    assert.throws(() => compileSearch(['since:2026-02-30'], NOW), /not a date/);
    assert.throws(() => compileSearch(['is:purple'], NOW), /unknown "is:purple"/);
    assert.throws(() => compileSearch(['colour:red'], NOW), /unknown search term "colour:"/);
    assert.throws(() => compileSearch(['or', 'from:a'], NOW), /"or" needs a term on each side/);
    assert.throws(() => compileSearch(['larger:huge'], NOW), /not a size/);
  });
});

describe('profiles', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'posthorn-mua-'));
    dirs.push(dir);
    return dir;
  };
  test('path follows XDG_CONFIG_HOME', () => {
    assert.equal(mailConfigPath({ XDG_CONFIG_HOME: '/x/cfg' }), '/x/cfg/posthorn/mail.toml');
    assert.match(mailConfigPath({}), /\.config\/posthorn\/mail\.toml$/);
  });
  test('saved with mode 0600 and read back the same; the first is the default', () => {
    const dir = tempDir();
    const path = join(dir, 'sub', 'mail.toml');
    const profiles = [
      profile('alice', {
        displayName: 'Alice',
        passwordCommand: 'pass show mail/alice',
        folders: { sent: 'Sent Items' },
      }),
      profile('bob', { passwordEnv: 'BOB_PW', caFile: '/etc/ca.pem' }),
    ];
    saveProfiles(path, profiles);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(loadProfiles(path), profiles);
    assert.equal(pickProfile(profiles, undefined, path).name, 'alice');
    assert.equal(pickProfile(profiles, 'BOB@crepes.fr', path).name, 'bob');
    assert.throws(() => pickProfile(profiles, 'carol', path), /no mail account "carol"; known: alice, bob/);
    assert.throws(() => pickProfile([], undefined, path), /posthorn mail account add/);
  });
  test('errors name the file and the key', () => {
    const dir = tempDir();
    const path = join(dir, 'mail.toml');
    const write = (text: string) => writeFileSync(path, text);
    write(
      '[[accounts]]\nname="a"\naddress="a@b.c"\nimap={host="h",port=993,tls="ssl",user="u"}\nsmtp={host="h",port=465,tls="tls",user="u"}\n',
    );
    assert.throws(
      () => loadProfiles(path),
      /accounts\[0\]\.imap\.tls: expected one of tls, starttls, none, got "ssl"/,
    );
    write(
      '[[accounts]]\nname="a"\naddress="a@b.c"\npassword="hunter2"\nimap={host="h",port=993,tls="tls",user="u"}\nsmtp={host="h",port=465,tls="tls",user="u"}\n',
    );
    assert.throws(() => loadProfiles(path), /passwords are not stored in the file/);
    write('accounts = [');
    assert.throws(() => loadProfiles(path), new RegExp(path.replace(/[.]/g, '\\.')));
    assert.ok(readFileSync(path, 'utf8').length > 0);
  });
});

describe('passwords', () => {
  const noPrompt = (): Prompter => {
    throw new Error('should not prompt');
  };
  test('from a command: the first line of its output', async () => {
    const p = profile('a', { passwordCommand: "printf 'pw with spaces\\nsecond line'" });
    assert.equal(await resolvePassword(p, { env: {}, prompter: noPrompt }), 'pw with spaces');
  });
  test('a failing command is an error with its status', async () => {
    const p = profile('a', { passwordCommand: 'exit 3' });
    await assert.rejects(resolvePassword(p, { env: {}, prompter: noPrompt }), /exited with status 3/);
  });
  test('from an environment variable, which must be set', async () => {
    const p = profile('a', { passwordEnv: 'PW' });
    assert.equal(await resolvePassword(p, { env: { PW: 's3cret' }, prompter: noPrompt }), 's3cret');
    await assert.rejects(resolvePassword(p, { env: {}, prompter: noPrompt }), /PW .* is not set/);
  });
  test('else asked for', async () => {
    const asked: string[] = [];
    const prompter: Prompter = {
      ask: async () => '',
      askHidden: async (q) => {
        asked.push(q);
        return 'typed';
      },
      confirm: async () => true,
      close() {},
    };
    assert.equal(await resolvePassword(profile('a'), { env: {}, prompter: () => prompter }), 'typed');
    assert.deepEqual(asked, ['Password for a@crepes.fr']);
  });
});
