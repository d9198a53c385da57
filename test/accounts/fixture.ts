// An AccountService over an in-memory SQLite store with cheap hashing.

import { AccountService, TEST_ARGON2, type AccountServiceOptions } from '../../src/accounts/index.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';

export async function service(options: AccountServiceOptions = {}) {
  const store = SqliteStore.open({ path: ':memory:' });
  const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2, ...options });
  return { store, accounts, [Symbol.asyncDispose]: () => store.close() };
}
