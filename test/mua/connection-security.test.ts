// The MUA's IMAP TLS policy against hostile fake servers on loopback: a PREAUTH greeting on an account that
// requires TLS aborts; bytes injected after the STARTTLS OK abort; a server without STARTTLS is refused.

import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, describe, test } from 'node:test';
import { connectImap } from '../../src/mua/imap-connect.ts';
import type { MailProfile, TlsMode } from '../../src/mua/profile.ts';

interface FakeServer {
  port: number;
  received: string[];
  close(): Promise<void>;
}

/** Greets with `greeting`; answers STARTTLS with `starttlsReply`; everything else gets a tagged OK. */
async function fakeImap(greeting: string, starttlsReply: (tag: string) => string): Promise<FakeServer> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write(greeting + '\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        received.push(line);
        const [tag = '*', command = ''] = line.split(' ');
        if (command.toUpperCase() === 'STARTTLS') socket.write(starttlsReply(tag));
        else if (command.toUpperCase() === 'CAPABILITY')
          socket.write(`* CAPABILITY IMAP4rev1\r\n${tag} OK done\r\n`);
        else if (command.toUpperCase() === 'LOGOUT') socket.end(`* BYE\r\n${tag} OK bye\r\n`);
        else socket.write(`${tag} OK done\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function profileFor(port: number, tls: TlsMode): MailProfile {
  const server = { host: '127.0.0.1', port, tls, user: 'bob@hamburger.edu' };
  return {
    name: 'bob',
    address: 'bob@hamburger.edu',
    imap: server,
    smtp: { ...server, port: 1 },
    folders: {},
  };
}

describe('IMAP connection security', () => {
  const servers: FakeServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  test('PREAUTH on an account that requires STARTTLS aborts before anything is sent', async () => {
    const server = await fakeImap('* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in already', () => '');
    servers.push(server);
    await assert.rejects(
      connectImap(profileFor(server.port, 'starttls'), 'pw', { timeoutSeconds: 5 }),
      (err: Error) => {
        assert.match(
          err.message,
          /TLS required but not established: STARTTLS is not possible after a PREAUTH greeting/,
        );
        return true;
      },
    );
    assert.ok(!server.received.some((l) => /LOGIN|AUTHENTICATE/i.test(l)), 'no credentials sent');
  });

  test('bytes after the STARTTLS OK (plaintext injection) abort the session', async () => {
    const server = await fakeImap(
      '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready',
      (tag) =>
        `${tag} OK begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected before the handshake\r\n`,
    );
    servers.push(server);
    await assert.rejects(
      connectImap(profileFor(server.port, 'starttls'), 'pw', { timeoutSeconds: 5 }),
      (err: Error) => {
        assert.match(err.message, /TLS required but not established: .*plaintext-injection/);
        return true;
      },
    );
    assert.ok(!server.received.some((l) => /LOGIN|AUTHENTICATE/i.test(l)), 'no credentials sent');
  });

  test('a server without STARTTLS is refused when TLS is required', async () => {
    const server = await fakeImap('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no tls here', () => '');
    servers.push(server);
    await assert.rejects(
      connectImap(profileFor(server.port, 'starttls'), 'pw', { timeoutSeconds: 5 }),
      /TLS required but not established: Server does not support STARTTLS/,
    );
    assert.ok(!server.received.some((l) => /LOGIN|AUTHENTICATE/i.test(l)), 'no credentials sent');
  });

  test('with tls = "none" the same PREAUTH server is accepted (the user chose no TLS)', async () => {
    const server = await fakeImap('* PREAUTH [CAPABILITY IMAP4rev1] logged in already', () => '');
    servers.push(server);
    const client = await connectImap(profileFor(server.port, 'none'), 'pw', { timeoutSeconds: 5 });
    assert.equal(client.authenticated, true);
    client.close();
    assert.ok(!server.received.some((l) => /STARTTLS/i.test(l)));
  });
});
