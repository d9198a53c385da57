// `posthorn queue list [--json] | show ID | retry ID|--all | hold ID | release ID | delete ID | bounce ID`:
// the operator's view of the outgoing queue (mailq / postqueue / postsuper habits). Works on the store
// directly, next to a running server; the server's worker notices changes at its next look (about 10 s).

import type { Command } from 'commander';
import { systemClock, type Clock } from '../app/context.ts';
import { silentLogger } from '../log/logger.ts';
import {
  bounceEntry,
  deleteEntry,
  entryToJson,
  formatAge,
  formatEntryDetails,
  formatNextAttempt,
  holdEntry,
  listQueue,
  QueueAdminError,
  releaseEntry,
  retryQueue,
  showQueueEntry,
  type QueueEntryView,
} from '../queue/admin.ts';
import { storeBounceSink } from '../queue/bounce-sink.ts';
import { UserError } from './errors.ts';
import { printList } from './output.ts';
import { withStore } from './with-store.ts';

export interface QueueCommandOptions {
  out?: NodeJS.WritableStream;
  clock?: Clock;
}

export function registerQueueCommands(program: Command, options: QueueCommandOptions = {}): void {
  const out = () => options.out ?? process.stdout;
  const clock = options.clock ?? systemClock;
  const queue = program.command('queue').description('inspect and manage the outgoing mail queue');

  const printOne = (verb: string, v: QueueEntryView, json: boolean | undefined) => {
    if (json) out().write(JSON.stringify(entryToJson(v), null, 2) + '\n');
    else out().write(`${verb} ${v.id}\n`);
  };

  queue
    .command('list')
    .description('list queued messages: id, status, age, size, sender, recipients, next attempt, last error')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }, command: Command) => {
      await run(command, async (store) => {
        const now = clock.now();
        const rows = await listQueue(store, now);
        if (rows.length === 0 && !opts.json) {
          out().write('queue is empty\n');
          return;
        }
        printList(
          rows,
          [
            { header: 'id', value: (v) => v.id },
            { header: 'status', value: (v) => v.status },
            { header: 'age', value: (v) => formatAge(v.ageSeconds) },
            { header: 'size', value: (v) => String(v.size) },
            { header: 'sender', value: (v) => `<${v.sender}>` },
            {
              header: 'recipients',
              value: (v) => v.recipients.map((r) => `${r.address} (${r.state})`).join(', '),
            },
            { header: 'next', value: (v) => formatNextAttempt(v, now) },
            { header: 'last error', value: (v) => v.lastError ?? '' },
          ],
          { json: opts.json === true, toJson: entryToJson, out: out() },
        );
      });
    });

  queue
    .command('show <id>')
    .description('show one message: recipients with their state and replies, DSN options, headers')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      await run(command, async (store) => {
        const now = clock.now();
        const details = await showQueueEntry(store, id, now);
        out().write(
          opts.json ? JSON.stringify(entryToJson(details), null, 2) + '\n' : formatEntryDetails(details, now),
        );
      });
    });

  queue
    .command('retry [id]')
    .description('try a message (or with --all every message not held) at the next look of the worker')
    .option('--all', 'every message that is not held')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, opts: { all?: boolean; json?: boolean }, command: Command) => {
      if ((id === undefined) === (opts.all !== true))
        throw new UserError('give a queue id or --all (not both)');
      await run(command, async (store) => {
        const done = await retryQueue(store, id === undefined ? { all: true } : { id }, clock.now());
        if (opts.json) out().write(JSON.stringify(done.map(entryToJson), null, 2) + '\n');
        else if (done.length === 0) out().write('nothing to retry\n');
        else
          for (const v of done) {
            out().write(
              `scheduled ${v.id} for immediate retry${v.held ? ' (held: release it to deliver)' : ''}\n`,
            );
          }
      });
    });

  queue
    .command('hold <id>')
    .description('keep a message in the queue without trying it, until released')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      await run(command, async (store) =>
        printOne('held', await holdEntry(store, id, clock.now()), opts.json),
      );
    });

  queue
    .command('release <id>')
    .description('release a held message and try it at once')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      await run(command, async (store) =>
        printOne('released', await releaseEntry(store, id, clock.now()), opts.json),
      );
    });

  queue
    .command('delete <id>')
    .description('remove a message from the queue without telling the sender')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      await run(command, async (store) =>
        printOne('deleted', await deleteEntry(store, id, clock.now()), opts.json),
      );
    });

  queue
    .command('bounce <id>')
    .description(
      'give up on a message: its pending recipients fail and the sender gets a delivery status notification',
    )
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }, command: Command) => {
      await run(command, async (store, config) => {
        const log = silentLogger();
        const bounce = storeBounceSink(store, {
          hostname: config.hostname,
          clock,
          log,
          maxReceivedHeaders: config.smtp.max_received_headers,
        });
        printOne('bounced', await bounceEntry({ store, config, clock, bounce, log }, id), opts.json);
      });
    });
}

/** withStore, with the queue's operator errors shown like every other user error. */
async function run(command: Command, fn: Parameters<typeof withStore<void>>[1]): Promise<void> {
  try {
    await withStore(command, fn);
  } catch (err) {
    if (err instanceof QueueAdminError) throw new UserError(err.message);
    throw err;
  }
}
