// Opens the storage backend the configuration names.

import { resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log/logger.ts';
import { StorageError, type Store } from './ports.ts';
import { PostgresStore } from './postgres/store.ts';
import { createDirectory, SqliteStore } from './sqlite/store.ts';

export async function openStore(config: Config, log?: Logger): Promise<Store> {
  const backend = config.storage.backend;
  switch (backend) {
    case 'sqlite': {
      if (config.storage.path === ':memory:') return SqliteStore.open({ path: ':memory:', log });
      const dataDir = resolve(config.data_dir);
      createDirectory(dataDir);
      return SqliteStore.open({ path: resolve(dataDir, config.storage.path), log });
    }
    case 'postgres': {
      const url = config.storage.url;
      if (!url) {
        throw new StorageError(
          'storage backend "postgres" needs storage.url, e.g. postgres://posthorn@localhost/posthorn',
        );
      }
      return PostgresStore.open({ url, log });
    }
    default:
      throw new StorageError(`unknown storage backend "${backend}" (expected "sqlite" or "postgres")`);
  }
}
