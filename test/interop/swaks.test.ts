// swaks (Debian's SMTP test tool) against Posthorn's MX and submission listeners. Every check looks at what
// Posthorn stored, not only at swaks' exit status: the message must be in the recipient's INBOX with the
// sender's bytes unchanged after the trace fields (dot-stuffing, 8-bit octets, a 10 MB attachment).

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run, runOk } from '../e2e/support/child.ts';
import { startNode, type PosthornNode } from '../e2e/support/posthorn-node.ts';
import { assertTracePrefixOnly } from '../e2e/support/trace-prefix.ts';
import { skipUnlessInstalled } from './support/tools.ts';

const ALICE = { address: 'alice@crepes.fr', password: 'alice-swaks-pw' };
const BOB = { address: 'bob@crepes.fr', password: 'bob-swaks-pw' };
const CAROL = { address: 'carol@crepes.fr', password: 'carol-swaks-pw' };

/** Message text as swaks sends it from a file: swaks ends the data with CRLF itself, so the file does not. */
function messageFile(
  dir: string,
  name: string,
  lines: Array<string | Buffer>,
): { path: string; sent: Buffer } {
  const parts = lines.flatMap((line, i) => [
    i > 0 ? Buffer.from('\r\n') : Buffer.alloc(0),
    Buffer.from(line),
  ]);
  const file = Buffer.concat(parts);
  const path = join(dir, name);
  writeFileSync(path, file);
  return { path, sent: Buffer.concat([file, Buffer.from('\r\n')]) };
}

describe('swaks → Posthorn', { skip: skipUnlessInstalled('swaks') }, () => {
  let node: PosthornNode;
  let dir: string;
  let bobCount = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'posthorn-swaks-'));
    node = await startNode({
      domain: 'crepes.fr',
      hostname: 'mx.crepes.fr',
      listeners: ['smtp', 'submission'],
      accounts: {
        [ALICE.address]: ALICE.password,
        [BOB.address]: BOB.password,
        [CAROL.address]: CAROL.password,
      },
    });
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const submission = (auth: string) => [
    '--server',
    '127.0.0.1',
    '--port',
    String(node.port('submission')),
    '--tls',
    '--tls-verify',
    '--tls-ca-path',
    node.certFile,
    '--auth',
    auth,
    '--auth-user',
    ALICE.address,
    '--auth-password',
    ALICE.password,
    '--from',
    ALICE.address,
  ];

  /** The newest message in Bob's INBOX once one more has arrived. */
  async function nextForBob(): Promise<Buffer> {
    bobCount++;
    const messages = await node.waitForMessages(BOB.address, bobCount);
    return messages.at(-1)!;
  }

  test('MX: mail from another domain, no AUTH, arrives with Return-Path and Received', async () => {
    const { path, sent } = messageFile(dir, 'mx.eml', [
      'From: Someone <someone@elsewhere.example>',
      'To: bob@crepes.fr',
      'Subject: over the MX',
      '',
      '.a line that starts with a dot',
      '.',
      'end',
    ]);
    const result = await runOk('swaks', [
      '--server',
      '127.0.0.1',
      '--port',
      String(node.port('smtp')),
      '--helo',
      'client.elsewhere.example',
      '--from',
      'someone@elsewhere.example',
      '--to',
      BOB.address,
      '--data',
      `@${path}`,
    ]);
    // swaks dot-stuffed the lines; Posthorn must have removed the stuffing again.
    assert.match(result.stdout.toString(), /-> \.\.a line that starts with a dot/);
    const trace = assertTracePrefixOnly(await nextForBob(), sent, 'MX message');
    assert.equal(trace[0]!.value, 'Return-Path: <someone@elsewhere.example>');
    const received = trace.find((f) => f.name === 'received')!.value;
    assert.match(
      received,
      /^Received: from client\.elsewhere\.example \(\[127\.0\.0\.1\]\) by mx\.crepes\.fr \(Posthorn\) with ESMTP id [0-9A-Z]{12} for <bob@crepes\.fr>;/,
    );
  });

  test('MX refuses relaying for a domain that is not ours', async () => {
    const result = await run('swaks', [
      '--server',
      '127.0.0.1',
      '--port',
      String(node.port('smtp')),
      '--from',
      'someone@elsewhere.example',
      '--to',
      'victim@other.example',
    ]);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout.toString(), /<\*\* +5\d\d 5\.7\.1 /);
  });

  for (const mechanism of ['PLAIN', 'LOGIN']) {
    test(`submission with STARTTLS (certificate verified) and AUTH ${mechanism}`, async () => {
      const { path, sent } = messageFile(dir, `auth-${mechanism}.eml`, [
        'From: Alice <alice@crepes.fr>',
        'To: bob@crepes.fr',
        `Subject: submitted with AUTH ${mechanism}`,
        '',
        'Hello Bob.',
      ]);
      const result = await runOk('swaks', [
        ...submission(mechanism),
        '--to',
        BOB.address,
        '--data',
        `@${path}`,
      ]);
      const transcript = result.stdout.toString();
      assert.match(transcript, /<- {2}220 .*\n=== TLS started/);
      assert.match(transcript, new RegExp(`~> AUTH ${mechanism}`));
      assert.match(transcript, /<~ {2}235 2\.7\.0 /);
      const trace = assertTracePrefixOnly(await nextForBob(), sent, `AUTH ${mechanism} message`);
      assert.match(trace.find((f) => f.name === 'received')!.value, / with ESMTPSA \(TLSv1\.[23] /);
    });
  }

  test('submission refuses a wrong password and stores nothing', async () => {
    const args = submission('PLAIN');
    args[args.indexOf(ALICE.password)] = 'not-the-password';
    const result = await run('swaks', [...args, '--to', BOB.address]);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout.toString(), /<~\* +535 5\.7\.8 /);
    assert.equal((await node.messages(BOB.address)).length, bobCount);
  });

  test('PIPELINING: MAIL, three RCPTs and DATA in one write; every recipient gets the message', async () => {
    const { path, sent } = messageFile(dir, 'pipelined.eml', [
      'From: Alice <alice@crepes.fr>',
      'To: bob@crepes.fr, carol@crepes.fr, alice@crepes.fr',
      'Subject: pipelined',
      '',
      'To all of us.',
    ]);
    const result = await runOk('swaks', [
      ...submission('PLAIN'),
      '--pipeline',
      '--to',
      `${BOB.address},${CAROL.address},${ALICE.address}`,
      '--data',
      `@${path}`,
    ]);
    // Commands first, then the replies: what pipelining looks like in swaks' transcript.
    assert.match(
      result.stdout.toString(),
      / ~> MAIL FROM:<alice@crepes\.fr>\n ~> RCPT TO:<bob@crepes\.fr>\n ~> RCPT TO:<carol@crepes\.fr>\n ~> RCPT TO:<alice@crepes\.fr>\n ~> DATA\n<~ {2}250 .*\n<~ {2}250 .*\n<~ {2}250 .*\n<~ {2}250 .*\n<~ {2}354 /,
    );
    assertTracePrefixOnly(await nextForBob(), sent, 'pipelined, Bob');
    assertTracePrefixOnly((await node.waitForMessages(CAROL.address, 1)).at(-1)!, sent, 'pipelined, Carol');
    assertTracePrefixOnly((await node.waitForMessages(ALICE.address, 1)).at(-1)!, sent, 'pipelined, Alice');
  });

  test('8-bit body: UTF-8 and Latin-1 octets arrive unchanged', async () => {
    const { path, sent } = messageFile(dir, '8bit.eml', [
      'From: Alice <alice@crepes.fr>',
      'To: bob@crepes.fr',
      'Subject: 8-bit',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Crêpes, galettes, cidre: ça, c’est la Bretagne. 日本語も。',
      Buffer.from([0x4c, 0x61, 0x74, 0x69, 0x6e, 0x2d, 0x31, 0x3a, 0x20, 0xe9, 0xe8, 0xff, 0xa0]),
    ]);
    await runOk('swaks', [...submission('PLAIN'), '--to', BOB.address, '--data', `@${path}`]);
    assertTracePrefixOnly(await nextForBob(), sent, '8-bit message');
  });

  test('a 10 MB attachment arrives intact (decoded attachment has the same SHA-256)', async () => {
    const attachment = randomBytes(10 * 1024 * 1024);
    const file = join(dir, 'big.bin');
    writeFileSync(file, attachment);
    await runOk('swaks', [
      ...submission('PLAIN'),
      '--to',
      BOB.address,
      '--header',
      'Subject: ten megabytes',
      '--attach-type',
      'application/octet-stream',
      '--attach',
      `@${file}`,
      '--suppress-data',
    ]);
    const delivered = await nextForBob();
    assert.ok(delivered.length > 13 * 1024 * 1024, `size ${delivered.length}`);
    // Python's email package decodes the attachment independently of our MIME parser.
    const decoded = await runOk(
      'python3',
      [
        '-c',
        'import email, email.policy, hashlib, sys\n' +
          'm = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)\n' +
          'for part in m.iter_attachments(): print(part.get_filename(), hashlib.sha256(part.get_content()).hexdigest())',
      ],
      { input: delivered },
    );
    const expected = createHash('sha256').update(attachment).digest('hex');
    assert.equal(decoded.stdout.toString(), `big.bin ${expected}\n`);
  });
});
