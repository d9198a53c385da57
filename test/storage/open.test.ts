import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configFromDefaults } from '../../src/config/load.ts';
import { openStore } from '../../src/storage/open.ts';

test('sqlite: creates data_dir and opens storage.path inside it', async () => {
  const base = await mkdtemp(join(tmpdir(), 'posthorn-open-'));
  try {
    const dataDir = join(base, 'nested', 'data');
    const config = configFromDefaults({ data_dir: dataDir, storage: { backend: 'sqlite', path: 'mail.db' } });
    const store = await openStore(config);
    try {
      assert.equal(store.description, `sqlite:${join(dataDir, 'mail.db')}`);
      await store.accounts.addDomain('crepes.fr');
    } finally {
      await store.close();
    }
    assert.ok(existsSync(join(dataDir, 'mail.db')));
    const again = await openStore(config);
    assert.ok(await again.accounts.getDomain('crepes.fr'));
    await again.close();
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

// backend = "postgres" is covered by test/postgres/open-store.test.ts (the PostgreSQL backend's own tests).
