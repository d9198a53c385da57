// Python's smtplib and imaplib (the standard library's mail clients) against Posthorn: submission with
// STARTTLS and with implicit TLS (one message with SMTPUTF8), then an IMAPS session that lists, creates,
// selects, searches, fetches, stores, copies and expunges. Asserts on what Python was told and on what the
// server's store holds afterwards.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runOk } from '../e2e/support/child.ts';
import { startNode, type PosthornNode } from '../e2e/support/posthorn-node.ts';
import { assertTracePrefixOnly } from '../e2e/support/trace-prefix.ts';
import { skipUnlessInstalled } from './support/tools.ts';

const ALICE = { address: 'alice@crepes.fr', password: 'alice-python-pw' };

interface SessionOutput {
  smtp_features: string[];
  refused_1: object;
  refused_2: object;
  refused_3: object;
  sent: string[];
  capabilities: string[];
  select_exists: number;
  list_before: string[];
  create: string[];
  list_after: string[];
  search_subject: string[];
  search_unseen: string[];
  search_body: string[];
  fetch_headers: Array<[string, string]>;
  fetch_body_1: string;
  fetch_body_3: string;
  flags_after_body_fetch: string[];
  store_flagged: string[];
  copy: string[];
  store_deleted: Array<string | null>;
  expunge: string[];
  uid_search_all: string[];
  status_projects: string[];
  select_projects: string[];
  projects_flags: string[];
}

describe('Python smtplib and imaplib → Posthorn', { skip: skipUnlessInstalled('python3') }, () => {
  let node: PosthornNode;
  let out: SessionOutput;

  before(async () => {
    node = await startNode({
      domain: 'crepes.fr',
      hostname: 'mx.crepes.fr',
      listeners: ['submission', 'submissions', 'imaps'],
      accounts: { [ALICE.address]: ALICE.password },
    });
    const result = await runOk('python3', [
      join(import.meta.dirname, 'py', 'python-session.py'),
      String(node.port('submission')),
      String(node.port('submissions')),
      String(node.port('imaps')),
      node.certFile,
      ALICE.address,
      ALICE.password,
    ]);
    out = JSON.parse(result.stdout.toString()) as SessionOutput;
  });
  after(async () => {
    await node?.stop();
  });

  test('smtplib: STARTTLS and implicit TLS submission, every recipient accepted', () => {
    for (const feature of ['auth', 'pipelining', '8bitmime', 'smtputf8', 'size', 'enhancedstatuscodes']) {
      assert.ok(out.smtp_features.includes(feature), `EHLO after STARTTLS offers ${feature}`);
    }
    assert.ok(!out.smtp_features.includes('starttls'), 'no STARTTLS once TLS is on (RFC 3207 §4.2)');
    assert.deepEqual([out.refused_1, out.refused_2, out.refused_3], [{}, {}, {}]);
  });

  test('imaplib: capabilities, LIST with special-use mailboxes, CREATE', () => {
    assert.ok(out.capabilities.includes('IMAP4REV2'));
    assert.ok(out.capabilities.includes('AUTH=PLAIN'));
    assert.ok(out.list_before.includes('(\\HasNoChildren) "/" INBOX'));
    assert.ok(out.list_before.includes('(\\HasNoChildren \\Sent) "/" Sent'));
    assert.ok(!out.list_before.some((l) => l.endsWith(' Projects')));
    assert.ok(out.list_after.includes('(\\HasNoChildren) "/" Projects'));
  });

  test('imaplib: SELECT and SEARCH see the three messages', () => {
    assert.equal(out.select_exists, 3);
    assert.deepEqual(out.search_subject, ['2']);
    assert.deepEqual(out.search_unseen, ['1 2 3']);
    assert.deepEqual(out.search_body, ['1']);
  });

  test('imaplib: FETCH returns the stored bytes; the UTF-8 subject and 8-bit body are intact', () => {
    const sent = out.sent.map((b) => Buffer.from(b, 'base64'));
    assert.deepEqual(
      out.fetch_headers.map(([, header]) => header),
      [
        'Subject: first message\r\n\r\n',
        'Subject: second message\r\n\r\n',
        'Subject: troisième message\r\n\r\n',
      ],
    );
    const body1 = Buffer.from(out.fetch_body_1, 'base64');
    const body3 = Buffer.from(out.fetch_body_3, 'base64');
    assertTracePrefixOnly(body1, sent[0]!, 'message 1');
    const trace3 = assertTracePrefixOnly(body3, sent[2]!, 'message 3');
    // SMTPUTF8 over implicit TLS with AUTH: RFC 6531 §3.7.3's protocol name.
    assert.match(trace3.find((f) => f.name === 'received')!.value, / with UTF8SMTPSA /);
    const sizes = out.fetch_headers.map(([line]) => Number(/RFC822\.SIZE (\d+)/.exec(line)?.[1]));
    assert.equal(sizes[0], body1.length);
    assert.equal(sizes[2], body3.length);
    assert.deepEqual(out.flags_after_body_fetch, ['1 (FLAGS (\\Seen))'], 'BODY[] sets \\Seen');
  });

  test('imaplib: STORE, COPY and EXPUNGE change what the server stores', async () => {
    assert.match(out.store_flagged[0]!, /^2 \((UID 2 )?FLAGS \(\\Flagged \$Important\)\)$/);
    const projects = (await node.mailbox(ALICE.address, 'Projects'))!;
    assert.deepEqual(out.copy, [`[COPYUID ${projects.uidValidity} 2 1] COPY completed`]);
    assert.deepEqual(out.expunge, ['3']);
    assert.deepEqual(out.uid_search_all, ['1 2']);
    assert.deepEqual(out.status_projects, ['Projects (MESSAGES 1 UNSEEN 1)']);
    assert.deepEqual(out.projects_flags, ['1 (FLAGS (\\Flagged $Important))']);

    const inbox = (await node.mailbox(ALICE.address, 'INBOX'))!;
    assert.deepEqual(
      inbox.messages.map((m) => [m.uid, [...m.flags].sort()]),
      [
        [1, ['\\Seen']],
        [2, ['$Important', '\\Flagged']],
      ],
    );
    assert.equal(projects.messages.length, 1);
    assert.ok(projects.messages[0]!.bytes.equals(inbox.messages[1]!.bytes), 'COPY keeps the bytes');
    assert.deepEqual([...projects.messages[0]!.flags].sort(), ['$Important', '\\Flagged']);
  });
});
