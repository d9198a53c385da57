// A real store with one account, for IMAP tests: SQLite in a temporary directory, or PostgreSQL with
// POSTHORN_TEST_BACKEND=postgres (test/support/test-store.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Account, Store } from '../../src/storage/ports.ts';
import { openStoreForTest } from './test-store.ts';

export interface TestStore {
  store: Store;
  dir: string;
  account: Account;
  close(): Promise<void>;
}

export async function openTestStore(address = 'bob@hamburger.edu'): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-imap-'));
  const opened = await openStoreForTest({ dir });
  const store = opened.store;
  const domain = address.slice(address.indexOf('@') + 1);
  await store.accounts.addDomain(domain);
  const account = await store.accounts.addAccount(address, 'not-a-real-hash');
  return {
    store,
    dir,
    account,
    async close() {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
