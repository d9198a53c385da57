import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeEach, describe, test } from 'node:test';
import { Command } from 'commander';
import { registerQueueCommands } from '../../src/cli/queue.ts';
import { UserError } from '../../src/cli/errors.ts';
import { parseMessage } from '../../src/message/parse.ts';
import { SqliteStore } from '../../src/storage/sqlite/store.ts';
import { FakeClock } from '../support/queue-harness.ts';

interface Fixture {
  dir: string;
  config: string;
  deferred: string;
  held: string;
  clock: FakeClock;
}

async function fixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-queue-cli-'));
  const config = join(dir, 'posthorn.toml');
  writeFileSync(config, `hostname = "crepes.fr"\ndata_dir = "${dir}"\n`);
  const clock = new FakeClock();
  const store = SqliteStore.open({ path: join(dir, 'posthorn.db'), now: () => clock.now() });
  const body = Buffer.from('From: alice@crepes.fr\r\nSubject: Crepes\r\n\r\nHello\r\n');
  const blobId = await store.mail.putBlob(body, parseMessage(body));
  const base = {
    blobId,
    sender: 'alice@crepes.fr',
    size: body.length,
    envId: null,
    ret: null,
    smtputf8: false,
    eightBit: false,
    nextAttemptAt: clock.now(),
  };
  const deferred = await store.queue.enqueue({
    ...base,
    recipients: [
      { address: 'bob@hamburger.edu', orcpt: null, notify: [] },
      { address: 'carol@hamburger.edu', orcpt: null, notify: [] },
    ],
  });
  const held = await store.queue.enqueue({
    ...base,
    recipients: [{ address: 'jan@frites.be', orcpt: null, notify: [] }],
  });
  await store.queue.claimDue(clock.now(), 1, 'worker', new Date(clock.now().getTime() + 60_000));
  await store.queue.recordAttempt(
    deferred.id,
    [
      { address: 'bob@hamburger.edu', state: 'delivered', finalReply: '2.0.0 mx said: 250 ok' },
      {
        address: 'carol@hamburger.edu',
        state: 'pending',
        error: '4.2.1 mx.hamburger.edu[192.0.2.10] said: 450 4.2.1 busy (in reply to RCPT TO)',
      },
    ],
    {
      nextAttemptAt: new Date(clock.now().getTime() + 300_000),
      lastError: '4.2.1 mx.hamburger.edu[192.0.2.10] said: 450 4.2.1 busy (in reply to RCPT TO)',
    },
  );
  await store.queue.setHeld(held.id, true);
  await store.close();
  clock.advance(90_000);
  return { dir, config, deferred: deferred.id, held: held.id, clock };
}

async function cli(f: Fixture, ...args: string[]): Promise<string> {
  let output = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      output += chunk.toString();
      done();
    },
  });
  const program = new Command('posthorn').option('--config <file>').exitOverride();
  registerQueueCommands(program, { out, clock: f.clock });
  await program.parseAsync(['--config', f.config, 'queue', ...args], { from: 'user' });
  return output;
}

async function listJson(f: Fixture): Promise<Array<Record<string, unknown>>> {
  return JSON.parse(await cli(f, 'list', '--json')) as Array<Record<string, unknown>>;
}

function openStore(f: Fixture) {
  return SqliteStore.open({ path: join(f.dir, 'posthorn.db'), now: () => f.clock.now() });
}

describe('posthorn queue', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });

  test('list --json: parseable, with per-recipient states, next attempt and last error', async () => {
    const rows = await listJson(f);
    assert.deepEqual(
      rows.map((r) => [r.id, r.status]),
      [
        [f.deferred, 'deferred'],
        [f.held, 'held'],
      ],
    );
    const d = rows[0]!;
    assert.equal(d.sender, 'alice@crepes.fr');
    assert.equal(d.age_seconds, 90);
    assert.equal(d.attempts, 1);
    assert.equal(
      d.next_attempt_at,
      new Date(Date.parse(d.arrived_at as string) + 300_000).toISOString().replace('.000', ''),
    );
    assert.match(d.last_error as string, /^4\.2\.1 /);
    assert.deepEqual(
      (d.recipients as Array<Record<string, unknown>>).map((r) => [r.address, r.state]),
      [
        ['bob@hamburger.edu', 'delivered'],
        ['carol@hamburger.edu', 'pending'],
      ],
    );
  });

  test('list: a table for people', async () => {
    const text = await cli(f, 'list');
    const [header, first, second] = text.trimEnd().split('\n');
    assert.match(header!, /^ID\s+STATUS\s+AGE\s+SIZE\s+SENDER\s+RECIPIENTS\s+NEXT\s+LAST ERROR$/);
    assert.match(
      first!,
      new RegExp(
        `^${f.deferred}\\s+deferred\\s+1m\\s+\\d+\\s+<alice@crepes\\.fr>\\s+bob@hamburger\\.edu \\(delivered\\), carol@hamburger\\.edu \\(pending\\)\\s+in 3m\\s+4\\.2\\.1 `,
      ),
    );
    assert.match(second!, new RegExp(`^${f.held}\\s+held\\s+.*jan@frites\\.be \\(pending\\)\\s+held`));
  });

  test('show: details and headers, also as JSON; ids are case-insensitive', async () => {
    const text = await cli(f, 'show', f.deferred.toLowerCase());
    assert.match(text, new RegExp(`^id: +${f.deferred}$`, 'm'));
    assert.match(text, /<carol@hamburger\.edu> pending, 1 attempts: 4\.2\.1 .*450 4\.2\.1 busy/);
    assert.match(text, /^ {2}Subject: Crepes$/m);
    const json = JSON.parse(await cli(f, 'show', f.held, '--json')) as Record<string, unknown>;
    assert.equal(json.status, 'held');
    assert.match(json.headers as string, /Subject: Crepes/);
  });

  test('retry ID makes a deferred message due now; retry --all skips held ones', async () => {
    assert.equal(await cli(f, 'retry', f.deferred), `scheduled ${f.deferred} for immediate retry\n`);
    let rows = await listJson(f);
    assert.equal(rows[0]!.next_attempt_at, f.clock.now().toISOString().replace('.000', ''));
    const all = JSON.parse(await cli(f, 'retry', '--all', '--json')) as Array<{ id: string }>;
    assert.deepEqual(
      all.map((r) => r.id),
      [f.deferred],
    );
    assert.match(await cli(f, 'retry', f.held), /held: release it to deliver/);
    rows = await listJson(f);
    assert.equal(rows[1]!.status, 'held');
  });

  test('hold and release work on a deferred message', async () => {
    assert.equal(await cli(f, 'hold', f.deferred), `held ${f.deferred}\n`);
    assert.equal((await listJson(f))[0]!.status, 'held');
    const released = JSON.parse(await cli(f, 'release', f.deferred, '--json')) as Record<string, unknown>;
    assert.equal(released.held, false);
    const store = openStore(f);
    const e = (await store.queue.get(f.deferred))!;
    await store.close();
    assert.equal(e.held, false);
    assert.equal(e.nextAttemptAt.getTime(), f.clock.now().getTime());
  });

  test('release works on a held message; delete removes it without a DSN', async () => {
    await cli(f, 'release', f.held);
    assert.equal((await listJson(f))[1]!.status, 'queued');
    assert.equal(await cli(f, 'delete', f.held), `deleted ${f.held}\n`);
    assert.deepEqual(
      (await listJson(f)).map((r) => r.id),
      [f.deferred],
    );
    await cli(f, 'delete', f.deferred);
    assert.equal(await cli(f, 'list'), 'queue is empty\n');
    assert.equal(await cli(f, 'list', '--json'), '[]\n');
  });

  test('bounce: pending recipients fail, the sender gets one DSN, the entry is gone', async () => {
    const out = JSON.parse(await cli(f, 'bounce', f.deferred, '--json')) as Record<string, unknown>;
    assert.equal(out.id, f.deferred);
    const rows = await listJson(f);
    // alice@crepes.fr is not a local account here, so the DSN is queued with the null sender.
    const dsn = rows.find((r) => r.sender === '')!;
    assert.ok(dsn, 'a DSN entry with MAIL FROM:<>');
    assert.deepEqual(
      (dsn.recipients as Array<{ address: string }>).map((r) => r.address),
      ['alice@crepes.fr'],
    );
    assert.ok(!rows.some((r) => r.id === f.deferred));
    const store = openStore(f);
    const entry = (await store.queue.get(dsn.id as string))!;
    const text = (await store.mail.getBlobBytes(entry.blobId)).toString();
    await store.close();
    assert.equal(text.match(/Final-Recipient:/g)?.length, 1);
    assert.match(text, /Final-Recipient: rfc822; carol@hamburger\.edu\r\nAction: failed\r\nStatus: 5\.0\.0/);
    assert.match(text, /Diagnostic-Code: smtp; 450 4\.2\.1 busy/);
    assert.match(text, /returned to sender by the operator; last error: mx\.hamburger\.edu/);
  });

  test('bounce works on a held message too', async () => {
    await cli(f, 'bounce', f.held);
    const rows = await listJson(f);
    assert.ok(!rows.some((r) => r.id === f.held));
    assert.equal(rows.filter((r) => r.sender === '').length, 1);
  });

  test('unknown ids and bad arguments are user errors', async () => {
    await assert.rejects(
      cli(f, 'show', 'NOSUCHID0000'),
      (err: unknown) => err instanceof UserError && /no message NOSUCHID0000/.test(err.message),
    );
    await assert.rejects(cli(f, 'retry'), UserError);
    await assert.rejects(cli(f, 'retry', f.held, '--all'), UserError);
  });

  test('bounce refuses a message a worker is delivering right now', async () => {
    const store = openStore(f);
    await store.queue.reschedule(f.deferred, f.clock.now());
    await store.queue.claimDue(f.clock.now(), 1, 'busy-worker', new Date(f.clock.now().getTime() + 60_000));
    await store.close();
    assert.equal((await listJson(f))[0]!.status, 'active');
    await assert.rejects(cli(f, 'bounce', f.deferred), /being delivered right now/);
  });
});
