// The authentication issue, end to end through the real SMTP path: two whole Posthorn apps (crepes.fr and
// hamburger.edu) whose only DNS is a loopback server answering with exactly what `posthorn dns records`
// prints for each domain (host addresses given as 127.0.0.1, DKIM keys made by ensureDomainKeys in each
// server's data_dir), plus a few hand-written zones for the senders that fail:
//
//   evil.example   the envelope domain Mallory uses: its SPF passes for 127.0.0.1 but aligns with no From
//   shop.example   p=quarantine, forged by Mallory → Bob's Junk
//   slow.example   its DMARC record never answers → 451 at the end of data
//
// crepes.fr relays through [routes] to "mx.hamburger.edu:<port>", so even the next hop is found through the
// published A record. hamburger.edu sets auth.trusted_networks = [] (loopback is trusted by default) and a
// short dns.timeout_ms.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { dkimSign, type DKIMSignOptions } from 'mailauth';
import { authservIdOf } from '../../src/auth/auth-results.ts';
import { ensureDomainKeys, type DkimKey } from '../../src/auth/dkim-keys.ts';
import { dnsRecordsFromConfig, formatDnsRecords } from '../../src/dns-records/index.ts';
import type { QueueService } from '../../src/queue/index.ts';
import { parseZone } from '../dns-records/zone-parser.ts';
import { RawSmtpClient } from '../smtp/support/smtp-client.ts';
import { startDnsForwarder, type DnsForwarder } from '../support/dns-forwarder.ts';
import { startRecordDnsServer, type RecordDnsServer } from '../support/dns-server-records.ts';
import { runOk } from './support/child.ts';
import { startNode, type PosthornNode } from './support/posthorn-node.ts';
import { assertTracePrefixOnly, type TraceField } from './support/trace-prefix.ts';

const ALICE = { address: 'alice@crepes.fr', password: 'alice-pw-7f3k' };
const BOB = { address: 'bob@hamburger.edu', password: 'bob-pw-q8zt' };
const HAMBURGER_HOST = 'mx.hamburger.edu';
const HERE = import.meta.dirname;
/** hamburger.edu's [dns] timeout_ms: one query; c-ares tries twice, doubling it. */
const DNS_TIMEOUT_MS = 200;

const OTHER_ZONES = `
$ORIGIN example.
evil                IN TXT "v=spf1 ip4:127.0.0.1 -all"
shop                IN TXT "v=spf1 ip4:192.0.2.20 -all"
_dmarc.shop         IN TXT "v=DMARC1; p=quarantine"
slow                IN TXT "v=spf1 ip4:192.0.2.30 -all"
_dmarc.slow         IN TXT "v=DMARC1; p=reject"
`;

function message(headers: string[], body = 'Des crêpes ce soir ?'): Buffer {
  return Buffer.from(
    [
      ...headers,
      'Date: Sun, 29 Nov 2026 10:00:00 +0100',
      `Message-ID: <${Math.random().toString(36).slice(2)}@auth-two-servers.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
    'utf8',
  );
}

/** The zone `posthorn dns records --zone` prints for the node's domain, host addresses set to 127.0.0.1. */
function publishedZone(node: PosthornNode): string {
  const records = dnsRecordsFromConfig(node.app.ctx.config, node.domain, {
    addresses: { v4: ['127.0.0.1'], v6: [] },
  });
  return formatDnsRecords(records, { zone: true });
}

/** Mallory's connection straight to hamburger.edu's MX from 127.0.0.1: the reply to the end of data. */
async function sendRaw(port: number, mailFrom: string, bytes: Buffer): Promise<string[]> {
  const client = await RawSmtpClient.connect(port);
  try {
    assert.match((await client.reply())[0]!, /^220 /);
    assert.match((await client.command('EHLO mallory.evil.example')).at(-1)!, /^250 /);
    assert.match((await client.command(`MAIL FROM:<${mailFrom}> BODY=8BITMIME`))[0]!, /^250 /);
    assert.match((await client.command(`RCPT TO:<${BOB.address}>`))[0]!, /^250 /);
    assert.match((await client.command('DATA'))[0]!, /^354 /);
    const stuffed = bytes.toString('utf8').replace(/^\./gm, '..');
    client.write(stuffed + '.\r\n');
    const reply = await client.reader.reply(10_000);
    await client.command('QUIT');
    return reply;
  } finally {
    client.close();
  }
}

/** Authentication-Results fields of a delivered message (unfolded), top first. */
function authResultsOf(trace: TraceField[]): string[] {
  return trace.filter((f) => f.name === 'authentication-results').map((f) => f.value);
}

describe('email authentication between two Posthorn servers over SMTP', () => {
  let dnsFront: DnsForwarder;
  let zoneServer: RecordDnsServer;
  let hamburger: PosthornNode;
  let crepes: PosthornNode;
  let crepesKeys: DkimKey[];
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-auth-two-servers-'));
    dnsFront = await startDnsForwarder();
    hamburger = await startNode({
      domain: 'hamburger.edu',
      hostname: HAMBURGER_HOST,
      listeners: ['smtp'],
      accounts: { [BOB.address]: BOB.password },
      config: {
        dns: { servers: [dnsFront.address], timeout_ms: DNS_TIMEOUT_MS },
        auth: { verify_inbound: true, trusted_networks: [] },
      },
    });
    crepes = await startNode({
      domain: 'crepes.fr',
      hostname: 'mx.crepes.fr',
      listeners: ['smtp', 'submission'],
      accounts: { [ALICE.address]: ALICE.password },
      routes: { 'hamburger.edu': `${HAMBURGER_HOST}:${hamburger.port('smtp')}` },
      config: { dns: { servers: [dnsFront.address] } },
    });
    crepesKeys = await ensureDomainKeys(crepes.dataDir, 'crepes.fr');
    await ensureDomainKeys(hamburger.dataDir, 'hamburger.edu');
    zoneServer = await startRecordDnsServer(
      [
        ...parseZone(publishedZone(crepes)),
        ...parseZone(publishedZone(hamburger)),
        ...parseZone(OTHER_ZONES),
      ],
      { '_dmarc.slow.example': 'timeout' },
    );
    dnsFront.forwardTo(zoneServer.address);
  });

  after(async () => {
    await crepes?.stop();
    await hamburger?.stop();
    await zoneServer?.close();
    await dnsFront?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What hamburger.edu holds: Bob's INBOX and Junk, its queue and every stored message body. */
  async function hamburgerHoldings() {
    const db = new DatabaseSync(join(hamburger.dataDir, 'posthorn.db'), { readOnly: true });
    try {
      const blobs = (db.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number }).n;
      return {
        inbox: (await hamburger.messages(BOB.address, 'INBOX')).length,
        junk: (await hamburger.messages(BOB.address, 'Junk')).length,
        queued: (await hamburger.store.queue.list()).length,
        blobs,
      };
    } finally {
      db.close();
    }
  }

  test('alice@crepes.fr → bob@hamburger.edu: signed with both keys, dkim=pass, spf=pass, dmarc=pass', async () => {
    const original = message([
      'From: Alice <alice@crepes.fr>',
      'To: Bob <bob@hamburger.edu>',
      'Subject: =?UTF-8?Q?Cr=C3=AApes?=',
    ]);
    const file = join(dir, 'alice.eml');
    writeFileSync(file, original);
    const submitted = await runOk('python3', [
      join(HERE, 'smtp-submit.py'),
      '127.0.0.1',
      String(crepes.port('submission')),
      ALICE.address,
      ALICE.password,
      crepes.certFile,
      ALICE.address,
      BOB.address,
      file,
    ]);
    assert.match(submitted.stdout.toString(), /^250 2\.0\.0 Ok: queued as \w+\n$/);

    const [delivered] = await hamburger.waitForMessages(BOB.address, 1);
    const trace = assertTracePrefixOnly(delivered!, original, 'Bob’s copy');

    // crepes.fr signed once per key made by ensureDomainKeys (Ed25519 and RSA).
    const signatures = trace.filter((f) => f.name === 'dkim-signature').map((f) => f.value);
    assert.equal(signatures.length, 2, signatures.join('\n'));
    assert.equal(crepesKeys.length, 2);
    for (const key of crepesKeys) {
      assert.ok(
        signatures.some((s) => s.includes('d=crepes.fr;') && s.includes(`s=${key.selector};`)),
        `no signature with s=${key.selector}:\n${signatures.join('\n')}`,
      );
    }

    // One Authentication-Results field, hamburger.edu's, with every check passing.
    const results = authResultsOf(trace);
    assert.equal(results.length, 1, results.join('\n'));
    const ar = results[0]!;
    assert.match(ar, /^Authentication-Results: mx\.hamburger\.edu; /);
    for (const key of crepesKeys) {
      assert.match(ar, new RegExp(`dkim=pass header\\.i=@crepes\\.fr header\\.s=${key.selector} `));
    }
    assert.match(ar, /spf=pass \([^)]*\) smtp\.mailfrom=alice@crepes\.fr/);
    assert.match(ar, /spf=pass \([^)]*\) smtp\.helo=mx\.crepes\.fr/);
    assert.match(ar, /dmarc=pass \(p=REJECT[^)]*\) [^;]*header\.from=crepes\.fr/);
    assert.doesNotMatch(ar, /=(fail|softfail|neutral|temperror|permerror)\b/);

    // The next hop was found through the published A record of mx.hamburger.edu.
    assert.ok(zoneServer.queries.includes('A mx.hamburger.edu'), zoneServer.queries.join('\n'));
    const queue = crepes.app.services.find((s) => s.name === 'queue') as QueueService;
    await queue.whenIdle();
    assert.deepEqual(await crepes.store.queue.list(), []);
  });

  test('a forged From of a p=reject domain straight to the MX: 550 5.7.1 at the end of data, nothing stored', async () => {
    const before = await hamburgerHoldings();
    // Mallory copies crepes.fr's selector but signs with a key of her own: the signature cannot verify.
    const mallorysKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' });
    const forged = message([
      'From: Alice <alice@crepes.fr>',
      'To: Bob <bob@hamburger.edu>',
      'Subject: Urgent: new bank details',
    ]);
    const signed = await dkimSign(forged, {
      canonicalization: 'relaxed/relaxed',
      signatureData: [
        {
          signingDomain: 'crepes.fr',
          selector: crepesKeys.find((k) => k.algorithm === 'ed25519')!.selector,
          privateKey: mallorysKey as string,
        },
      ],
    } as DKIMSignOptions);
    assert.deepEqual(signed.errors, []);
    const bytes = Buffer.concat([Buffer.from(signed.signatures, 'latin1'), forged]);

    const reply = await sendRaw(hamburger.port('smtp'), 'mallory@evil.example', bytes);
    assert.equal(reply.length, 1, reply.join('\n'));
    assert.match(reply[0]!, /^550 5\.7\.1 .*crepes\.fr/);
    assert.deepEqual(await hamburgerHoldings(), before);
  });

  test('a forged From of a p=quarantine domain lands in Bob’s Junk, not his INBOX', async () => {
    const before = await hamburgerHoldings();
    const bytes = message([
      'From: Shop <offers@shop.example>',
      'To: Bob <bob@hamburger.edu>',
      'Subject: Your parcel is waiting',
    ]);
    const reply = await sendRaw(hamburger.port('smtp'), 'mallory@evil.example', bytes);
    assert.match(reply[0]!, /^250 2\.0\.0 /);

    // The 250 follows the commit, so the copy is there already.
    const junk = await hamburger.messages(BOB.address, 'Junk');
    assert.equal(junk.length, before.junk + 1);
    assert.equal((await hamburgerHoldings()).inbox, before.inbox);
    const trace = assertTracePrefixOnly(junk.at(-1)!, bytes, 'the Junk copy');
    const results = authResultsOf(trace);
    assert.equal(results.length, 1, results.join('\n'));
    assert.match(results[0]!, /^Authentication-Results: mx\.hamburger\.edu; /);
    assert.match(results[0]!, /spf=pass \([^)]*\) smtp\.mailfrom=mallory@evil\.example/);
    assert.match(results[0]!, /dmarc=fail \(p=QUARANTINE[^)]*\) [^;]*header\.from=shop\.example/);
  });

  test('a DMARC lookup that times out: 451 at the end of data, nothing stored', async () => {
    const before = await hamburgerHoldings();
    const bytes = message([
      'From: News <news@slow.example>',
      'To: Bob <bob@hamburger.edu>',
      'Subject: Hello',
    ]);
    const started = Date.now();
    const reply = await sendRaw(hamburger.port('smtp'), 'mallory@evil.example', bytes);
    const elapsed = Date.now() - started;
    assert.equal(reply.length, 1, reply.join('\n'));
    assert.match(reply[0]!, /^451 4\.\d\.\d /);
    assert.ok(zoneServer.queries.includes('TXT _dmarc.slow.example'), zoneServer.queries.join('\n'));
    // The answer waited for the resolver to give up (not an early refusal), and not for much longer.
    assert.ok(elapsed >= DNS_TIMEOUT_MS, `replied after ${elapsed} ms`);
    assert.deepEqual(await hamburgerHoldings(), before);
  });

  test('Authentication-Results fields claiming hamburger.edu’s host name are removed; only ours remains', async () => {
    const before = await hamburgerHoldings();
    const bytes = message([
      'Authentication-Results: mx.hamburger.edu; dkim=pass header.d=crepes.fr; spf=pass; dmarc=pass',
      'Authentication-Results: MX.Hamburger.EDU. (forged, other case);',
      ' dmarc=pass header.from=crepes.fr',
      'Authentication-Results: "mx.hamburger.edu"; arc=pass',
      'Authentication-Results: relay.example; spf=pass smtp.mailfrom=evil.example',
      'From: Mallory <mallory@evil.example>',
      'To: Bob <bob@hamburger.edu>',
      'Subject: Trust me',
    ]);
    const reply = await sendRaw(hamburger.port('smtp'), 'mallory@evil.example', bytes);
    assert.match(reply[0]!, /^250 2\.0\.0 /);

    const inbox = await hamburger.messages(BOB.address);
    assert.equal(inbox.length, before.inbox + 1);
    const delivered = inbox.at(-1)!;
    const text = delivered.toString('utf8');
    assert.doesNotMatch(text, /header\.d=crepes\.fr|forged, other case|arc=pass/);

    const headerEnd = delivered.indexOf('\r\n\r\n');
    const fields = delivered
      .subarray(0, headerEnd)
      .toString('utf8')
      .replace(/\r\n(?=[ \t])/g, '')
      .split('\r\n')
      .filter((f) => /^Authentication-Results:/i.test(f));
    const ours = fields.filter((f) => authservIdOf(f.slice(f.indexOf(':') + 1)) === HAMBURGER_HOST);
    assert.equal(ours.length, 1, fields.join('\n'));
    assert.match(ours[0]!, /spf=pass \([^)]*\) smtp\.mailfrom=mallory@evil\.example/);
    assert.match(ours[0]!, /dkim=none/);
    // Another host's field is information about an earlier hop, kept as it came (RFC 8601 §5).
    assert.deepEqual(
      fields.filter((f) => f !== ours[0]),
      ['Authentication-Results: relay.example; spf=pass smtp.mailfrom=evil.example'],
    );
  });
});
