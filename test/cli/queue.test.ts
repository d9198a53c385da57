// End to end: `posthorn queue ...` on entries put into the store of an initialised server.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { parseMessage } from '../../src/message/parse.ts';
import { openStore } from '../../src/storage/open.ts';
import type { Store } from '../../src/storage/ports.ts';
import { runCli, tempDir, type CliResult } from './run-cli.ts';

const dir = tempDir();
const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd: dir });

async function withTestStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig(join(dir, 'posthorn.toml'), { env: {} }));
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

async function enqueue(subject: string): Promise<string> {
  const bytes = Buffer.from(
    `From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@crepes.fr>\r\n\r\nHello.\r\n`,
  );
  return withTestStore(async (store) => {
    const blobId = await store.mail.putBlob(bytes, parseMessage(bytes));
    const entry = await store.queue.enqueue({
      blobId,
      sender: 'alice@crepes.fr',
      recipients: [{ address: 'bob@hamburger.edu', orcpt: null, notify: [] }],
      size: bytes.length,
      envId: null,
      ret: null,
      smtputf8: false,
      eightBit: false,
      nextAttemptAt: new Date(Date.now() + 3600_000),
    });
    return entry.id;
  });
}

type Row = { id: string; status: string; held: boolean; sender: string; next_attempt_at: string };
const list = async (): Promise<Row[]> => {
  const result = await cli(['queue', 'list', '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Row[];
};

describe('posthorn queue', () => {
  let first = '';
  let second = '';

  before(async () => {
    const init = await runCli(
      ['init', '--hostname', 'mx.crepes.fr', '--domain', 'crepes.fr', '--admin', 'alice@crepes.fr'],
      { cwd: dir },
    );
    assert.equal(init.code, 0, init.stderr);
    first = await enqueue('first');
    second = await enqueue('second');
  });

  test('list: text and --json, oldest first', async () => {
    const rows = await list();
    assert.deepEqual(
      rows.map((r) => r.id),
      [first, second],
    );
    assert.equal(rows[0]!.status, 'queued');
    assert.equal(rows[0]!.sender, 'alice@crepes.fr');
    const text = await cli(['queue', 'list']);
    assert.match(text.stdout, /^ID +AGE +SIZE +NEXT +SENDER +RECIPIENTS\n/);
    assert.match(
      text.stdout,
      new RegExp(`^${first} +\\S+ +\\d+ +in \\S+ +<alice@crepes.fr> +bob@hamburger.edu$`, 'm'),
    );
  });

  test('show: details and headers; unknown id is an error', async () => {
    const text = await cli(['queue', 'show', first]);
    assert.match(text.stdout, new RegExp(`^id: +${first}$`, 'm'));
    assert.match(text.stdout, /^ {2}Subject: first$/m);
    const asJson = JSON.parse((await cli(['queue', 'show', first, '--json'])).stdout) as Record<
      string,
      unknown
    >;
    assert.equal(asJson.id, first);
    assert.match(String(asJson.headers), /Subject: first/);
    const missing = await cli(['queue', 'show', 'NOSUCHID']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'posthorn: no message NOSUCHID in the queue\n');
  });

  test('hold, release, retry', async () => {
    assert.equal((await cli(['queue', 'hold', first])).stdout, `held ${first}\n`);
    assert.equal((await list())[0]!.status, 'held');
    const all = await cli(['queue', 'retry', '--all']);
    assert.equal(all.stdout, `1 message(s) due now: ${second}\n`);
    assert.equal((await list())[0]!.status, 'held', 'retry --all leaves held messages alone');
    assert.equal((await cli(['queue', 'release', first])).stdout, `released ${first}\n`);
    const released = (await list())[0]!;
    assert.equal(released.held, false);
    assert.ok(Date.parse(released.next_attempt_at) <= Date.now());
    assert.equal((await cli(['queue', 'retry', first])).stdout, `1 message(s) due now: ${first}\n`);
    const neither = await cli(['queue', 'retry']);
    assert.equal(neither.stderr, 'posthorn: give a queue id or --all\n');
  });

  test('bounce: the entry leaves the queue and the local sender gets a DSN', async () => {
    assert.equal((await cli(['queue', 'bounce', second])).stdout, `bounced ${second}\n`);
    assert.deepEqual(
      (await list()).map((r) => r.id),
      [first],
    );
    const inbox = await withTestStore(async (store) => {
      const account = (await store.accounts.getAccount('alice@crepes.fr'))!;
      const mailbox = (await store.mail.getMailbox(account.id, 'INBOX'))!;
      const messages = await store.mail.listMessages(mailbox.id);
      return Promise.all(messages.map(async (m) => (await store.mail.getBlobBytes(m.blobId)).toString()));
    });
    assert.equal(inbox.length, 1);
    assert.match(inbox[0]!, /multipart\/report; report-type=delivery-status/i);
    assert.match(inbox[0]!, /Final-Recipient: rfc822; ?bob@hamburger.edu/i);
  });

  test('delete removes without notice', async () => {
    assert.equal((await cli(['queue', 'delete', first])).stdout, `deleted ${first}\n`);
    assert.deepEqual(await list(), []);
    assert.equal((await cli(['queue', 'list'])).stdout, '');
    assert.equal((await cli(['queue', 'delete', first])).code, 1);
  });
});
