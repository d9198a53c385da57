// A real SQLite store in a temporary directory with one account, for IMAP tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account, Store } from '../../src/storage/ports.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';

export interface TestStore {
  store: Store;
  dir: string;
  account: Account;
  close(): Promise<void>;
}

export async function openTestStore(address = 'bob@hamburger.edu'): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-imap-'));
  const store = SqliteStore.open({ path: join(dir, 'posthorn.db') });
  const domain = address.slice(address.indexOf('@') + 1);
  await store.accounts.addDomain(domain);
  const account = await store.accounts.addAccount(address, 'not-a-real-hash');
  return {
    store,
    dir,
    account,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
