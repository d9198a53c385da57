import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createNodeResolver } from '../../src/dns/node-resolver.ts';
import { DnsError, type Resolver } from '../../src/dns/resolver.ts';
import { createStaticResolver, type Zone } from '../../src/dns/static-resolver.ts';
import { startDnsTestServer, type DnsTestServer } from '../support/dns-test-server.ts';

const zone: Zone = {
  'hamburger.edu': {
    mx: [
      { exchange: 'mx2.hamburger.edu', preference: 20 },
      { exchange: 'MX1.hamburger.edu.', preference: 10 },
    ],
    txt: [['v=spf1 ', 'mx -all']],
  },
  'mx1.hamburger.edu': { a: ['192.0.2.1', '192.0.2.2'], aaaa: ['2001:db8::1'] },
  'mx2.hamburger.edu': { a: ['192.0.2.3'] },
  'nomx.example': { a: ['192.0.2.9'] },
  'nullmx.example': { mx: [{ exchange: '', preference: 0 }] },
  'broken.example': 'servfail',
  'refusing.example': 'refused',
  'silent.example': 'timeout',
};

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof DnsError, `expected DnsError, got ${String(err)}`);
    return err.kind;
  }
}

function resolverSuite(name: string, make: () => Resolver) {
  describe(name, () => {
    test('MX records, names lower-cased without trailing dot', async () => {
      const mx = await make().mx('hamburger.edu');
      assert.deepEqual(
        [...mx].sort((a, b) => a.preference - b.preference),
        [
          { exchange: 'mx1.hamburger.edu', preference: 10 },
          { exchange: 'mx2.hamburger.edu', preference: 20 },
        ],
      );
    });

    test('A, AAAA and TXT', async () => {
      const r = make();
      assert.deepEqual((await r.a('mx1.hamburger.edu')).sort(), ['192.0.2.1', '192.0.2.2']);
      assert.deepEqual(await r.aaaa('mx1.hamburger.edu'), ['2001:db8::1']);
      assert.deepEqual(await r.txt('hamburger.edu'), [['v=spf1 ', 'mx -all']]);
    });

    test('null MX comes back as one record with an empty exchange', async () => {
      assert.deepEqual(await make().mx('nullmx.example'), [{ exchange: '', preference: 0 }]);
    });

    test('NXDOMAIN and NODATA are definite answers', async () => {
      const r = make();
      assert.equal(await kindOf(r.mx('nowhere.example')), 'nxdomain');
      assert.equal(await kindOf(r.mx('nomx.example')), 'nodata');
      assert.equal(await kindOf(r.aaaa('mx2.hamburger.edu')), 'nodata');
      const err = await r.a('nowhere.example').catch((e: unknown) => e);
      assert.ok(err instanceof DnsError && err.definite);
    });

    test('SERVFAIL, REFUSED and silence are temporary', async () => {
      const r = make();
      assert.equal(await kindOf(r.mx('broken.example')), 'servfail');
      assert.equal(await kindOf(r.a('refusing.example')), 'refused');
      assert.equal(await kindOf(r.mx('silent.example')), 'timeout');
      const err = await r.mx('broken.example').catch((e: unknown) => e);
      assert.ok(err instanceof DnsError && !err.definite);
    });
  });
}

resolverSuite('static resolver', () => createStaticResolver(zone));

let server: DnsTestServer;
before(async () => {
  server = await startDnsTestServer(zone);
});
after(async () => {
  await server.close();
});
resolverSuite('node:dns resolver against a loopback DNS server', () =>
  createNodeResolver({ servers: [server.address], timeoutMs: 200, tries: 1 }),
);

test('the node resolver really asked the configured server', async () => {
  const r = createNodeResolver({ servers: [server.address], timeoutMs: 200, tries: 1 });
  await r.a('mx2.hamburger.edu');
  assert.ok(server.queries.includes('A mx2.hamburger.edu'));
});
