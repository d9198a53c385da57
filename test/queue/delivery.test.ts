import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import type { Zone } from '../../src/dns/static-resolver.ts';
import { FakeSmtpServer, type FakeSmtpScript } from '../support/fake-smtp-server.ts';
import { dsnText, QueueHarness, type HarnessOptions } from '../support/queue-harness.ts';

const ZONE: Zone = {
  'hamburger.edu': { mx: [{ exchange: 'mx.hamburger.edu', preference: 10 }] },
  'mx.hamburger.edu': { a: ['192.0.2.10'] },
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});
after(() => {});

async function setup(script: FakeSmtpScript = {}, options: HarnessOptions = {}) {
  const server = await FakeSmtpServer.start(script);
  open.push(server);
  const h = await QueueHarness.create({ zone: ZONE, ports: { '192.0.2.10': server.port }, ...options });
  open.push(h);
  return { server, h };
}

describe('queue: delivery to a remote server', () => {
  test('success: delivered over SMTP, removed from the queue, no DSN', async () => {
    const { server, h } = await setup();
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run();
    assert.equal(server.messages.length, 1);
    assert.equal(server.messages[0]!.from, 'alice@crepes.fr');
    assert.deepEqual(server.messages[0]!.recipients, ['bob@hamburger.edu']);
    assert.match(server.messages[0]!.data.toString(), /Hello Bob\r\n$/);
    assert.equal(server.sessions[0]!.ehlo, 'crepes.fr');
    assert.equal(await h.entry(entry.id), null);
    assert.deepEqual(h.bounces, []);
  });

  test('several messages for one destination share one connection, RSET between', async () => {
    const { server, h } = await setup();
    for (let i = 0; i < 3; i++) await h.enqueue({ to: [`bob${i}@hamburger.edu`] });
    await h.run();
    assert.equal(server.sessions.length, 1);
    assert.deepEqual(
      server.messages.map((m) => m.recipients[0]),
      ['bob0@hamburger.edu', 'bob1@hamburger.edu', 'bob2@hamburger.edu'],
    );
    assert.equal(server.sessions[0]!.commands.filter((c) => c === 'RSET').length, 2);
    assert.deepEqual(await h.store.queue.list(), []);
  });

  test('messages_per_connection caps a session; per_destination caps parallel sessions', async () => {
    const { server, h } = await setup(
      {},
      { config: { queue: { messages_per_connection: 2, per_destination: 1 } } },
    );
    for (let i = 0; i < 5; i++) await h.enqueue({ to: [`r${i}@hamburger.edu`] });
    await h.run();
    assert.equal(server.messages.length, 5);
    assert.equal(server.sessions.length, 3);
    assert.equal(server.maxOpen, 1);
  });

  test('recipients in two domains: one job per destination, one queue entry', async () => {
    const other = await FakeSmtpServer.start();
    open.push(other);
    const { server, h } = await setup(
      {},
      {
        zone: {
          ...ZONE,
          'frites.be': { mx: [{ exchange: 'mx.frites.be', preference: 5 }] },
          'mx.frites.be': { a: ['192.0.2.20'] },
        },
      },
    );
    h.ports['192.0.2.20'] = other.port;
    const entry = await h.enqueue({ to: ['bob@hamburger.edu', 'jan@frites.be'] });
    await h.run();
    assert.deepEqual(server.messages[0]!.recipients, ['bob@hamburger.edu']);
    assert.deepEqual(other.messages[0]!.recipients, ['jan@frites.be']);
    assert.equal(await h.entry(entry.id), null);
  });

  test('a static route sends straight to host:port without DNS', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({
      config: { routes: { 'hamburger.edu': `127.0.0.1:${server.port}` } },
    });
    open.push(h);
    await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run();
    assert.equal(server.messages.length, 1);
    assert.deepEqual(h.connects, [`127.0.0.1:${server.port}`]);
  });

  test('a smarthost "*" carries mail for several domains over one session', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({ config: { routes: { '*': `127.0.0.1:${server.port}` } } });
    open.push(h);
    await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.enqueue({ to: ['jan@frites.be'] });
    await h.run();
    assert.equal(server.sessions.length, 1);
    assert.equal(server.messages.length, 2);
  });

  test('opportunistic STARTTLS is used when the server offers it', async () => {
    const { server, h } = await setup({ starttls: true });
    await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run();
    assert.equal(server.messages[0]!.tls, true);
  });

  test('opportunistic TLS that fails in the handshake: delivered again in plain text', async () => {
    const { server, h } = await setup({ starttls: true, brokenTls: true });
    await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run();
    assert.equal(server.sessions.length, 2);
    assert.equal(server.sessions[1]!.commands[0], 'EHLO crepes.fr');
    assert.match(server.sessions[1]!.commands[1]!, /^MAIL FROM:<alice@crepes\.fr> /);
    assert.equal(server.messages[0]!.tls, false);
  });

  test('with verify_tls a broken handshake is not retried in plain text', async () => {
    const { server, h } = await setup(
      { starttls: true, brokenTls: true },
      { config: { queue: { verify_tls: true } } },
    );
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run();
    assert.equal(server.sessions.length, 1);
    assert.match((await h.entry(entry.id))!.lastError!, /^4\.7\.5 .*TLS handshake/);
  });

  test('a route that requires TLS defers when STARTTLS is missing', async () => {
    const server = await FakeSmtpServer.start();
    open.push(server);
    const h = await QueueHarness.create({
      config: { routes: { 'hamburger.edu': { host: `127.0.0.1:${server.port}`, require_tls: true } } },
    });
    open.push(h);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run();
    assert.equal(server.messages.length, 0);
    const e = (await h.entry(entry.id))!;
    assert.equal(e.recipients[0]!.state, 'pending');
    assert.match(e.lastError!, /^4\.7\.10 .*STARTTLS/);
  });

  test('a message that needs SMTPUTF8 fails with 5.6.7 at a server without it', async () => {
    const { server, h } = await setup({ extensions: ['PIPELINING', '8BITMIME'] });
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'], smtputf8: true });
    await h.run();
    assert.equal(server.messages.length, 0);
    assert.equal(await h.entry(entry.id), null);
    assert.equal(h.bounces.length, 1);
    assert.match(dsnText(h.bounces[0]!), /Status: 5\.6\.7/);
  });
});
