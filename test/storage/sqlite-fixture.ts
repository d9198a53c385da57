// A SqliteStore in a fresh temporary directory, for the SQLite-specific tests.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, type SqliteStoreOptions } from '../../src/storage/sqlite/store.ts';

export interface TempStore {
  dir: string;
  path: string;
  store: SqliteStore;
  open: (options?: Partial<SqliteStoreOptions>) => SqliteStore;
  cleanup: () => Promise<void>;
}

export async function tempStore(options: Partial<SqliteStoreOptions> = {}): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'posthorn-sqlite-'));
  const path = join(dir, 'posthorn.db');
  const opened: SqliteStore[] = [];
  const open = (more: Partial<SqliteStoreOptions> = {}) => {
    const store = SqliteStore.open({ path, ...options, ...more });
    opened.push(store);
    return store;
  };
  return {
    dir,
    path,
    store: open(),
    open,
    cleanup: async () => {
      for (const store of opened) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
