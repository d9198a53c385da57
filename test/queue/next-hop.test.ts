import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { createNodeResolver } from '../../src/dns/node-resolver.ts';
import { createStaticResolver, type Zone } from '../../src/dns/static-resolver.ts';
import { destinationKey, NextHopError, orderMx, resolveNextHop } from '../../src/queue/next-hop.ts';
import { startDnsTestServer } from '../support/dns-test-server.ts';
import { FakeSmtpServer } from '../support/fake-smtp-server.ts';
import { dsnText, QueueHarness } from '../support/queue-harness.ts';

const ZONE: Zone = {
  'hamburger.edu': {
    mx: [
      { exchange: 'mx2.hamburger.edu', preference: 20 },
      { exchange: 'mx1.hamburger.edu', preference: 10 },
    ],
  },
  'mx1.hamburger.edu': { a: ['192.0.2.1', '192.0.2.2'], aaaa: ['2001:db8::1'] },
  'mx2.hamburger.edu': { a: ['192.0.2.3'] },
  'nomx.example': { a: ['192.0.2.9'] },
  'nullmx.example': { mx: [{ exchange: '', preference: 0 }] },
  'broken.example': 'servfail',
  'dangling.example': { mx: [{ exchange: 'gone.example', preference: 10 }] },
  'flaky.example': { mx: [{ exchange: 'mx.broken.example', preference: 10 }] },
  'mx.broken.example': 'servfail',
  'empty.example': { txt: [['hello']] },
};
const resolver = createStaticResolver(ZONE);

async function hopError(p: Promise<unknown>): Promise<NextHopError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(err instanceof NextHopError, `expected NextHopError, got ${String(err)}`);
  return err;
}

describe('next hop (RFC 5321 §5.1)', () => {
  test('MX by preference, every address of each host, IPv4 before IPv6', async () => {
    const hop = await resolveNextHop('hamburger.edu', {}, resolver);
    assert.deepEqual(
      hop.candidates.map((c) => `${c.hostname}/${c.address}:${c.port}`),
      [
        'mx1.hamburger.edu/192.0.2.1:25',
        'mx1.hamburger.edu/192.0.2.2:25',
        'mx1.hamburger.edu/2001:db8::1:25',
        'mx2.hamburger.edu/192.0.2.3:25',
      ],
    );
    assert.equal(hop.via, 'mx');
  });

  test('equal preferences are shuffled', () => {
    const records = [
      { exchange: 'a', preference: 10 },
      { exchange: 'b', preference: 10 },
      { exchange: 'c', preference: 5 },
    ];
    const seq = [0.9, 0.1, 0.5];
    let i = 0;
    assert.deepEqual(
      orderMx(records, () => seq[i++ % 3]!),
      ['c', 'b', 'a'],
    );
    i = 0;
    const seq2 = [0.1, 0.9, 0.5];
    assert.deepEqual(
      orderMx(records, () => seq2[i++ % 3]!),
      ['c', 'a', 'b'],
    );
  });

  test('no MX: the domain itself (implicit MX)', async () => {
    const hop = await resolveNextHop('nomx.example', {}, resolver);
    assert.equal(hop.via, 'implicit mx');
    assert.deepEqual(
      hop.candidates.map((c) => c.address),
      ['192.0.2.9'],
    );
  });

  test('null MX fails at once with 5.1.10 (RFC 7505)', async () => {
    const err = await hopError(resolveNextHop('nullmx.example', {}, resolver));
    assert.equal(err.status, '5.1.10');
    assert.equal(err.permanent, true);
  });

  test('NXDOMAIN bounces (5.1.2); SERVFAIL is retried (4.4.3)', async () => {
    assert.equal((await hopError(resolveNextHop('nowhere.example', {}, resolver))).status, '5.1.2');
    const temp = await hopError(resolveNextHop('broken.example', {}, resolver));
    assert.equal(temp.status, '4.4.3');
    assert.equal(temp.permanent, false);
  });

  test('no MX and no address: 5.1.2; MX hosts without addresses or with failing lookups: retried', async () => {
    assert.equal((await hopError(resolveNextHop('empty.example', {}, resolver))).status, '5.1.2');
    assert.equal((await hopError(resolveNextHop('dangling.example', {}, resolver))).status, '4.4.4');
    assert.equal((await hopError(resolveNextHop('flaky.example', {}, resolver))).status, '4.4.3');
  });

  test('routes come first: exact domain, then "*"; host names resolved, port default 25', async () => {
    const routes = {
      'hamburger.edu': '192.0.2.50:2525',
      '*': { host: 'mx2.hamburger.edu', require_tls: true },
    };
    const exact = await resolveNextHop('hamburger.edu', routes, resolver);
    assert.deepEqual(exact.candidates, [{ hostname: '192.0.2.50', address: '192.0.2.50', port: 2525 }]);
    assert.equal(exact.requireTls, false);
    const star = await resolveNextHop('frites.be', routes, resolver);
    assert.deepEqual(star.candidates, [{ hostname: 'mx2.hamburger.edu', address: '192.0.2.3', port: 25 }]);
    assert.equal(star.requireTls, true);
    assert.equal(destinationKey('hamburger.edu', routes), 'route:192.0.2.50:2525');
    assert.equal(destinationKey('frites.be', routes), 'route:mx2.hamburger.edu+tls');
    assert.equal(destinationKey('frites.be', {}), 'domain:frites.be');
  });

  test('address literals go straight to the address', async () => {
    const hop = await resolveNextHop('[192.0.2.77]', {}, resolver);
    assert.deepEqual(
      hop.candidates.map((c) => c.address),
      ['192.0.2.77'],
    );
  });
});

describe('queue with DNS: MX fallback, null MX, SERVFAIL vs NXDOMAIN', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  test('first MX refuses or answers 421: the next address and the next preference are tried', async () => {
    const busy = await FakeSmtpServer.start({ greeting: '421 4.3.2 too busy' });
    const good = await FakeSmtpServer.start();
    open.push(busy, good);
    // 192.0.2.1 refuses connections (unmapped), 192.0.2.2 says 421, 2001:db8::1 refuses, mx2 accepts.
    const h = await QueueHarness.create({
      zone: ZONE,
      ports: { '192.0.2.2': busy.port, '192.0.2.3': good.port },
    });
    open.push(h);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run();
    assert.deepEqual(h.connects, ['192.0.2.1:25', '192.0.2.2:25', '2001:db8::1:25', '192.0.2.3:25']);
    assert.equal(good.messages.length, 1);
    assert.equal(await h.entry(entry.id), null);
  });

  test('every address failing: deferred with the last error', async () => {
    const h = await QueueHarness.create({ zone: ZONE });
    open.push(h);
    const entry = await h.enqueue({ to: ['bob@hamburger.edu'] });
    await h.run();
    assert.equal(h.connects.length, 4);
    assert.match((await h.entry(entry.id))!.lastError!, /^4\.4\.1 connect to 192\.0\.2\.3:25 failed/);
  });

  test('the real node:dns resolver against a loopback DNS server: MX, null MX, SERVFAIL, NXDOMAIN', async () => {
    const dns = await startDnsTestServer(ZONE);
    open.push(dns);
    const good = await FakeSmtpServer.start();
    open.push(good);
    const h = await QueueHarness.create({
      config: { dns: { servers: [dns.address], timeout_ms: 200 } },
      resolver: createNodeResolver({ servers: [dns.address], timeoutMs: 200, tries: 1 }),
      ports: { '192.0.2.1': good.port },
    });
    open.push(h);
    const ok = await h.enqueue({ to: ['bob@hamburger.edu'] });
    const nullMx = await h.enqueue({ to: ['x@nullmx.example'] });
    const servfail = await h.enqueue({ to: ['x@broken.example'] });
    const nxdomain = await h.enqueue({ to: ['x@nowhere.example'] });
    await h.run();

    assert.equal(good.messages.length, 1);
    assert.equal(await h.entry(ok.id), null);
    assert.equal(await h.entry(nullMx.id), null);
    assert.equal(await h.entry(nxdomain.id), null);
    const deferred = (await h.entry(servfail.id))!;
    assert.equal(deferred.recipients[0]!.state, 'pending');
    assert.match(deferred.lastError!, /^4\.4\.3 MX lookup for broken\.example failed/);

    const statuses = h.bounces.map((b) => /Status: (\S+)/.exec(dsnText(b))![1]).sort();
    assert.deepEqual(statuses, ['5.1.10', '5.1.2']);
    assert.ok(dns.queries.includes('MX hamburger.edu'));
    // Nobody was contacted for the null MX or the missing domain.
    assert.deepEqual(h.connects, ['192.0.2.1:25']);
  });
});
