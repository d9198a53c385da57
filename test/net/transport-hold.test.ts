// Transport.hold()/release(): output collected and sent in one go, never left behind while the session waits.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { duplexPair } from 'node:stream';
import { test } from 'node:test';
import { Transport } from '../../src/net/transport.ts';

test('held output waits for release(), then leaves in order', async () => {
  const [a, b] = duplexPair();
  const server = new Transport(a);
  const received: Buffer[] = [];
  b.on('data', (chunk: Buffer) => received.push(chunk));
  server.hold();
  server.write('* 1 EXISTS\r\n');
  server.write(Buffer.from('* 0 RECENT\r\n'));
  server.write('a1 OK done\r\n');
  assert.equal(server.pendingOutput, 36, 'all three pieces are held');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(received.length, 0, 'nothing has left before release()');
  server.release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(Buffer.concat(received).toString(), '* 1 EXISTS\r\n* 0 RECENT\r\na1 OK done\r\n');
});

test('waiting for input releases held output (a continuation request is never held back)', async () => {
  const [a, b] = duplexPair();
  const server = new Transport(a);
  // The client answers only once it has seen the continuation request.
  b.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('+ go ahead')) b.write('DONE\r\n');
  });
  server.hold();
  server.write('+ go ahead\r\n');
  const line = await server.readLine(100);
  assert.equal(line!.bytes.toString(), 'DONE');
});

test('held output beyond 64 KB is sent without waiting for release()', async () => {
  const [a, b] = duplexPair();
  const server = new Transport(a);
  let got = 0;
  const all = new Promise<void>((resolve) =>
    b.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got === 80_000) resolve();
    }),
  );
  server.hold();
  server.write(Buffer.alloc(40_000, 0x61));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(got, 0, '40,000 octets are held');
  server.write(Buffer.alloc(40_000, 0x62));
  await all; // without release()
  server.release();
});

test('over TCP: a held response arrives complete, close() sends what is held', async () => {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const port = (listener.address() as { port: number }).port;
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = connect(port, '127.0.0.1');
  const [socket] = await accepted;
  const server = new Transport(socket);
  const chunks: Buffer[] = [];
  client.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(client, 'end');
  server.hold();
  for (let i = 1; i <= 100; i++) server.write(`* ${i} FETCH (FLAGS ())\r\n`);
  server.write('a1 OK FETCH completed\r\n');
  await server.close();
  await ended;
  const text = Buffer.concat(chunks).toString();
  assert.ok(text.startsWith('* 1 FETCH (FLAGS ())\r\n* 2 FETCH'));
  assert.ok(text.endsWith('* 100 FETCH (FLAGS ())\r\na1 OK FETCH completed\r\n'));
  client.destroy();
  listener.close();
});
