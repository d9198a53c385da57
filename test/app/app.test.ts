import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startApp } from '../../src/app/app.ts';
import type { AutoconfigService } from '../../src/autoconfig/index.ts';
import type { ServiceStarter } from '../../src/app/services.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openStore } from '../../src/storage/open.ts';

function testConfig() {
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-app-'));
  return configFromDefaults({ data_dir: dir, hostname: 'mx.crepes.fr' }, dir);
}

/** Starters that record what happens to them in `events`. */
function recording(events: string[], names: string[], failing?: string): ServiceStarter[] {
  return names.map((name) => ({
    name,
    enabled: () => name !== 'off',
    async start(ctx, shared) {
      assert.ok(ctx.store && ctx.tls.context && shared.accounts);
      if (name === failing) throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
      return { name, stop: async () => void events.push(`stop ${name}`) };
    },
  }));
}

describe('startApp', () => {
  test('starts enabled services in order, stops them in reverse, closes the store once', async () => {
    const events: string[] = [];
    const config = testConfig();
    const app = await startApp(config, {
      log: silentLogger(),
      services: recording(events, ['a', 'off', 'b']),
    });
    assert.deepEqual(
      app.services.map((s) => s.name),
      ['a', 'b'],
    );
    assert.equal(app.tls.source, 'generated');
    assert.deepEqual(await app.ctx.store.accounts.listDomains(), []);
    await Promise.all([app.stop(), app.stop()]);
    await app.stop();
    assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
    await assert.rejects(app.ctx.store.accounts.listDomains());
  });

  test('a service that fails to start: the ones before it are stopped, the error comes through', async () => {
    const events: string[] = [];
    const config = testConfig();
    await assert.rejects(
      startApp(config, { log: silentLogger(), services: recording(events, ['a', 'b', 'c'], 'c') }),
      /c cannot start/,
    );
    assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
  });

  test('an injected store is used and left open', async () => {
    const config = testConfig();
    const store = await openStore(config);
    try {
      const app = await startApp(config, { log: silentLogger(), store, services: [] });
      assert.equal(app.ctx.store, store);
      await app.stop();
      assert.deepEqual(await store.accounts.listDomains(), []);
    } finally {
      await store.close();
    }
  });

  test('the default services: queue, SMTP and IMAP, in that order', async () => {
    const config = testConfig();
    for (const name of ['smtp', 'submission', 'imap'] as const) config.listen[name] = ['127.0.0.1:0'];
    const app = await startApp(config, { log: silentLogger() });
    try {
      assert.deepEqual(
        app.services.map((s) => s.name),
        ['queue', 'smtp', 'imap'],
      );
    } finally {
      await app.stop();
    }
  });

  test('with [autoconfig] listen set, serve answers autoconfig and MTA-STS requests over HTTP', async () => {
    const config = testConfig();
    for (const name of ['smtp', 'submission', 'submissions', 'imap', 'imaps'] as const)
      config.listen[name] = [];
    config.autoconfig.listen = ['127.0.0.1:0'];
    const app = await startApp(config, { log: silentLogger() });
    try {
      assert.deepEqual(
        app.services.map((s) => s.name),
        ['queue', 'autoconfig'],
      );
      const { http } = app.services.find((s) => s.name === 'autoconfig') as AutoconfigService;
      const base = `http://127.0.0.1:${http[0]!.port}`;
      const policy = await fetch(`${base}/.well-known/mta-sts.txt`);
      assert.equal(policy.status, 200);
      assert.match(await policy.text(), /^version: STSv1\r?\nmode: testing\r?\n/);
    } finally {
      await app.stop();
    }
  });
});
