// PostgreSQL for tests: each test process gets its own database (posthorn_test_<pid>_<random>), created
// from a maintenance database and dropped at the end; each test inside it gets its own schema, so tests
// never see each other's rows or change notifications.
//
// The server: $POSTHORN_TEST_POSTGRES_URL (a maintenance database URL), else the local server on
// 127.0.0.1:5432 as user postgres (databases "postgres", then "test"). When none answers, the tests skip with
// the reason, unless POSTHORN_TEST_POSTGRES=required (CI on a machine with PostgreSQL), where it fails.

import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestSchema {
  /** A connection URL whose search_path is the schema. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

export interface PostgresTestDatabase {
  /** URL of the test database (public schema). */
  url: string;
  name: string;
  /** A fresh, empty schema in the test database. */
  newSchema(): Promise<TestSchema>;
  /** Runs SQL as an administrator on the test database (tests that inspect or break connections). */
  admin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drops the database (ending every connection still open to it). */
  drop(): Promise<void>;
}

export type PostgresForTests =
  { available: true; db: PostgresTestDatabase } | { available: false; reason: string };

const CANDIDATES = [
  'postgres://postgres@127.0.0.1:5432/postgres',
  'postgres://postgres@127.0.0.1:5432/test',
  'postgres://root@127.0.0.1:5432/test',
];

function withDatabase(url: string, database: string, options?: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/' + encodeURIComponent(database);
  if (options !== undefined) parsed.searchParams.set('options', options);
  return parsed.toString();
}

async function tryConnect(url: string): Promise<pg.Client | Error> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    return error as Error;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Drops test databases left behind by test processes on this machine that no longer run. */
async function dropStale(maintenance: pg.Client): Promise<void> {
  const rows = (
    await maintenance.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'posthorn\\_test\\_%'",
    )
  ).rows;
  for (const { datname } of rows) {
    const pid = Number(/^posthorn_test_(\d+)_/.exec(datname)?.[1]);
    if (!Number.isInteger(pid) || processAlive(pid)) continue;
    await maintenance
      .query(`DROP DATABASE IF EXISTS ${maintenance.escapeIdentifier(datname)} WITH (FORCE)`)
      .catch(() => {});
  }
}

export async function postgresForTests(): Promise<PostgresForTests> {
  const configured = process.env.POSTHORN_TEST_POSTGRES_URL;
  const candidates = configured ? [configured] : CANDIDATES;
  let maintenance: pg.Client | undefined;
  let maintenanceUrl = '';
  const failures: string[] = [];
  for (const url of candidates) {
    const result = await tryConnect(url);
    if (result instanceof Error) failures.push(`${url}: ${result.message}`);
    else {
      maintenance = result;
      maintenanceUrl = url;
      break;
    }
  }
  if (!maintenance) {
    const reason = `PostgreSQL not reachable (${failures.join('; ')}); run scripts/ensure-postgres.sh`;
    if (process.env.POSTHORN_TEST_POSTGRES === 'required') throw new Error(reason);
    return { available: false, reason };
  }

  await dropStale(maintenance);
  const name = `posthorn_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await maintenance.query(`CREATE DATABASE ${maintenance.escapeIdentifier(name)}`);
  const url = withDatabase(maintenanceUrl, name);
  const adminPool = new pg.Pool({ connectionString: url, max: 2 });
  adminPool.on('error', () => {});
  let schemas = 0;
  let dropped = false;

  const db: PostgresTestDatabase = {
    url,
    name,
    async newSchema() {
      const schema = `t${++schemas}_${randomBytes(3).toString('hex')}`;
      await adminPool.query(`CREATE SCHEMA ${schema}`);
      return {
        name: schema,
        url: withDatabase(maintenanceUrl, name, `-c search_path=${schema}`),
        drop: async () => {
          await adminPool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        },
      };
    },
    async admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await adminPool.query<T>(sql, params)).rows;
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminPool.end();
      await maintenance.query(`DROP DATABASE IF EXISTS ${maintenance.escapeIdentifier(name)} WITH (FORCE)`);
      await maintenance.end();
    },
  };
  return { available: true, db };
}
