// The receiver's checks against a DNS server on loopback that serves what `posthorn dns records` prints for
// crepes.fr (formatted, then parsed back as a zone file), plus a few other domains written as zone text:
// bank.example (p=reject), shop.example (p=quarantine), strict.example (adkim=s, aspf=s), lists.example (an
// ARC-sealing forwarder), slow.example (no answer) and broken.example (SERVFAIL).

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { authenticate, sealMessage } from 'mailauth';
import { applyAuthResults } from '../../src/auth/auth-results.ts';
import { ensureDomainKeys } from '../../src/auth/dkim-keys.ts';
import { createDkimSigner, type DkimSigner } from '../../src/auth/dkim-signer.ts';
import { createNodeDnsLookup, type DnsLookup } from '../../src/auth/dns-lookup.ts';
import { createInboundVerifier, type InboundVerifier } from '../../src/auth/inbound-verifier.ts';
import { configFromDefaults } from '../../src/config/load.ts';
import { createNodeResolver } from '../../src/dns/node-resolver.ts';
import { dnsRecordsFromConfig, formatDnsRecords, presentValue } from '../../src/dns-records/index.ts';
import { parseZone } from '../dns-records/zone-parser.ts';
import { startRecordDnsServer, type RecordDnsServer } from '../support/dns-server-records.ts';

const RECEIVER = 'mx.hamburger.edu';
const CREPES_IP = '127.0.0.1';

function message(from: string, subject = 'Crêpes', extra: string[] = []): Buffer {
  return Buffer.from(
    [
      ...extra,
      `From: ${from}`,
      'To: bob@hamburger.edu',
      `Subject: ${subject}`,
      'Date: Sun, 01 Mar 2026 10:00:00 +0100',
      `Message-ID: <${Math.random().toString(36).slice(2)}@test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Des crêpes ce soir ?',
      '',
    ].join('\r\n'),
  );
}

describe('inbound verifier against loopback DNS', () => {
  let dns: RecordDnsServer;
  let dataDir: string;
  let signer: DkimSigner;
  let lookup: DnsLookup;
  let verifier: InboundVerifier;
  let listKey: string;
  let listSelector: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'posthorn-verify-'));
    const config = configFromDefaults({ hostname: 'mail.crepes.fr', data_dir: dataDir }, dataDir);
    await ensureDomainKeys(dataDir, 'crepes.fr');
    const printed = formatDnsRecords(
      dnsRecordsFromConfig(config, 'crepes.fr', { addresses: { v4: [CREPES_IP], v6: [] } }),
      { zone: true },
    );

    const strictKeys = await ensureDomainKeys(dataDir, 'strict.example');
    const listKeys = await ensureDomainKeys(dataDir, 'lists.example');
    listSelector = listKeys[0]!.selector;
    listKey = listKeys[0]!.privateKey!.export({ format: 'pem', type: 'pkcs8' }) as string;
    const others = `
$ORIGIN example.
bank                IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc.bank         IN TXT "v=DMARC1; p=reject"
shop                IN TXT "v=spf1 ip4:192.0.2.20 -all"
_dmarc.shop         IN TXT "v=DMARC1; p=quarantine"
strict              IN TXT "v=spf1 ip4:127.0.0.2 -all"
_dmarc.strict       IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
${strictKeys.map((k) => `${k.selector}._domainkey.strict IN TXT ${presentValue({ type: 'TXT', value: k.dnsValue })}`).join('\n')}
lists               IN TXT "v=spf1 ip4:127.0.0.3 -all"
${listKeys.map((k) => `${k.selector}._domainkey.lists IN TXT ${presentValue({ type: 'TXT', value: k.dnsValue })}`).join('\n')}
`;
    dns = await startRecordDnsServer([...parseZone(printed), ...parseZone(others)], {
      'slow.example': 'timeout',
      '_dmarc.slow.example': 'timeout',
      'broken.example': 'servfail',
      '_dmarc.broken.example': 'servfail',
    });
    lookup = createNodeDnsLookup({ servers: [dns.address], timeoutMs: 300, tries: 1 });
    signer = createDkimSigner({ dataDir, hostname: 'mail.crepes.fr' });
    verifier = createInboundVerifier({ hostname: RECEIVER, resolver: lookup });
  });

  after(() => dns.close());

  test('our signed message from our IP: dkim=pass (both), spf=pass, dmarc=pass → accept', async () => {
    const signed = await signer.sign(message('Alice <alice@crepes.fr>'), 'crepes.fr');
    const result = await verifier.verify({
      message: signed,
      mailFrom: 'alice@crepes.fr',
      helo: 'mail.crepes.fr',
      remoteIp: CREPES_IP,
    });
    assert.equal(result.verdict, 'accept', result.authResultsHeader);
    const ar = result.authResultsHeader;
    assert.equal(ar.match(/Authentication-Results:/g)!.length, 1);
    assert.match(ar, /^Authentication-Results: mx\.hamburger\.edu;\r\n /);
    assert.match(ar, /dkim=pass header\.i=@crepes\.fr header\.s=ed-\d{8} header\.a=ed25519-sha256/);
    assert.match(ar, /dkim=pass header\.i=@crepes\.fr header\.s=rsa-\d{8} header\.a=rsa-sha256/);
    assert.match(ar, /spf=pass \([^)]*\) smtp\.mailfrom=alice@crepes\.fr/);
    assert.match(ar, /spf=pass \([^)]*\) smtp\.helo=mail\.crepes\.fr/);
    assert.match(ar, /dmarc=pass \(p=REJECT[^)]*\) policy\.dmarc=reject header\.from=crepes\.fr/);
    assert.deepEqual(
      result.summary.dkim.map((d) => d.result),
      ['pass', 'pass'],
    );
  });

  test('the same through the Resolver port (src/dns) adapted for mailauth', async () => {
    const viaPort = createInboundVerifier({
      hostname: RECEIVER,
      resolver: createNodeResolver({ servers: [dns.address], timeoutMs: 300, tries: 1 }),
    });
    const signed = await signer.sign(message('alice@crepes.fr'), 'crepes.fr');
    const result = await viaPort.verify({
      message: signed,
      mailFrom: 'alice@crepes.fr',
      helo: 'mail.crepes.fr',
      remoteIp: CREPES_IP,
    });
    assert.equal(result.verdict, 'accept');
    assert.equal(result.summary.spf, 'pass');
    assert.equal(result.summary.dmarc?.result, 'pass');
  });

  test('from another IP SPF soft-fails, but aligned DKIM carries DMARC (relaxed, subdomain From)', async () => {
    const signed = await signer.sign(message('alice@news.crepes.fr'), 'crepes.fr');
    const result = await verifier.verify({
      message: signed,
      mailFrom: 'alice@crepes.fr',
      helo: 'elsewhere.example',
      remoteIp: '192.0.2.99',
    });
    assert.equal(result.summary.spf, 'softfail');
    assert.equal(result.summary.dmarc?.result, 'pass');
    assert.equal(result.verdict, 'accept');
  });

  test('strict alignment (adkim=s, aspf=s): a subdomain From with parent-domain DKIM and SPF fails → reject', async () => {
    const signed = await signer.sign(message('a@news.strict.example'), 'strict.example');
    const result = await verifier.verify({
      message: signed,
      mailFrom: 'bounce@strict.example',
      helo: 'mail.strict.example',
      remoteIp: '127.0.0.2',
    });
    assert.equal(result.summary.spf, 'pass');
    assert.deepEqual(
      result.summary.dkim.map((d) => d.result),
      ['pass', 'pass'],
    );
    assert.equal(result.summary.dmarc?.result, 'fail');
    assert.equal(result.verdict, 'reject');
    // The same message with From in the signing domain itself aligns strictly.
    const exact = await signer.sign(message('a@strict.example'), 'strict.example');
    const ok = await verifier.verify({
      message: exact,
      mailFrom: 'bounce@strict.example',
      helo: 'mail.strict.example',
      remoteIp: '127.0.0.2',
    });
    assert.equal(ok.verdict, 'accept');
  });

  test('a forged From of a p=reject domain is rejected with 550 5.7.1', async () => {
    const result = await verifier.verify({
      message: message('Bank <security@bank.example>'),
      mailFrom: 'attacker@evil.example',
      helo: 'evil.example',
      remoteIp: '203.0.113.66',
    });
    assert.equal(result.verdict, 'reject');
    assert.deepEqual(result.reply, {
      code: 550,
      enhanced: '5.7.1',
      text: 'Message rejected: DMARC policy of bank.example (p=reject) not met',
    });
    assert.match(result.authResultsHeader, /dmarc=fail \(p=REJECT[^)]*\)[^;]*header\.from=bank\.example/);
    assert.match(result.authResultsHeader, /dkim=none/);
  });

  test('a p=quarantine failure goes to Junk', async () => {
    const result = await verifier.verify({
      message: message('deals@shop.example'),
      mailFrom: 'deals@shop.example',
      helo: 'spam.example',
      remoteIp: '203.0.113.5',
    });
    assert.equal(result.summary.spf, 'fail');
    assert.equal(result.verdict, 'junk');
    assert.equal(result.reply, undefined);
  });

  test('a DNS timeout is a temporary failure (451), never a rejection', async () => {
    const result = await verifier.verify({
      message: message('x@slow.example'),
      mailFrom: 'x@slow.example',
      helo: 'mail.slow.example',
      remoteIp: '203.0.113.7',
    });
    assert.equal(result.verdict, 'tempfail', result.authResultsHeader);
    assert.equal(result.reply?.code, 451);
    assert.equal(result.reply?.enhanced, '4.4.3');
    assert.match(result.authResultsHeader, /spf=temperror/);
    assert.match(result.authResultsHeader, /dmarc=temperror/);
  });

  test('SERVFAIL is a temporary failure too', async () => {
    const result = await verifier.verify({
      message: message('x@broken.example'),
      mailFrom: 'x@broken.example',
      helo: 'mail.broken.example',
      remoteIp: '203.0.113.8',
    });
    assert.equal(result.verdict, 'tempfail');
  });

  test('a forged Authentication-Results in our name is replaced by the real one', async () => {
    const forged = message('Bank <security@bank.example>', 'Urgent', [
      `Authentication-Results: ${RECEIVER}; dkim=pass header.d=bank.example; dmarc=pass header.from=bank.example`,
    ]);
    const input = {
      message: forged,
      mailFrom: 'attacker@evil.example',
      helo: 'evil.example',
      remoteIp: '203.0.113.66',
    };
    const result = await verifier.verify(input);
    assert.equal(result.verdict, 'reject');
    const delivered = applyAuthResults(forged, RECEIVER, result.authResultsHeader).toString();
    const fields = delivered
      .split('\r\n\r\n')[0]!
      .replace(/\r\n[ \t]+/g, ' ')
      .split('\r\n');
    const ours = fields.filter((f) => /^Authentication-Results:\s*mx\.hamburger\.edu/i.test(f));
    assert.equal(ours.length, 1);
    assert.match(ours[0]!, /dmarc=fail/);
    assert.doesNotMatch(delivered, /dmarc=pass header\.from=bank\.example/);
  });

  test('ARC (RFC 8617): a list breaks DKIM and seals; the chain verifies; a trusted sealer overrides DMARC', async () => {
    // At the list: the original passes, the list rewrites the Subject, then seals with what it saw.
    const original = await signer.sign(message('alice@crepes.fr', 'Hello'), 'crepes.fr');
    const atList = await authenticate(original, {
      ip: CREPES_IP,
      helo: 'mail.crepes.fr',
      sender: 'alice@crepes.fr',
      mta: 'lists.example',
      resolver: lookup as never,
      disableBimi: true,
    });
    assert.equal(atList.dmarc && atList.dmarc.status.result, 'pass');
    const rewritten = Buffer.from(
      original.toString('utf8').replace('Subject: Hello', 'Subject: [crêpiers] Hello'),
    );
    const arcHeaders = await sealMessage(rewritten, {
      signingDomain: 'lists.example',
      selector: listSelector,
      privateKey: listKey,
      authResults: atList.arc ? atList.arc.authResults! : '',
      cv: 'none',
    });
    const forwarded = Buffer.concat([arcHeaders, rewritten]);
    const input = {
      message: forwarded,
      mailFrom: 'list-bounces@lists.example',
      helo: 'mail.lists.example',
      remoteIp: '127.0.0.3',
    };

    const plain = await verifier.verify(input);
    assert.equal(plain.summary.arc.result, 'pass');
    assert.equal(plain.summary.arc.sealer, 'lists.example');
    assert.match(plain.authResultsHeader, /arc=pass/);
    assert.equal(plain.summary.dmarc?.result, 'fail');
    assert.equal(plain.verdict, 'reject');

    const trusting = createInboundVerifier({
      hostname: RECEIVER,
      resolver: lookup,
      policy: { trustedArcSealers: ['lists.example'] },
    });
    const result = await trusting.verify(input);
    assert.equal(result.verdict, 'accept');
    assert.match(result.reason ?? '', /ARC chain sealed by lists\.example passes/);
  });

  test('verify never throws: an unexpected failure is a temporary one (451 4.3.0)', async () => {
    const result = await verifier.verify({
      message: null as unknown as Buffer,
      mailFrom: 'a@b.example',
      helo: 'h',
      remoteIp: '192.0.2.1',
    });
    assert.equal(result.verdict, 'tempfail');
    assert.deepEqual(result.reply, {
      code: 451,
      enhanced: '4.3.0',
      text: 'Temporary failure checking the message; try again later',
    });
    assert.equal(result.authResultsHeader, `Authentication-Results: ${RECEIVER}; none`);
  });
});

test('a lookup that never answers ends in 451 4.4.3 once the budget is spent', async () => {
  const hanging = createInboundVerifier({
    hostname: RECEIVER,
    resolver: () => new Promise<unknown[]>(() => {}),
    timeoutMs: 50,
  });
  const result = await hanging.verify({
    message: message('x@crepes.fr'),
    mailFrom: 'x@crepes.fr',
    helo: 'mail.crepes.fr',
    remoteIp: '192.0.2.1',
  });
  assert.equal(result.verdict, 'tempfail');
  assert.deepEqual(result.reply, {
    code: 451,
    enhanced: '4.4.3',
    text: 'DNS lookups took too long; try again later',
  });
});
