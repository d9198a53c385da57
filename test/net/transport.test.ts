import assert from 'node:assert/strict';
import { duplexPair } from 'node:stream';
import { describe, test } from 'node:test';
import { LineTooLong, Transport, TransportTimeout } from '../../src/net/transport.ts';

function pair() {
  const [a, b] = duplexPair();
  return { server: new Transport(a), client: b };
}

describe('Transport', () => {
  test('reads CRLF lines and reports bare LF', async () => {
    const { server, client } = pair();
    client.write('EHLO a\r\nNOOP\nQUIT\r\n');
    assert.deepEqual(await server.readLine(512), { bytes: Buffer.from('EHLO a'), bareLf: false });
    assert.deepEqual(await server.readLine(512), { bytes: Buffer.from('NOOP'), bareLf: true });
    assert.equal((await server.readLine(512))!.bytes.toString(), 'QUIT');
    client.end();
    assert.equal(await server.readLine(512), null);
  });

  test('a line over the limit is consumed and refused, the next line reads fine', async () => {
    const { server, client } = pair();
    client.write('x'.repeat(100) + '\r\nNEXT\r\n');
    await assert.rejects(server.readLine(20), LineTooLong);
    assert.equal((await server.readLine(20))!.bytes.toString(), 'NEXT');
  });

  test('a long line arriving in pieces is refused without buffering it all', async () => {
    const { server, client } = pair();
    const p = server.readLine(50);
    for (let i = 0; i < 10; i++) client.write('y'.repeat(30));
    client.write('\r\nOK\r\n');
    await assert.rejects(p, LineTooLong);
    assert.equal((await server.readLine(50))!.bytes.toString(), 'OK');
  });

  test('readBytes returns exact counts across chunks', async () => {
    const { server, client } = pair();
    client.write('abc');
    client.write('defg\r\nrest\r\n');
    assert.equal((await server.readBytes(5))!.toString(), 'abcde');
    assert.equal((await server.readLine(100))!.bytes.toString(), 'fg');
  });

  test('dot data: unstuffs, ends only at CRLF.CRLF, flags bare LF and CR', async () => {
    const { server, client } = pair();
    client.write(
      'Subject: x\r\n\r\n..leading dot\r\nsmuggle\n.\nMAIL FROM:<a@b>\r\n\r.\r\nend\r\n.\r\nNOOP\r\n',
    );
    const d = (await server.readDotData(1 << 20))!;
    assert.equal(
      d.data.toString(),
      'Subject: x\r\n\r\n.leading dot\r\nsmuggle\n.\nMAIL FROM:<a@b>\r\n\r.\r\nend\r\n',
    );
    assert.equal(d.bareLf, true);
    assert.equal(d.bareCr, true);
    assert.equal(d.tooBig, false);
    assert.equal((await server.readLine(100))!.bytes.toString(), 'NOOP');
  });

  test('dot data: empty message and too big message', async () => {
    const { server, client } = pair();
    client.write('.\r\n');
    assert.equal((await server.readDotData(10))!.data.length, 0);
    client.write('0123456789\r\n0123456789\r\n.\r\nAFTER\r\n');
    const d = (await server.readDotData(10))!;
    assert.equal(d.tooBig, true);
    assert.equal((await server.readLine(100))!.bytes.toString(), 'AFTER');
  });

  test('dot data: a terminator split across chunks', async () => {
    const { server, client } = pair();
    const p = server.readDotData(1000);
    client.write('hello\r');
    client.write('\n.');
    client.write('\r');
    client.write('\n');
    assert.equal((await p)!.data.toString(), 'hello\r\n');
  });

  test('idle timeout rejects a pending read', async () => {
    const { server } = pair();
    server.setIdleTimeout(20);
    await assert.rejects(server.readLine(100), TransportTimeout);
  });
});

test('drain resolves at once when nothing is waiting to be flushed', async () => {
  const { server } = pair();
  server.write('small\r\n');
  await server.drain();
});

test('listener close() ends within the grace period while a client keeps its connection open', async () => {
  const { startListener } = await import('../../src/net/listener.ts');
  const { silentLogger } = await import('../../src/log/logger.ts');
  const net = await import('node:net');
  const listener = await startListener({
    addresses: ['127.0.0.1:0'],
    maxConnections: 10,
    maxConnectionsPerIp: 10,
    log: silentLogger(),
    name: 'test',
    onConnection: async (t) => {
      await t.readLine(100);
    },
    refuse: () => 'no\r\n',
  });
  const client = net.connect(listener.addresses[0]!.port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
  while (listener.connections() === 0) await new Promise((r) => setImmediate(r));
  const closedByServer = new Promise((r) => client.once('close', r));
  await listener.close(50);
  await closedByServer; // resolves only because close() destroyed the session after the grace period
});
