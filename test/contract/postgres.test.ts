// Runs the storage contract suite on the PostgreSQL backend: one database per test process, one schema per
// test (test/support/postgres.ts). Skips with the reason when no PostgreSQL server answers.

import { after, test } from 'node:test';
import type { Store } from '../../src/storage/ports.ts';
import { PostgresStore } from '../../src/storage/postgres/store.ts';
import { postgresForTests } from '../support/postgres.ts';
import { runStoreContract } from './store-contract.ts';

const postgres = await postgresForTests();

if (!postgres.available) {
  test('store contract: postgres', { skip: postgres.reason }, () => {});
} else {
  const { db } = postgres;
  after(() => db.drop());

  runStoreContract('postgres', async () => {
    const schema = await db.newSchema();
    const opened: Store[] = [];
    const open = async () => {
      const store = await PostgresStore.open({ url: schema.url, poolSize: 4 });
      opened.push(store);
      return store;
    };
    return {
      store: await open(),
      reopen: open,
      cleanup: async () => {
        for (const store of opened) await store.close();
        await schema.drop();
      },
    };
  });
}
