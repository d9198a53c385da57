// Runs the storage contract suite on the SQLite backend, each test in its own temporary directory.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/storage/ports.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';
import { runStoreContract } from './store-contract.ts';

runStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'posthorn-contract-'));
  const path = join(dir, 'posthorn.db');
  const opened: Store[] = [];
  const open = () => {
    const store = SqliteStore.open({ path });
    opened.push(store);
    return store;
  };
  return {
    store: open(),
    reopen: async () => open(),
    cleanup: async () => {
      for (const store of opened) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
