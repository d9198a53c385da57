// The autoconfig responder on loopback (HTTP and HTTPS, port 0), read by independent parsers: the MUA's
// Thunderbird-config reader (what `posthorn mail account add` uses) and mailauth's MTA-STS policy parser.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parsePolicy, resolvePolicy } from 'mailauth/lib/mta-sts.js';
import { startAutoconfig, type AutoconfigService } from '../../src/autoconfig/index.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { dnsRecordsFromConfig, mtaStsPolicyId } from '../../src/dns-records/index.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { discoverByAutoconfig } from '../../src/mua/discovery/autoconfig.ts';
import type { DiscoveryDeps } from '../../src/mua/discovery/index.ts';
import { loadTlsMaterial } from '../../src/net/tls-context.ts';
import { openStore } from '../../src/storage/open.ts';
import type { Store } from '../../src/storage/ports.ts';
import { AccountService } from '../../src/accounts/index.ts';

interface Reply {
  status: number;
  type: string | undefined;
  body: string;
}

function get(
  port: number,
  path: string,
  options: { host?: string; method?: string; tls?: boolean; ca?: string } = {},
): Promise<Reply> {
  const request = options.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: false,
        headers: { host: options.host ?? 'mail.crepes.fr' },
        ...(options.tls ? { ca: options.ca, servername: 'mail.crepes.fr' } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('autoconfig responder', () => {
  let dir: string;
  let config: Config;
  let store: Store;
  let service: AutoconfigService;
  let cert: string;
  let httpPort: number;
  let httpsPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-autoconfig-'));
    config = configFromDefaults(
      {
        hostname: 'mail.crepes.fr',
        data_dir: dir,
        listen: {
          submissions: ['0.0.0.0:465'],
          submission: ['0.0.0.0:587'],
          imaps: ['0.0.0.0:993'],
          imap: [],
        },
        autoconfig: { listen: ['127.0.0.1:0'], listen_tls: ['127.0.0.1:0'], mta_sts_mode: 'enforce' },
      },
      dir,
    );
    store = await openStore(config, silentLogger());
    await new AccountService(store.accounts).addDomain('crepes.fr');
    const tls = loadTlsMaterial({ cert: null, key: null, dataDir: dir, hostname: config.hostname });
    cert = tls.cert;
    service = await startAutoconfig({
      config,
      store,
      log: silentLogger(),
      tls: { context: tls.context, cert: tls.cert, key: tls.key },
    });
    httpPort = service.http[0]!.port;
    httpsPort = service.https[0]!.port;
  });

  after(async () => {
    await service.stop();
    await store.close();
  });

  test('Thunderbird config at /.well-known/autoconfig/…?emailaddress=: IMAPS and submissions first, full address as user', async () => {
    const reply = await get(
      httpPort,
      '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40crepes.fr',
      {
        host: 'crepes.fr',
      },
    );
    assert.equal(reply.status, 200);
    assert.equal(reply.type, 'text/xml; charset=utf-8');
    assert.match(reply.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<clientConfig version="1.1">/);
    assert.match(reply.body, /<emailProvider id="crepes.fr">\s*<domain>crepes.fr<\/domain>/);
    const ports = [...reply.body.matchAll(/<port>(\d+)<\/port>\s*<socketType>(\w+)<\/socketType>/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    assert.deepEqual(ports, ['993 SSL', '465 SSL', '587 STARTTLS']);
  });

  test('the MUA discovery reads it over HTTPS at autoconfig.<domain>/mail/config-v1.1.xml', async () => {
    const urls: string[] = [];
    const deps: DiscoveryDeps = {
      async fetchText(url) {
        urls.push(url);
        const u = new URL(url);
        if (u.protocol !== 'https:') return null;
        const reply = await get(httpsPort, u.pathname + u.search, { host: u.host, tls: true, ca: cert });
        return reply.status === 200 ? reply.body : null;
      },
      resolveSrv: async () => [],
      canConnect: async () => false,
    };
    const found = await discoverByAutoconfig('alice@crepes.fr', deps);
    assert.deepEqual(found, {
      imap: { host: 'mail.crepes.fr', port: 993, tls: 'tls', user: 'alice@crepes.fr' },
      smtp: { host: 'mail.crepes.fr', port: 465, tls: 'tls', user: 'alice@crepes.fr' },
      source: 'autoconfig https://autoconfig.crepes.fr/mail/config-v1.1.xml',
    });
    assert.equal(urls.length, 1);
  });

  test('without emailaddress the domain comes from Host: autoconfig.<domain>', async () => {
    const reply = await get(httpPort, '/mail/config-v1.1.xml', { host: 'autoconfig.crepes.fr:80' });
    assert.equal(reply.status, 200);
    assert.match(reply.body, /<domain>crepes.fr<\/domain>/);
  });

  test('no configuration for domains that are not ours, nor without a domain', async () => {
    assert.equal((await get(httpPort, '/mail/config-v1.1.xml?emailaddress=eve@evil.example')).status, 404);
    assert.equal((await get(httpPort, '/mail/config-v1.1.xml', { host: 'mail.crepes.fr' })).status, 404);
    assert.equal((await get(httpPort, '/mail/config-v1.1.xml?emailaddress=nodomain')).status, 404);
  });

  test('the MTA-STS policy over HTTPS: text/plain, what `dns records` announces, valid for mailauth', async () => {
    const reply = await get(httpsPort, '/.well-known/mta-sts.txt', {
      host: 'mta-sts.crepes.fr',
      tls: true,
      ca: cert,
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.type, 'text/plain; charset=utf-8');
    assert.equal(reply.body, 'version: STSv1\r\nmode: enforce\r\nmx: mail.crepes.fr\r\nmax_age: 604800\r\n');
    const policy = parsePolicy(reply.body, { strict: true });
    assert.equal(policy.mode, 'enforce');
    assert.deepEqual(policy.mx, ['mail.crepes.fr']);
    assert.equal(policy.maxAge, 604800);

    // The id in the printed _mta-sts record is the id of exactly this file, and mailauth reads that record.
    const set = dnsRecordsFromConfig(config, 'crepes.fr', { addresses: { v4: ['192.0.2.25'], v6: [] } });
    assert.equal(set.mtaStsPolicy, reply.body);
    const txt = set.records.find((r) => r.name === '_mta-sts.crepes.fr.')!.value;
    const id = await resolvePolicy('crepes.fr', {
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === '_mta-sts.crepes.fr') return [[txt]];
        throw Object.assign(new Error('nxdomain'), { code: 'ENOTFOUND' });
      },
    });
    assert.equal(id, mtaStsPolicyId(reply.body));
  });

  test('HEAD has headers only; other methods 405; unknown paths 404', async () => {
    const head = await get(httpPort, '/.well-known/mta-sts.txt', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal((await get(httpPort, '/.well-known/mta-sts.txt', { method: 'POST' })).status, 405);
    assert.equal((await get(httpPort, '/admin')).status, 404);
  });

  test('a bad listen address is reported with its setting; stop() closes the listeners', async () => {
    const bad = configFromDefaults({ autoconfig: { listen: ['nonsense'] } }, dir);
    await assert.rejects(
      startAutoconfig({
        config: bad,
        store,
        log: silentLogger(),
        tls: { context: null as never, cert, key: '' },
      }),
      /\[autoconfig\] listen: bad address "nonsense"/,
    );
    const other = await startAutoconfig(
      {
        config: configFromDefaults({ autoconfig: { listen: ['127.0.0.1:0'] } }, dir),
        store,
        log: silentLogger(),
        tls: { context: null as never, cert, key: '' },
      },
      { isLocalDomain: async () => true },
    );
    const port = other.http[0]!.port;
    assert.equal((await get(port, '/mail/config-v1.1.xml?emailaddress=a@any.example')).status, 200);
    await other.stop();
    await assert.rejects(get(port, '/'), /ECONNREFUSED/);
  });
});
