// The storage backend for service tests (SMTP, queue, IMAP), chosen by the environment:
//
//   POSTHORN_TEST_BACKEND=postgres   a fresh schema per store in this process's test database
//                                    (test/support/postgres.ts); the database is dropped when the file ends
//   (unset or "sqlite")              SQLite: a file in the given directory, else in memory
//
// `npm run test:pg` runs the service suites this way. Fixtures call openStoreForTest() (a Store) or
// storageConfigForTest() (a [storage] section, for startApp and process-level tests).

import { join } from 'node:path';
import { after } from 'node:test';
import type { Config } from '../../src/config/schema.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { Store } from '../../src/storage/ports.ts';
import { PostgresStore } from '../../src/storage/postgres/store.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';
import { postgresForTests, type PostgresTestDatabase, type TestSchema } from './postgres.ts';

export type TestBackend = 'sqlite' | 'postgres';

function backendFromEnvironment(): TestBackend {
  const value = process.env.POSTHORN_TEST_BACKEND ?? 'sqlite';
  if (value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres') return 'postgres';
  throw new Error(`POSTHORN_TEST_BACKEND=${value}: expected "sqlite" or "postgres"`);
}

export const TEST_BACKEND: TestBackend = backendFromEnvironment();

let database: Promise<PostgresTestDatabase> | undefined;
let spare: Promise<TestSchema> | undefined;

/** This process's PostgreSQL test database, created on first use and dropped after the file's tests. */
function testDatabase(): Promise<PostgresTestDatabase> {
  database ??= postgresForTests().then((postgres) => {
    // POSTHORN_TEST_BACKEND=postgres asks for PostgreSQL explicitly: no server is a failure, not a skip.
    if (!postgres.available) throw new Error(`POSTHORN_TEST_BACKEND=postgres: ${postgres.reason}`);
    return postgres.db;
  });
  return database;
}

if (TEST_BACKEND === 'postgres') {
  after(async () => {
    await spare?.catch(() => {});
    if (database) await (await database).drop();
  });
}

/** A new schema with the migrations applied (about 0.2 s): one is always being prepared ahead. */
function migratedSchema(): Promise<TestSchema> {
  const taken = spare ?? prepareSchema();
  spare = prepareSchema();
  spare.catch(() => {}); // a failure shows when it is taken
  return taken;
}

async function prepareSchema(): Promise<TestSchema> {
  const schema = await (await testDatabase()).newSchema();
  const store = await PostgresStore.open({ url: schema.url, poolSize: 1 });
  await store.close();
  return schema;
}

export interface StorageForTest {
  /** The [storage] section: SQLite in `dir` (or in memory), or PostgreSQL with a fresh, migrated schema. */
  storage: Config['storage'];
  /**
   * Called once the stores on it are closed. Nothing to do: SQLite files go with their directory, and the
   * PostgreSQL schemas with the test database when the file's tests are done (dropping each costs time).
   */
  release(): Promise<void>;
}

/** A [storage] configuration section on the test backend, for startApp and server processes. */
export async function storageConfigForTest(dir?: string): Promise<StorageForTest> {
  if (TEST_BACKEND === 'sqlite') {
    return {
      storage: { backend: 'sqlite', path: dir ? join(dir, 'posthorn.db') : ':memory:', url: null },
      release: async () => {},
    };
  }
  const schema = await migratedSchema();
  return {
    storage: { backend: 'postgres', path: 'posthorn.db', url: schema.url },
    release: async () => {},
  };
}

export interface StoreForTest {
  store: Store;
  backend: TestBackend;
  /** Opens another Store on the same data (another node, or a restart); closed by close(). */
  reopen(): Promise<Store>;
  /** Closes every store opened here and removes the data (the SQLite file stays with its directory). */
  close(): Promise<void>;
}

export interface StoreForTestOptions {
  /** SQLite: the directory of the database file; without it, an in-memory database. */
  dir?: string;
  /** The store's clock (queue tests on a fake clock). */
  now?: () => Date;
  log?: Logger;
}

/** A new, empty store on the test backend. */
export async function openStoreForTest(options: StoreForTestOptions = {}): Promise<StoreForTest> {
  const { storage, release } = await storageConfigForTest(options.dir);
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store =
      storage.backend === 'postgres'
        ? await PostgresStore.open({ url: storage.url!, poolSize: 4, now: options.now, log: options.log })
        : SqliteStore.open({ path: storage.path, now: options.now, log: options.log });
    opened.push(store);
    return store;
  };
  const store = await open();
  let closed = false;
  return {
    store,
    backend: TEST_BACKEND,
    reopen: () => {
      if (storage.path === ':memory:') throw new Error('an in-memory SQLite store cannot be reopened');
      return open();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of opened) await s.close();
      await release();
    },
  };
}
