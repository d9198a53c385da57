// STARTTLS (RFC 9051 §6.2.1) in memory: LOGINDISABLED before TLS on a non-loopback listener, AUTH=PLAIN after;
// input pipelined after STARTTLS is discarded (DESIGN.md §4.6).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { duplexPair, type Duplex } from 'node:stream';
import { test } from 'node:test';
import * as tls from 'node:tls';
import { ImapSession } from '../../src/imap/server/session.ts';
import { generateSelfSigned } from '../../src/net/tls-context.ts';
import { Transport } from '../../src/net/transport.ts';
import { LineReader, startHarness } from '../support/imap-harness.ts';

function firstLine(stream: Duplex): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const at = text.indexOf('\r\n');
      if (at >= 0) {
        stream.off('data', onData);
        stream.pause();
        resolve(text.slice(0, at));
      }
    };
    stream.on('data', onData);
    stream.resume();
  });
}

test('STARTTLS upgrades the session and enables login', async () => {
  const h = await startHarness();
  try {
    generateSelfSigned('localhost', join(h.t.dir, 'cert.pem'), join(h.t.dir, 'key.pem'));
    h.context.tls = tls.createSecureContext({
      cert: readFileSync(join(h.t.dir, 'cert.pem')),
      key: readFileSync(join(h.t.dir, 'key.pem')),
    });
    const [serverSide, clientSide] = duplexPair();
    const session = new ImapSession(h.context, new Transport(serverSide), {
      id: 'tls1',
      starttls: true,
      loopback: false,
      remote: '192.0.2.1:1',
    });
    const done = session.run();
    assert.match(
      await firstLine(clientSide),
      /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED /,
    );
    // A command pipelined after STARTTLS must not survive the TLS transition.
    clientSide.write('a1 STARTTLS\r\na2 LOGIN bob@hamburger.edu secret\r\n');
    assert.equal(await firstLine(clientSide), 'a1 OK Begin TLS negotiation now');
    const secure = tls.connect({ socket: clientSide, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    const lines = new LineReader(secure);
    secure.write('a3 CAPABILITY\r\n');
    const caps = await lines.next();
    assert.match(caps!, /^\* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN SASL-IR /);
    assert.doesNotMatch(caps!, /STARTTLS|LOGINDISABLED/);
    assert.equal(await lines.next(), 'a3 OK CAPABILITY completed');
    secure.write('a4 STARTTLS\r\n');
    assert.equal(await lines.next(), 'a4 BAD TLS is already active');
    secure.write('a5 LOGIN bob@hamburger.edu secret\r\n');
    assert.match((await lines.next())!, /^a5 OK \[CAPABILITY /);
    secure.write('a6 LOGOUT\r\n');
    assert.deepEqual(await lines.until('a6'), ['* BYE Logging out', 'a6 OK LOGOUT completed']);
    await done;
  } finally {
    await h.close();
  }
});
