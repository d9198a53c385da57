// openStore with backend = "postgres": the configuration's URL opens a PostgresStore; no URL is a clear error.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { configFromDefaults } from '../../src/config/load.ts';
import { openStore } from '../../src/storage/open.ts';
import { StorageError } from '../../src/storage/ports.ts';
import { postgresForTests } from '../support/postgres.ts';

const postgres = await postgresForTests();

test('postgres without storage.url is a StorageError naming the setting', async () => {
  // The config loader refuses this already; openStore must not rely on it.
  const defaults = configFromDefaults({});
  const config = { ...defaults, storage: { ...defaults.storage, backend: 'postgres', url: null } };
  await assert.rejects(openStore(config), (error: Error) => {
    assert.ok(error instanceof StorageError);
    assert.match(error.message, /storage\.url/);
    return true;
  });
});

if (!postgres.available) {
  test('openStore: postgres', { skip: postgres.reason }, () => {});
} else {
  const { db } = postgres;
  after(() => db.drop());

  test('postgres: opens the database storage.url names', async () => {
    const schema = await db.newSchema();
    const config = configFromDefaults({ storage: { backend: 'postgres', url: schema.url } });
    try {
      const store = await openStore(config);
      try {
        assert.match(store.description, /^postgres:\/\//);
        await store.accounts.addDomain('crepes.fr');
      } finally {
        await store.close();
      }
      const again = await openStore(config);
      assert.ok(await again.accounts.getDomain('crepes.fr'));
      await again.close();
    } finally {
      await schema.drop();
    }
  });
}
