import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { exitOf, spawnCli, tempDir, waitForLogLine } from './run-cli.ts';

const NO_LISTENERS = '[listen]\nsmtp = []\nsubmission = []\nsubmissions = []\nimap = []\nimaps = []\n';

describe('posthorn serve', () => {
  test('with no listeners: starts, opens the store, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'posthorn.toml'), NO_LISTENERS);
    const child = spawnCli(['serve'], { cwd: dir });
    const ready = await waitForLogLine(child, (e) => e.msg === 'posthorn ready');
    assert.equal(ready.store, `sqlite:${join(dir, 'data', 'posthorn.db')}`);
    assert.ok(existsSync(join(dir, 'data', 'tls', 'cert.pem')), 'self-signed certificate generated');
    const stopped = waitForLogLine(child, (e) => e.msg === 'stopped');
    child.kill('SIGTERM');
    await stopped;
    assert.deepEqual(await exitOf(child), { code: 0, signal: null });
  });

  test('SIGINT stops it too', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'posthorn.toml'), NO_LISTENERS);
    const child = spawnCli(['serve'], { cwd: dir });
    await waitForLogLine(child, (e) => e.msg === 'posthorn ready');
    child.kill('SIGINT');
    assert.deepEqual(await exitOf(child), { code: 0, signal: null });
  });

  test('a bad config stops it before anything starts', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'posthorn.toml'), '[smtp]\nmax_recipients = 1\n');
    const child = spawnCli(['serve'], { cwd: dir });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = await exitOf(child);
    assert.equal(exit.code, 1);
    assert.match(stderr, /^posthorn: smtp.max_recipients in \S+: expected an integer >= 100, got 1\n$/);
    assert.ok(!existsSync(join(dir, 'data')), 'nothing created');
  });
});
