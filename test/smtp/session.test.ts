// Session behaviour that transcripts cannot show: DSN data reaching the queue, error mapping and logging,
// secrets kept out of logs, queue ids in log lines, shutdown.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { StorageUnavailable } from '../../src/storage/ports.ts';
import { SmtpFixture, type Connection } from './support/fixture.ts';
import { LineReader } from './support/line-reader.ts';
import { captureLogs } from './support/log-capture.ts';

let fixture: SmtpFixture;
beforeEach(async () => {
  fixture = await SmtpFixture.create();
});
afterEach(() => fixture.close());

async function talk(conn: Connection, lines: string[]): Promise<string[]> {
  const reader = new LineReader(conn.client);
  const replies: string[] = [];
  replies.push(...(await reader.reply()));
  for (const line of lines) {
    conn.client.write(line + '\r\n');
    replies.push(...(await reader.reply()));
  }
  return replies;
}

const EHLO = 'EHLO client.example';

describe('SmtpSession', () => {
  test('DSN parameters (RFC 3461) and SMTPUTF8 are stored with the queue entry', async () => {
    const conn = await fixture.connect('submissions');
    const replies = await talk(conn, [
      EHLO,
      'AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlLXBhc3N3b3Jk',
      'MAIL FROM:<alice@example.org> RET=HDRS ENVID=QQ314159+2Bx SMTPUTF8',
      'RCPT TO:<carol@remote.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;carol+40remote.test',
      'RCPT TO:<jürgen@bücher.example> NOTIFY=NEVER ORCPT=utf-8;j\\x{FC}rgen@b\\x{FC}cher.example',
      'RCPT TO:<dave@remote.test>',
      'DATA',
      'Subject: dsn\r\n\r\nbody\r\n.',
      'QUIT',
    ]);
    const queued = replies.find((r) => r.startsWith('250 2.0.0 Ok: queued as '))!;
    const id = queued.slice('250 2.0.0 Ok: queued as '.length);
    const entry = (await fixture.store.queue.get(id))!;
    assert.equal(entry.ret, 'HDRS');
    assert.equal(entry.envId, 'QQ314159+x');
    assert.equal(entry.smtputf8, true);
    assert.deepEqual(
      entry.recipients.map((r) => [r.address, r.notify, r.orcpt]),
      [
        ['carol@remote.test', ['SUCCESS', 'FAILURE'], 'rfc822;carol@remote.test'],
        ['jürgen@bücher.example', ['NEVER'], 'utf-8;jürgen@bücher.example'],
        ['dave@remote.test', [], null],
      ],
    );
    assert.deepEqual(fixture.queued, [id]);
    await conn.done;
  });

  test('an unexpected error at end of data is 451 4.3.0 and logged with the session id', async () => {
    const logs = captureLogs('info');
    fixture.log = logs.log.child({ cid: 'cid-123', proto: 'smtp', remote: '192.0.2.10:1234' });
    fixture.delivery = {
      acceptMessage: async () => {
        throw new TypeError('boom');
      },
    };
    const conn = await fixture.connect('mx');
    const replies = await talk(conn, [
      EHLO,
      'MAIL FROM:<a@remote.test>',
      'RCPT TO:<bob@example.org>',
      'DATA',
      'x\r\n.',
      'QUIT',
    ]);
    assert.ok(replies.includes('451 4.3.0 Temporary failure, please try again later'), replies.join('\n'));
    await conn.done;
    const error = logs.lines().find((l) => l.level === 50)!;
    assert.equal(error.cid, 'cid-123');
    assert.equal(error.msg, 'unexpected error, answered 451');
    assert.match(JSON.stringify(error.err), /boom/);
  });

  test('storage unavailable at end of data is 451 4.3.0 (never 5xx), and the transaction is over', async () => {
    fixture.delivery = {
      acceptMessage: async () => {
        throw new StorageUnavailable('disk full');
      },
    };
    const conn = await fixture.connect('mx');
    const replies = await talk(conn, [
      EHLO,
      'MAIL FROM:<a@remote.test>',
      'RCPT TO:<bob@example.org>',
      'DATA',
      'x\r\n.',
      'RCPT TO:<bob@example.org>',
      'QUIT',
    ]);
    assert.deepEqual(replies.slice(-3), [
      '451 4.3.0 Mail store temporarily unavailable, please try again later',
      '503 5.5.1 Need MAIL command first',
      '221 2.0.0 Bye',
    ]);
    await conn.done;
  });

  test('AUTH data never reaches the log, even at trace level', async () => {
    const logs = captureLogs('trace');
    fixture.log = logs.log;
    const conn = await fixture.connect('submissions');
    await talk(conn, [
      EHLO,
      'AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n',
      'AUTH LOGIN',
      'YWxpY2VAZXhhbXBsZS5vcmc=',
      'YWxpY2UtcGFzc3dvcmQ=',
      'QUIT',
    ]);
    await conn.done;
    const text = logs.text();
    for (const secret of [
      'AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n',
      'YWxpY2UtcGFzc3dvcmQ=',
      'alice-password',
      'wrong',
    ]) {
      assert.ok(!text.includes(secret), `log contains ${secret}`);
    }
    assert.ok(text.includes('"c":"AUTH PLAIN ***"'));
    assert.ok(text.includes('"c":"***"'));
    assert.ok(logs.lines().some((l) => l.msg === 'authenticated' && l.user === 'alice@example.org'));
  });

  test('every log line about an accepted message carries its queue id', async () => {
    const logs = captureLogs('info');
    fixture.log = logs.log;
    // Delivery logs through the session's logger, so the lines also carry the connection's fields.
    const conn = await fixture.connect('submissions');
    const replies = await talk(conn, [
      EHLO,
      'AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlLXBhc3N3b3Jk',
      'MAIL FROM:<alice@example.org>',
      'RCPT TO:<bob@example.org>',
      'RCPT TO:<carol@remote.test>',
      'DATA',
      'Subject: ids\r\n\r\nx\r\n.',
      'QUIT',
    ]);
    await conn.done;
    const id = replies
      .find((r) => r.startsWith('250 2.0.0 Ok: queued as '))!
      .split(' ')
      .pop();
    const aboutMessage = logs
      .lines()
      .filter((l) =>
        ['queued for remote delivery', 'delivered locally', 'message accepted'].includes(l.msg as string),
      );
    assert.equal(aboutMessage.length, 3);
    for (const line of aboutMessage) assert.equal(line.queueId, id, JSON.stringify(line));
  });

  test('shutdown: an idle session is told 421 4.3.2 and closed', async () => {
    const conn = await fixture.connect('mx');
    const reader = new LineReader(conn.client);
    assert.match((await reader.next())!, /^220 /);
    conn.client.write('EHLO client.example\r\n');
    await reader.reply();
    conn.session.shutdown();
    assert.equal(await reader.next(), '421 4.3.2 Service shutting down, closing connection');
    assert.equal(await reader.next(), null);
    await conn.done;
  });
});
