// `npm start` (scripts/start.ts): first run creates the local instance and prints how to connect;
// a restart keeps the data and the password. Listeners are moved to port 0 by POSTHORN_LISTEN_* here.

import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AccountService } from '../../src/accounts/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openStore } from '../../src/storage/open.ts';
import { cleanEnv, exitOf, NODE, tempDir } from './run-cli.ts';

const START = join(import.meta.dirname, '..', '..', 'scripts', 'start.ts');
const ANY_PORT = {
  POSTHORN_LISTEN_SMTP: '127.0.0.1:0',
  POSTHORN_LISTEN_SUBMISSION: '127.0.0.1:0',
  POSTHORN_LISTEN_SUBMISSIONS: '127.0.0.1:0',
  POSTHORN_LISTEN_IMAP: '127.0.0.1:0',
  POSTHORN_LISTEN_IMAPS: '127.0.0.1:0',
};

const hasPython = spawnSync('python3', ['--version']).status === 0;
const hasSwaks = spawnSync('swaks', ['--version']).status === 0;

/** Runs the guide's python3 one-liners: send a message to yourself, then read it over IMAP. */
async function followGuide(output: string): Promise<void> {
  if (!hasPython) return;
  const lines = [...output.matchAll(/^ {2}python3 -c '(.*)'$/gm)].map((m) => m[1]!.replace(/'\\''/g, "'"));
  assert.equal(lines.length, 2);
  const run = (code: string) =>
    new Promise<string>((resolve, reject) => {
      execFile('python3', ['-c', code], { timeout: 30_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
  await run(lines[0]!);
  const swaks = /^ {2}(swaks --server .*)$/m.exec(output)?.[1];
  if (swaks && hasSwaks) {
    // The swaks line as printed, through a shell (it quotes the password).
    const sent = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-c', swaks], { timeout: 30_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(stdout),
      ),
    );
    assert.match(sent, /250 2\.0\.0 Ok: queued as/);
  }
  const read = await run(lines[1]!);
  assert.match(read, /Subject: Hello from Posthorn/);
  if (swaks && hasSwaks) assert.match(read, /Subject: test /, 'the swaks message arrived too');
}

/** Runs npm start's script until its guide is printed, then stops it with SIGINT (Ctrl-C). */
async function startOnce(configPath: string): Promise<{ output: string; exit: { code: number | null } }> {
  const child = spawn(NODE, [START, '--config', configPath], { env: cleanEnv(ANY_PORT), stdio: 'pipe' });
  let output = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Stop with Ctrl-C')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} early: ${stderr}`)));
  });
  const port = Number(/^ {2}Submission \(outgoing\) +port (\d+)/m.exec(output)![1]);
  const greeting = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString());
    });
    socket.once('error', reject);
  });
  assert.match(greeting, /^220 localhost /);
  await followGuide(output);
  child.kill('SIGINT');
  const exit = await exitOf(child);
  return { output, exit };
}

describe('npm start', () => {
  test('first run sets up the instance and prints the guide; a restart keeps data and password', async () => {
    const dir = tempDir('posthorn-start-');
    const configPath = join(dir, 'posthorn.toml');

    const first = await startOnce(configPath);
    assert.equal(first.exit.code, 0);
    assert.match(first.output, /^Created .*posthorn\.toml$/m);
    assert.match(first.output, /^Created the account demo@posthorn\.localhost$/m);
    const password = /^ {2}Password: +(\S+)/m.exec(first.output)![1]!;
    assert.match(first.output, new RegExp(`^ {2}Account: +demo@posthorn\\.localhost$`, 'm'));
    for (const label of [
      'IMAP \\(incoming\\)',
      'IMAPS \\(incoming\\)',
      'Submissions \\(outgoing\\)',
      'SMTP MX \\(no login\\)',
    ]) {
      assert.match(first.output, new RegExp(`^ {2}${label} +port \\d+`, 'm'));
    }
    assert.match(
      first.output,
      /^ {2}swaks --server 127\.0\.0\.1:\d+ --tls --auth-user demo@posthorn\.localhost /m,
    );
    assert.match(first.output, /^ {2}python3 -c 'import smtplib; /m);

    // The config file names the documented local ports; the tests only override them.
    const config = readFileSync(configPath, 'utf8');
    for (const port of [1025, 1587, 1465, 1143, 1993])
      assert.match(config, new RegExp(`"127\\.0\\.0\\.1:${port}"`));
    const passwordFile = join(dir, 'demo-password');
    assert.equal(readFileSync(passwordFile, 'utf8'), `${password}\n`);
    assert.equal(statSync(passwordFile).mode & 0o777, 0o600);

    const second = await startOnce(configPath);
    assert.equal(second.exit.code, 0);
    assert.doesNotMatch(second.output, /^Created/m);
    assert.equal(/^ {2}Password: +(\S+)/m.exec(second.output)![1], password);

    const store = await openStore(loadConfig(configPath, { env: {} }));
    try {
      const accounts = new AccountService(store.accounts);
      assert.ok(await accounts.authenticate('demo@posthorn.localhost', password));
      assert.deepEqual((await accounts.getAlias('postmaster@posthorn.localhost'))?.targets, [
        'demo@posthorn.localhost',
      ]);
    } finally {
      await store.close();
    }
  });
});
