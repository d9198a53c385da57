import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { exitOf, spawnCli, tempDir, waitForLogLine } from './run-cli.ts';

/** The first line a server sends on a new connection. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (d: string) => {
      text += d;
      const end = text.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(text.slice(0, end));
      }
    });
  });
}

const portOf = (entry: Record<string, unknown>): number => Number(String(entry.address).split(':').at(-1));

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

  test('with SMTP, submission and IMAP listeners: they answer, and SIGTERM closes them and exits 0', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'posthorn.toml'),
      'hostname = "mx.crepes.fr"\n[listen]\nsmtp = ["127.0.0.1:0"]\nsubmission = ["127.0.0.1:0"]\n' +
        'submissions = ["127.0.0.1:0"]\nimap = ["127.0.0.1:0"]\nimaps = []\n',
    );
    const child = spawnCli(['serve'], { cwd: dir });
    const listening: Record<string, number> = {};
    const ready = await waitForLogLine(child, (e) => {
      if (e.msg === 'listening') listening[String(e.listener)] = portOf(e);
      return e.msg === 'posthorn ready';
    });
    assert.deepEqual(ready.services, ['queue', 'smtp', 'imap']);
    assert.deepEqual(Object.keys(listening).sort(), ['imap', 'smtp', 'submission', 'submissions']);
    assert.match(await greeting(listening.smtp!), /^220 mx\.crepes\.fr /);
    assert.match(await greeting(listening.submission!), /^220 mx\.crepes\.fr /);
    assert.match(await greeting(listening.imap!), /^\* OK /);
    child.kill('SIGTERM');
    assert.deepEqual(await exitOf(child), { code: 0, signal: null });
    await assert.rejects(greeting(listening.smtp!), { code: 'ECONNREFUSED' });
  });

  test('a port in use is a one-line error, exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const dir = tempDir();
      writeFileSync(
        join(dir, 'posthorn.toml'),
        NO_LISTENERS.replace('smtp = []', `smtp = ["127.0.0.1:${port}"]`),
      );
      const child = spawnCli(['serve'], { cwd: dir });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      assert.equal((await exitOf(child)).code, 1);
      assert.equal(stderr, `posthorn: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`);
    } finally {
      blocker.close();
    }
  });
});
