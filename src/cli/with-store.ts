// Admin commands work on the store directly: load the config, open the store, run, close it again
// (also on failure). SQLite allows this next to a running server.

import type { Command } from 'commander';
import { AccountService } from '../accounts/index.ts';
import type { Config } from '../config/schema.ts';
import { silentLogger } from '../log/logger.ts';
import { openStore } from '../storage/open.ts';
import type { Store } from '../storage/ports.ts';
import { loadConfigOf } from './config-file.ts';

export async function withStore<T>(
  command: Command,
  run: (store: Store, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfigOf(command);
  const store = await openStore(config, silentLogger());
  try {
    return await run(store, config);
  } finally {
    await store.close();
  }
}

/** withStore with an AccountService over it: the validated, normalising way to change accounts. */
export async function withAccounts<T>(
  command: Command,
  run: (accounts: AccountService, store: Store, config: Config) => Promise<T>,
): Promise<T> {
  return withStore(command, (store, config) => run(new AccountService(store.accounts), store, config));
}
