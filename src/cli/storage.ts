// `posthorn storage copy --to <store>`: copies the whole configured store (or --from) into a new, empty one,
// e.g. SQLite -> PostgreSQL when one node becomes several, and back. Stop the servers first: the source must
// not change while it is copied. The work is src/storage/copy.ts; this file opens the stores and prints.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { silentLogger } from '../log/logger.ts';
import { copyEnd, copyStore } from '../storage/copy.ts';
import { openStore } from '../storage/open.ts';
import type { Store } from '../storage/ports.ts';
import { PostgresStore } from '../storage/postgres/store.ts';
import { SqliteStore } from '../storage/sqlite/store.ts';
import { loadConfigOf } from './config-file.ts';
import { UserError } from './errors.ts';

/** "postgres://…" / "postgresql://…", "sqlite:PATH", or a plain path to a SQLite file. */
export async function openStoreAt(location: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(location))
    return PostgresStore.open({ url: location, log: silentLogger() });
  const path = location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location;
  if (path === '')
    throw new UserError('a SQLite store needs a file path, e.g. sqlite:/var/lib/posthorn/new.db');
  return SqliteStore.open({ path: path === ':memory:' ? path : resolve(path), log: silentLogger() });
}

export function registerStorageCommands(program: Command): void {
  const storage = program.command('storage').description('maintain the mail store');

  storage
    .command('copy')
    .description(
      'copy the whole store into a new, empty one (SQLite <-> PostgreSQL), keeping UIDVALIDITY, UIDs, MODSEQs, ' +
        'flags, subscriptions and the queue; stop the servers first',
    )
    .requiredOption('--to <store>', 'target: postgres://user@host/db, sqlite:PATH, or a .db file path')
    .option('--from <store>', 'source (default: the store in the configuration)')
    .action(async (options: { to: string; from?: string }, command: Command) => {
      const source = options.from
        ? await openStoreAt(options.from)
        : await openStore(loadConfigOf(command), silentLogger());
      try {
        const target = await openStoreAt(options.to);
        try {
          if (source.description === target.description) {
            throw new UserError('source and target are the same store');
          }
          const say = (line: string) => void process.stdout.write(`${line}\n`);
          say(`copying ${source.description} -> ${target.description}`);
          const report = await copyStore(copyEnd(source), copyEnd(target), { onProgress: say });
          for (const [key, count] of Object.entries(report.source)) {
            const copied = report.target[key as keyof typeof report.target];
            say(`  ${key.padEnd(16)} ${String(count).padStart(9)} ${copied === count ? '=' : '≠'} ${copied}`);
          }
          if (report.mismatches.length > 0) {
            for (const mismatch of report.mismatches)
              process.stderr.write(`posthorn: mismatch: ${mismatch}\n`);
            throw new UserError(`the copy differs from the source in ${report.mismatches.length} place(s)`);
          }
          say('copy verified: every count, mailbox counter and message matches');
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    });
}
