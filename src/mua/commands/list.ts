// posthorn mail list [MAILBOX] and posthorn mail search QUERY…: message summaries page by page, newest
// first. `list` pages by sequence number (no search needed); `search` runs UID SEARCH on the server
// (search-query.ts) and pages through the UIDs it returns.

import type { Command } from 'commander';
import { UserError } from '../../cli/errors.ts';
import { renderTable } from '../output/table.ts';
import { safeLine } from '../output/terminal-safe.ts';
import { compileSearch } from '../search-query.ts';
import type { MailSession } from '../session.ts';
import { withSession, type MuaIo } from '../session.ts';
import {
  fetchSummaries,
  SUMMARY_COLUMNS,
  summarize,
  SUMMARY_QUERY,
  type MessageSummary,
} from '../summaries.ts';
import { accountOption, imapFailure, jsonOption, openMailbox, type AccountOptions } from './common.ts';

interface PageOptions extends AccountOptions {
  mailbox?: string;
  page: string;
  pageSize: string;
  json?: boolean;
}

export interface MessagePage {
  account: string;
  mailbox: string;
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  messages: MessageSummary[];
}

function positive(value: string, name: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UserError(`${name}: expected a positive number, got "${value}"`);
  return Number(value);
}

function pageOptions(cmd: Command): Command {
  return cmd
    .option('--page <n>', 'page number, 1 = newest', '1')
    .option('--page-size <n>', 'messages per page', '50');
}

function printPage(session: MailSession, page: MessagePage, query?: string): void {
  const lines = renderTable(page.messages, SUMMARY_COLUMNS, session.terminal);
  if (page.messages.length > 0) session.out(lines.join('\n'));
  const what = query === undefined ? `${page.total} messages` : `${page.total} found`;
  const more = page.page < page.pages ? `; next: --page ${page.page + 1}` : '';
  session.io.stderr.write(
    `${safeLine(page.mailbox)}: ${what}, page ${page.page}/${Math.max(page.pages, 1)}${more}\n`,
  );
}

export async function listPage(
  session: MailSession,
  name: string,
  page: number,
  pageSize: number,
): Promise<MessagePage> {
  const { client, mailbox, path } = await openMailbox(session, name, true);
  const total = mailbox.exists;
  const pages = Math.ceil(total / pageSize);
  const messages: MessageSummary[] = [];
  const end = total - (page - 1) * pageSize;
  if (end >= 1) {
    const start = Math.max(1, end - pageSize + 1);
    for await (const m of client.fetch(`${start}:${end}`, SUMMARY_QUERY)) messages.push(summarize(m));
    messages.sort((a, b) => b.uid - a.uid);
  }
  return { account: session.profile.name, mailbox: path, total, page, pageSize, pages, messages };
}

export async function searchPage(
  session: MailSession,
  name: string,
  words: readonly string[],
  page: number,
  pageSize: number,
): Promise<MessagePage> {
  const query = compileSearch(words, session.io.now());
  const { client, path } = await openMailbox(session, name, true);
  let uids: number[];
  try {
    uids = ((await client.search(query, { uid: true })) || []).slice().sort((a, b) => b - a);
  } catch (err) {
    throw imapFailure(err, session, 'search failed');
  }
  const pageUids = uids.slice((page - 1) * pageSize, page * pageSize);
  return {
    account: session.profile.name,
    mailbox: path,
    total: uids.length,
    page,
    pageSize,
    pages: Math.ceil(uids.length / pageSize),
    messages: await fetchSummaries(client, pageUids),
  };
}

export function registerListCommands(mail: Command, io: MuaIo): void {
  jsonOption(
    pageOptions(
      accountOption(
        mail
          .command('list')
          .description('list the messages of a mailbox, newest first')
          .argument('[mailbox]', 'mailbox (default INBOX)')
          .option('-m, --mailbox <name>', 'mailbox (same as the argument)'),
      ),
    ),
  ).action(async (mailboxArg: string | undefined, options: PageOptions) => {
    const page = positive(options.page, '--page');
    const pageSize = positive(options.pageSize, '--page-size');
    await withSession(io, options.account, async (session) => {
      const result = await listPage(session, mailboxArg ?? options.mailbox ?? 'INBOX', page, pageSize);
      if (options.json) session.json(result);
      else printPage(session, result);
    });
  });

  jsonOption(
    pageOptions(
      accountOption(
        mail
          .command('search')
          .description('search a mailbox on the server (terms are ANDed; see docs/mua.md)')
          .argument(
            '[query...]',
            'from:, to:, cc:, subject:, body:, text:, since:, before:, on:, date:A..B, is:, larger:, smaller:, or, not',
          )
          .option('-m, --mailbox <name>', 'mailbox to search', 'INBOX')
          .addHelpText(
            'after',
            '\nExamples:\n  posthorn mail search from:alice since:2026-01-01 is:unread\n' +
              '  posthorn mail search subject:"quarterly report" or subject:budget\n' +
              '  posthorn mail search -m Archive body:invoice not from:billing@example.com\n',
          ),
      ),
    ),
  ).action(async (words: string[], options: PageOptions) => {
    const page = positive(options.page, '--page');
    const pageSize = positive(options.pageSize, '--page-size');
    await withSession(io, options.account, async (session) => {
      const result = await searchPage(session, options.mailbox ?? 'INBOX', words, page, pageSize);
      if (options.json) session.json({ ...result, query: words.join(' ') });
      else printPage(session, result, words.join(' '));
    });
  });
}
