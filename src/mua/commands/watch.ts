// posthorn mail watch [MAILBOX]: IDLE (RFC 2177) on a mailbox and print each new message as it arrives,
// one line (or one JSON object per line with --json). "Watching …" on stderr says IDLE is about to start.
// --count N stops after N messages (scripts, tests). Ctrl-C logs out cleanly.

import type { Command } from 'commander';
import { UserError } from '../../cli/errors.ts';
import { renderTable } from '../output/table.ts';
import { safeJson, safeLine } from '../output/terminal-safe.ts';
import { withSession, type MuaIo } from '../session.ts';
import { SUMMARY_COLUMNS, summarize, SUMMARY_QUERY, type MessageSummary } from '../summaries.ts';
import { accountOption, jsonOption, openMailbox, type AccountOptions } from './common.ts';

export function registerWatchCommand(mail: Command, io: MuaIo): void {
  jsonOption(
    accountOption(
      mail
        .command('watch')
        .description('wait for new messages (IMAP IDLE) and print each one as it arrives')
        .argument('[mailbox]', 'mailbox to watch', 'INBOX')
        .option('--count <n>', 'stop after this many new messages'),
    ),
  ).action(async (mailboxName: string, options: AccountOptions & { json?: boolean; count?: string }) => {
    const limit = options.count === undefined ? Infinity : Number(options.count);
    if (!(limit > 0) || (limit !== Infinity && !Number.isInteger(limit))) {
      throw new UserError('--count: expected a positive number');
    }
    await withSession(io, options.account, async (session) => {
      const { client, mailbox, path } = await openMailbox(session, mailboxName, true);
      let nextUid = Number(mailbox.uidNext ?? 1);
      let seen = 0;
      let stopping = false;
      let pending = false;

      const print = (m: MessageSummary) => {
        if (options.json) {
          session.out(safeJson({ account: session.profile.name, mailbox: path, ...m }, 0));
          return;
        }
        const [, line] = renderTable([m], SUMMARY_COLUMNS, session.terminal);
        session.out(line);
      };
      const printNew = async () => {
        const fresh: MessageSummary[] = [];
        // "N:*" always includes the highest UID, even when it is below N; hence the filter.
        for await (const m of client.fetch(`${nextUid}:*`, SUMMARY_QUERY, { uid: true })) {
          if (m.uid >= nextUid) fresh.push(summarize(m));
        }
        fresh.sort((a, b) => a.uid - b.uid);
        for (const m of fresh) {
          if (seen >= limit) break;
          print(m);
          seen++;
          nextUid = Math.max(nextUid, m.uid + 1);
        }
        if (seen >= limit) stopping = true;
      };

      client.on('exists', () => {
        pending = true;
        // Any command ends IDLE; the loop below then fetches what arrived.
        if (client.idling) void client.noop().catch(() => {});
      });
      const interrupt = () => {
        stopping = true;
        void client.noop().catch(() => {});
      };
      process.once('SIGINT', interrupt);
      try {
        session.io.stderr.write(`Watching ${safeLine(path)} (${mailbox.exists} messages); Ctrl-C to stop\n`);
        while (!stopping) {
          if (pending) {
            pending = false;
            await printNew();
            continue;
          }
          await client.idle();
          if (!client.usable) throw new UserError('the IMAP connection was lost');
        }
      } finally {
        process.off('SIGINT', interrupt);
      }
    });
  });
}
