// `posthorn queue list|show|retry|hold|release|delete|bounce`: the operator's hands on the outgoing queue
// (habits of mailq / postqueue / postsuper). The work is done by src/queue/admin.ts; this file parses
// arguments and prints. Safe next to a running server: each change is one store call.

import type { Command } from 'commander';
import { systemClock } from '../app/context.ts';
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
  releaseEntry,
  retryQueue,
  showQueueEntry,
  type QueueEntryView,
} from '../queue/admin.ts';
import { storeBounceSink } from '../queue/bounce-sink.ts';
import { UserError } from './errors.ts';
import { printList } from './output.ts';
import { withStore } from './with-store.ts';

const json = (value: unknown): void => void process.stdout.write(JSON.stringify(value, null, 2) + '\n');

function recipientsText(v: QueueEntryView): string {
  const pending = v.recipients.filter((r) => r.state === 'pending');
  const shown = pending.length > 0 ? pending : v.recipients;
  return shown.map((r) => r.address).join(', ');
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('inspect and act on the outgoing queue');

  queue
    .command('list')
    .description('list queued messages, oldest first')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withStore(command, async (store) => {
        const now = systemClock.now();
        const entries = await listQueue(store, now);
        printList(
          entries,
          [
            { header: 'id', value: (v) => v.id },
            { header: 'age', value: (v) => formatAge(v.ageSeconds) },
            { header: 'size', value: (v) => String(v.size) },
            { header: 'next', value: (v) => formatNextAttempt(v, now) },
            { header: 'sender', value: (v) => `<${v.sender}>` },
            { header: 'recipients', value: recipientsText },
          ],
          { json: options.json === true, toJson: entryToJson },
        );
      });
    });

  queue
    .command('show <id>')
    .description('show one message: envelope, recipients with their last errors, headers')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withStore(command, async (store) => {
        const now = systemClock.now();
        const details = await showQueueEntry(store, id, now);
        if (options.json) json(entryToJson(details));
        else process.stdout.write(formatEntryDetails(details, now));
      });
    });

  queue
    .command('retry [id]')
    .description('make a message (or, with --all, every message not held) due now')
    .option('--all', 'every message that is not held')
    .action(async (id: string | undefined, options: { all?: boolean }, command: Command) => {
      if ((id === undefined) === (options.all !== true)) throw new UserError('give a queue id or --all');
      await withStore(command, async (store) => {
        const done = await retryQueue(store, id === undefined ? { all: true } : { id }, systemClock.now());
        process.stdout.write(
          `${done.length} message(s) due now${done.length ? ': ' : ''}${done.map((v) => v.id).join(' ')}\n`,
        );
      });
    });

  const simple = (verb: string, description: string, run: typeof holdEntry, done: string) =>
    queue
      .command(`${verb} <id>`)
      .description(description)
      .action(async (id: string, _options: unknown, command: Command) => {
        await withStore(command, async (store) => {
          const view = await run(store, id, systemClock.now());
          process.stdout.write(`${done} ${view.id}\n`);
        });
      });
  simple('hold', 'keep a message from being tried until it is released', holdEntry, 'held');
  simple('release', 'release a held message; it is due at once', releaseEntry, 'released');
  simple('delete', 'remove a message from the queue without notifying the sender', deleteEntry, 'deleted');

  queue
    .command('bounce <id>')
    .description('fail every pending recipient now and send the sender a failure notice (DSN)')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withStore(command, async (store, config) => {
        const log = silentLogger();
        const bounce = storeBounceSink(store, {
          hostname: config.hostname,
          clock: systemClock,
          log,
          maxReceivedHeaders: config.smtp.max_received_headers,
        });
        const view = await bounceEntry({ store, config, clock: systemClock, bounce, log }, id);
        process.stdout.write(`bounced ${view.id}\n`);
      });
    });
}
