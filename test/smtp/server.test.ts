// startSmtpServers over real sockets: the three roles, connection limits across listeners, and stop().

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import { systemClock } from '../../src/app/context.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { startSmtpServers, type SmtpServers } from '../../src/smtp/server/index.ts';
import type { Store } from '../../src/storage/ports.ts';
import { openStoreForTest, type StoreForTest } from '../support/test-store.ts';
import { RawSmtpClient } from './support/smtp-client.ts';
import { testTls } from './support/tls.ts';

let dir: string;
let opened: StoreForTest;
let store: Store;
let servers: SmtpServers;

async function start(smtp: { max_connections?: number; max_connections_per_ip?: number } = {}) {
  const config = configFromDefaults(
    {
      hostname: 'mx.example.org',
      data_dir: dir,
      listen: { smtp: ['127.0.0.1:0'], submission: ['127.0.0.1:0'], submissions: [], imap: [], imaps: [] },
      smtp,
    },
    dir,
  );
  const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2 });
  servers = await startSmtpServers(
    { config, store, log: silentLogger(), tls: testTls(), clock: systemClock },
    { accounts },
  );
}

describe('startSmtpServers', () => {
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-smtp-server-'));
    opened = await openStoreForTest({ dir });
    store = opened.store;
  });
  afterEach(async () => {
    await servers.stop();
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('reports the bound addresses of each role; roles behave differently', async () => {
    await start();
    assert.equal(servers.addresses.smtp.length, 1);
    assert.equal(servers.addresses.submission.length, 1);
    assert.deepEqual(servers.addresses.submissions, []);
    assert.notEqual(servers.addresses.smtp[0]!.port, 0);
    const mx = await RawSmtpClient.connect(servers.addresses.smtp[0]!.port);
    const sub = await RawSmtpClient.connect(servers.addresses.submission[0]!.port);
    for (const c of [mx, sub]) assert.deepEqual(await c.reply(), ['220 mx.example.org ESMTP Posthorn']);
    await mx.command('EHLO x');
    await sub.command('EHLO x');
    assert.deepEqual(await mx.command('MAIL FROM:<a@remote.test>'), ['250 2.1.0 Sender ok']);
    assert.deepEqual(await sub.command('MAIL FROM:<a@remote.test>'), ['530 5.7.0 Authentication required']);
    mx.close();
    sub.close();
  });

  test('connections per IP are limited across all SMTP listeners together', async () => {
    await start({ max_connections_per_ip: 2 });
    const a = await RawSmtpClient.connect(servers.addresses.smtp[0]!.port);
    const b = await RawSmtpClient.connect(servers.addresses.submission[0]!.port);
    await a.reply();
    await b.reply();
    const c = await RawSmtpClient.connect(servers.addresses.smtp[0]!.port);
    assert.deepEqual(await c.reply(), ['421 4.7.0 Too many connections, try again later']);
    assert.equal(await c.reader.next(), null);
    a.close();
    await new Promise((resolve) => a.socket.once('close', resolve));
    // The slot is free again once the session has ended.
    for (;;) {
      const d = await RawSmtpClient.connect(servers.addresses.smtp[0]!.port);
      const greeting = await d.reply();
      d.close();
      if (greeting[0]!.startsWith('220 ')) break;
    }
    b.close();
  });

  test('connections in total are limited across all SMTP listeners together', async () => {
    await start({ max_connections: 1 });
    const a = await RawSmtpClient.connect(servers.addresses.smtp[0]!.port);
    await a.reply();
    const b = await RawSmtpClient.connect(servers.addresses.submission[0]!.port);
    assert.deepEqual(await b.reply(), ['421 4.7.0 Too many connections, try again later']);
    a.close();
    b.close();
  });

  test('stop() tells idle sessions 421 4.3.2 and closes them', async () => {
    await start();
    const a = await RawSmtpClient.connect(servers.addresses.smtp[0]!.port);
    await a.reply();
    await a.command('EHLO x');
    await servers.stop();
    assert.equal(await a.reader.next(), '421 4.3.2 Service shutting down, closing connection');
    assert.equal(await a.reader.next(), null);
    a.close();
  });
});
