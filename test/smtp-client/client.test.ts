import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  connectSmtp,
  sendMessage,
  SmtpClientError,
  type SmtpConnectOptions,
} from '../../src/smtp/client/index.ts';
import { FakeSmtpServer, type FakeSmtpScript } from '../support/fake-smtp-server.ts';

const servers: FakeSmtpServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function fake(script: FakeSmtpScript = {}): Promise<FakeSmtpServer> {
  const s = await FakeSmtpServer.start(script);
  servers.push(s);
  return s;
}

function opts(server: FakeSmtpServer, extra: Partial<SmtpConnectOptions> = {}): SmtpConnectOptions {
  return { host: '127.0.0.1', port: server.port, localName: 'client.test', tls: 'none', ...extra };
}

const BODY = Buffer.from('Subject: hi\r\n\r\n.leading dot\nbare LF line\r\nend');
const NORMAL = 'Subject: hi\r\n\r\n.leading dot\r\nbare LF line\r\nend\r\n';

async function errorOf(p: Promise<unknown>): Promise<SmtpClientError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof SmtpClientError, `expected SmtpClientError, got ${String(err)}`);
  return err;
}

describe('SMTP client: transactions', () => {
  test('without PIPELINING: one command at a time, dot-stuffed, CRLF-normalised', async () => {
    const server = await fake({ extensions: ['8BITMIME', 'SIZE 1000'] });
    const client = await connectSmtp(opts(server));
    const result = await sendMessage(
      client,
      { from: 'alice@crepes.fr', recipients: [{ address: 'bob@hamburger.edu' }] },
      BODY,
    );
    await client.quit();
    assert.deepEqual(
      result.recipients.map((r) => [r.address, r.reply.code, r.phase]),
      [['bob@hamburger.edu', 250, 'data-end']],
    );
    assert.deepEqual(server.sessions[0]!.commands, [
      'EHLO client.test',
      `MAIL FROM:<alice@crepes.fr> SIZE=${BODY.length}`,
      'RCPT TO:<bob@hamburger.edu>',
      'DATA',
      'QUIT',
    ]);
    assert.equal(server.messages[0]!.data.toString(), NORMAL);
    assert.equal(server.messages[0]!.via, 'DATA');
  });

  test('with PIPELINING: partial RCPT rejection gives each recipient its own reply', async () => {
    const server = await fake({
      rcpt: (to) =>
        to.startsWith('nobody')
          ? '550 5.1.1 no such user'
          : to.startsWith('later')
            ? '451 4.3.0 try later'
            : undefined,
    });
    const client = await connectSmtp(opts(server));
    const result = await sendMessage(
      client,
      {
        from: 'alice@crepes.fr',
        recipients: [
          { address: 'bob@hamburger.edu' },
          { address: 'nobody@hamburger.edu' },
          { address: 'later@hamburger.edu' },
        ],
        eightBit: true,
      },
      BODY,
    );
    await client.quit();
    assert.deepEqual(
      result.recipients.map((r) => [r.address, r.reply.code, r.reply.enhanced, r.phase]),
      [
        ['bob@hamburger.edu', 250, '2.0.0', 'data-end'],
        ['nobody@hamburger.edu', 550, '5.1.1', 'rcpt'],
        ['later@hamburger.edu', 451, '4.3.0', 'rcpt'],
      ],
    );
    assert.deepEqual(server.messages[0]!.recipients, ['bob@hamburger.edu']);
    assert.match(server.messages[0]!.mailParams, /BODY=8BITMIME/);
  });

  test('MAIL refused: every recipient gets the MAIL reply; pipelined RCPT/DATA do not deliver', async () => {
    const server = await fake({ mail: () => '452 4.3.1 insufficient storage' });
    const client = await connectSmtp(opts(server));
    const result = await sendMessage(
      client,
      { from: 'a@b', recipients: [{ address: 'x@y' }, { address: 'z@y' }] },
      BODY,
    );
    assert.deepEqual(
      result.recipients.map((r) => [r.reply.code, r.phase]),
      [
        [452, 'mail'],
        [452, 'mail'],
      ],
    );
    assert.equal(client.usable, true);
    await client.quit();
    assert.equal(server.messages.length, 0);
  });

  test('all recipients refused with pipelined DATA accepted anyway: an empty message ends it (RFC 2920)', async () => {
    const server = await fake({ rcpt: () => '550 5.1.1 no', data: () => '354 go ahead' });
    const client = await connectSmtp(opts(server));
    const result = await sendMessage(client, { from: 'a@b', recipients: [{ address: 'x@y' }] }, BODY);
    assert.equal(result.recipients[0]!.reply.code, 550);
    assert.equal(client.usable, true);
    await client.reset();
    await client.quit();
  });

  test('reply after the dot decides for all accepted recipients', async () => {
    const server = await fake({ dataEnd: () => '451 4.3.0 queue full' });
    const client = await connectSmtp(opts(server));
    const result = await sendMessage(
      client,
      { from: 'a@b', recipients: [{ address: 'x@y' }, { address: 'z@y' }] },
      BODY,
    );
    await client.quit();
    assert.deepEqual(
      result.recipients.map((r) => [r.reply.code, r.phase]),
      [
        [451, 'data-end'],
        [451, 'data-end'],
      ],
    );
  });

  test('several messages over one connection with RSET between', async () => {
    const server = await fake();
    const client = await connectSmtp(opts(server));
    for (let i = 0; i < 3; i++) {
      if (i > 0) await client.reset();
      await sendMessage(
        client,
        { from: 'a@b', recipients: [{ address: `r${i}@y` }] },
        Buffer.from(`Subject: ${i}\r\n\r\nx\r\n`),
      );
    }
    await client.quit();
    assert.equal(server.sessions.length, 1);
    assert.equal(server.messages.length, 3);
    assert.equal(server.sessions[0]!.commands.filter((c) => c === 'RSET').length, 2);
  });

  test('CHUNKING: BDAT LAST with the normalised, unstuffed body', async () => {
    const server = await fake({ extensions: ['PIPELINING', 'CHUNKING', 'SIZE 0'] });
    const client = await connectSmtp(opts(server));
    const result = await sendMessage(client, { from: 'a@b', recipients: [{ address: 'x@y' }] }, BODY);
    await client.quit();
    assert.equal(result.recipients[0]!.phase, 'bdat');
    assert.equal(server.messages[0]!.via, 'BDAT');
    assert.equal(server.messages[0]!.data.toString(), NORMAL);
    assert.ok(server.sessions[0]!.commands.includes(`BDAT ${NORMAL.length} LAST`));
  });

  test('DSN parameters are passed on only when the server offers DSN', async () => {
    const env = {
      from: 'a@b',
      recipients: [{ address: 'x@y', notify: ['SUCCESS', 'FAILURE'] as const, orcpt: 'rfc822;X@y' }],
      ret: 'HDRS' as const,
      envId: 'id 1',
    };
    const withDsn = await fake();
    let client = await connectSmtp(opts(withDsn));
    assert.equal(
      (
        await sendMessage(
          client,
          { ...env, recipients: [...env.recipients.map((r) => ({ ...r, notify: [...r.notify] }))] },
          BODY,
        )
      ).dsnPassedOn,
      true,
    );
    await client.quit();
    assert.equal(withDsn.messages[0]!.mailParams, `SIZE=${BODY.length} RET=HDRS ENVID=id+201`);
    assert.equal(withDsn.messages[0]!.rcptParams[0], 'NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;X@y');

    const without = await fake({ extensions: ['PIPELINING'] });
    client = await connectSmtp(opts(without));
    const r = await sendMessage(
      client,
      { ...env, recipients: [{ address: 'x@y', notify: ['SUCCESS'] }] },
      BODY,
    );
    await client.quit();
    assert.equal(r.dsnPassedOn, false);
    assert.equal(without.messages[0]!.mailParams, '');
    assert.equal(without.messages[0]!.rcptParams[0], '');
  });

  test('SIZE exceeded and SMTPUTF8 missing are refused before sending; the session stays usable', async () => {
    const server = await fake({ extensions: ['PIPELINING', 'SIZE 10'] });
    const client = await connectSmtp(opts(server));
    let err = await errorOf(sendMessage(client, { from: 'a@b', recipients: [{ address: 'x@y' }] }, BODY));
    assert.equal(err.kind, 'unsupported');
    assert.equal(err.status, '5.3.4');
    assert.equal(err.temporary, false);
    err = await errorOf(
      sendMessage(
        client,
        { from: 'a@b', recipients: [{ address: 'x@y' }], smtputf8: true },
        Buffer.from('x'),
      ),
    );
    assert.equal(err.status, '5.6.7');
    assert.equal(client.usable, true);
    await client.quit();
    assert.deepEqual(server.sessions[0]!.commands, ['EHLO client.test', 'QUIT']);
  });
});

describe('SMTP client: session set-up', () => {
  test('HELO fallback when EHLO is not recognised', async () => {
    const server = await fake({ ehlo: '502 5.5.2 what?' });
    const client = await connectSmtp(opts(server));
    assert.equal(client.esmtp, false);
    await sendMessage(client, { from: 'a@b', recipients: [{ address: 'x@y' }], eightBit: true }, BODY);
    await client.quit();
    assert.deepEqual(server.sessions[0]!.commands.slice(0, 3), [
      'EHLO client.test',
      'HELO client.test',
      'MAIL FROM:<a@b>',
    ]);
  });

  test('greeting other than 220 fails the connection with that reply', async () => {
    const server = await fake({ greeting: '554 5.3.2 no service' });
    const err = await errorOf(connectSmtp(opts(server)));
    assert.equal(err.kind, 'reply');
    assert.equal(err.phase, 'greeting');
    assert.equal(err.temporary, false);
    assert.equal(err.status, '5.3.2');
  });

  test('opportunistic STARTTLS upgrades and says EHLO again', async () => {
    const server = await fake({ starttls: true });
    const client = await connectSmtp(opts(server, { tls: 'opportunistic', verifyCertificate: false }));
    assert.equal(client.secure, true);
    assert.equal(client.supports('STARTTLS'), false);
    assert.equal(client.tls?.authorized, false);
    await sendMessage(client, { from: 'a@b', recipients: [{ address: 'x@y' }] }, BODY);
    await client.quit();
    assert.equal(server.messages[0]!.tls, true);
    assert.deepEqual(server.sessions[0]!.commands.slice(0, 3), [
      'EHLO client.test',
      'STARTTLS',
      'EHLO client.test',
    ]);
  });

  test('opportunistic without STARTTLS on offer stays in plain text; required TLS fails', async () => {
    const server = await fake();
    const client = await connectSmtp(opts(server, { tls: 'opportunistic' }));
    assert.equal(client.secure, false);
    await client.quit();
    const err = await errorOf(connectSmtp(opts(server, { tls: 'starttls' })));
    assert.equal(err.kind, 'tls');
    assert.equal(err.temporary, true);
  });

  test('a certificate that does not verify fails when verification is asked for', async () => {
    const server = await fake({ starttls: true });
    const err = await errorOf(connectSmtp(opts(server, { tls: 'starttls', verifyCertificate: true })));
    assert.equal(err.kind, 'tls');
    assert.equal(err.phase, 'tls');
  });

  test('implicit TLS and AUTH PLAIN (the MUA submission path)', async () => {
    const server = await fake({
      implicitTls: true,
      auth: { mechanisms: ['PLAIN', 'LOGIN'], username: 'alice@crepes.fr', password: 'sécret' },
    });
    const client = await connectSmtp(
      opts(server, {
        tls: 'implicit',
        verifyCertificate: false,
        auth: { username: 'alice@crepes.fr', password: 'sécret' },
      }),
    );
    assert.equal(client.secure, true);
    await sendMessage(
      client,
      { from: 'alice@crepes.fr', recipients: [{ address: 'bob@hamburger.edu' }] },
      BODY,
    );
    await client.quit();
    assert.match(server.sessions[0]!.commands[1]!, /^AUTH PLAIN \S+$/);
    assert.equal(server.messages.length, 1);
  });

  test('AUTH LOGIN when preferred; wrong password is a permanent auth error', async () => {
    const server = await fake({ auth: { mechanisms: ['LOGIN'], username: 'u', password: 'p' } });
    const client = await connectSmtp(opts(server, { auth: { username: 'u', password: 'p' } }));
    await client.quit();
    assert.equal(server.sessions[0]!.commands[1], 'AUTH LOGIN');
    const err = await errorOf(connectSmtp(opts(server, { auth: { username: 'u', password: 'wrong' } })));
    assert.equal(err.phase, 'auth');
    assert.equal(err.reply?.code, 535);
    assert.equal(err.temporary, false);
  });

  test('connection refused', async () => {
    const server = await fake();
    const port = server.port;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const err = await errorOf(connectSmtp({ host: '127.0.0.1', port, localName: 'c', tls: 'none' }));
    assert.equal(err.kind, 'connect');
    assert.equal(err.status, '4.4.1');
  });
});

describe('SMTP client: timeouts and lost connections (RFC 5321 §4.5.3.2)', () => {
  const timeouts = { greetingMs: 150, commandMs: 150, dataStartMs: 150, dataBlockMs: 150, dataEndMs: 150 };
  const env = { from: 'a@b', recipients: [{ address: 'x@y' }] };
  const cases: Array<[string, FakeSmtpScript, string]> = [
    ['greeting', { greeting: 'hang' }, 'greeting'],
    ['EHLO', { ehlo: 'hang' }, 'ehlo'],
    ['MAIL', { extensions: [], mail: () => 'hang' }, 'mail'],
    ['RCPT', { extensions: [], rcpt: () => 'hang' }, 'rcpt'],
    ['DATA', { extensions: [], data: () => 'hang' }, 'data'],
    ['end of data', { extensions: [], dataEnd: () => 'hang' }, 'data-end'],
  ];
  for (const [name, script, phase] of cases) {
    test(`no reply to ${name}`, async () => {
      const server = await fake(script);
      const err = await errorOf(
        (async () => {
          const client = await connectSmtp(opts(server, { timeouts }));
          await sendMessage(client, env, BODY);
        })(),
      );
      assert.equal(err.kind, 'timeout');
      assert.equal(err.phase, phase);
      assert.equal(err.temporary, true);
    });
  }

  test('a server that stops taking data hits the data-block timeout (§4.5.3.2.5)', async () => {
    const server = await fake({ extensions: ['SIZE 0'], stallData: true });
    const client = await connectSmtp(opts(server, { timeouts }));
    // Far more than the socket buffers hold, so the write cannot complete while nobody reads.
    const big = Buffer.alloc(16 << 20, 'x'.repeat(998) + '\r\n');
    const err = await errorOf(sendMessage(client, env, big));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.phase, 'data-end');
    assert.match(err.message, /took no data for 150 ms/);
    assert.equal(client.usable, false);
  });

  test('connection dropped after the dot', async () => {
    const server = await fake({ dataEnd: () => 'drop' });
    const client = await connectSmtp(opts(server));
    const err = await errorOf(sendMessage(client, env, BODY));
    assert.equal(err.kind, 'closed');
    assert.equal(err.phase, 'data-end');
    assert.equal(client.usable, false);
  });

  test('421 in the middle ends the session', async () => {
    const server = await fake({
      extensions: [],
      rcpt: () => ({ reply: '421 4.3.2 shutting down', thenDrop: true }),
    });
    const client = await connectSmtp(opts(server));
    const result = await sendMessage(
      client,
      { from: 'a@b', recipients: [{ address: 'x@y' }, { address: 'z@y' }] },
      BODY,
    );
    assert.deepEqual(
      result.recipients.map((r) => r.reply.code),
      [421, 421],
    );
    assert.equal(client.usable, false);
    client.destroy();
  });
});
