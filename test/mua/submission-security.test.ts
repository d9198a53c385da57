// Submission through Posthorn's SMTP client as the MUA uses it: text a man in the middle slips in after the
// STARTTLS go-ahead (RFC 3207 §4.2 / CVE-2011-0411 style injection) is discarded, never read as a reply
// that came over TLS; and a server that does not offer STARTTLS never sees the password.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { generateSelfSigned } from '../../src/net/tls-context.ts';
import type { MailProfile } from '../../src/mua/profile.ts';
import { smtpSubmitter } from '../../src/mua/submit.ts';

interface FakeSmtp {
  port: number;
  /** Commands received, with "(tls)" for those that came after the handshake. */
  commands: string[];
  close(): Promise<void>;
}

function lineReader(socket: net.Socket, onLine: (line: string) => void): (chunk: Buffer) => void {
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let nl: number;
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 2);
      onLine(line);
    }
  };
  socket.on('data', onData);
  return onData;
}

async function fakeSmtp(
  context: tls.SecureContext,
  options: { offerStartTls: boolean; inject: string },
): Promise<FakeSmtp> {
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((plain) => {
    sockets.add(plain);
    plain.on('error', () => {});
    plain.write('220 fake.example ESMTP\r\n');
    const overTls = (secure: tls.TLSSocket) => {
      secure.on('error', () => {});
      lineReader(secure, (line) => {
        commands.push(`(tls) ${line.replace(/^(AUTH \w+) .*/i, '$1 ***')}`);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') secure.write('250-fake.example\r\n250 AUTH PLAIN LOGIN\r\n');
        else if (verb === 'AUTH') secure.write('235 2.7.0 ok\r\n');
        else if (verb === 'QUIT') secure.end('221 2.0.0 bye\r\n');
        else secure.write('502 5.5.1 no\r\n');
      });
    };
    const onData = lineReader(plain, (line) => {
      commands.push(line.replace(/^(AUTH \w+) .*/i, '$1 ***'));
      const verb = line.split(' ')[0]!.toUpperCase();
      if (verb === 'EHLO') {
        plain.write(
          options.offerStartTls
            ? '250-fake.example\r\n250 STARTTLS\r\n'
            : '250-fake.example\r\n250 AUTH PLAIN\r\n',
        );
      } else if (verb === 'STARTTLS') {
        plain.off('data', onData);
        // The go-ahead and the injected reply arrive in one segment, before the handshake.
        plain.write('220 2.0.0 go ahead\r\n' + options.inject);
        overTls(new tls.TLSSocket(plain, { isServer: true, secureContext: context }));
      } else if (verb === 'QUIT') plain.end('221 bye\r\n');
      else if (verb === 'AUTH') plain.write('235 2.7.0 ok\r\n');
      else plain.write('502 5.5.1 no\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    commands,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('submission security', () => {
  let dir: string;
  let certPath: string;
  let context: tls.SecureContext;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-mua-tls-'));
    certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    generateSelfSigned('localhost', certPath, keyPath);
    context = tls.createSecureContext({ cert: readFileSync(certPath), key: readFileSync(keyPath) });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const profile = (port: number): MailProfile => ({
    name: 'alice',
    address: 'alice@crepes.fr',
    imap: { host: '127.0.0.1', port: 1, tls: 'starttls', user: 'alice@crepes.fr' },
    smtp: { host: '127.0.0.1', port, tls: 'starttls', user: 'alice@crepes.fr' },
    caFile: certPath,
    folders: {},
  });

  test('a reply injected before the TLS handshake is discarded; EHLO is sent again over TLS', async () => {
    // Were the injected line read, it would answer the EHLO after TLS, without AUTH, and the login would fail.
    const server = await fakeSmtp(context, { offerStartTls: true, inject: '250 injected-without-auth\r\n' });
    try {
      await smtpSubmitter(profile(server.port), 'pw').check();
      assert.deepEqual(
        server.commands.map((c) => c.replace(/^(\(tls\) )?EHLO .*/, '$1EHLO')),
        ['EHLO', 'STARTTLS', '(tls) EHLO', '(tls) AUTH PLAIN ***', '(tls) QUIT'],
      );
    } finally {
      await server.close();
    }
  });

  test('no STARTTLS on offer: refused before AUTH', async () => {
    const server = await fakeSmtp(context, { offerStartTls: false, inject: '' });
    try {
      await assert.rejects(smtpSubmitter(profile(server.port), 'pw').check(), /does not offer STARTTLS/);
      assert.ok(!server.commands.some((c) => c.startsWith('AUTH')), server.commands.join('\n'));
    } finally {
      await server.close();
    }
  });
});
