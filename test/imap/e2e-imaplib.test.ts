// Python's imaplib, an independent client, against a running server: login, list, create, select, append,
// search, fetch, store, copy, move, status, expunge, IDLE (sees a delivery at once), implicit TLS, STARTTLS.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { startTestImapServer } from '../support/imap-server.ts';

test('imaplib drives a whole session, IDLE included', async () => {
  const server = await startTestImapServer();
  try {
    await server.deliver('INBOX', 'From: carol@example.org\nSubject: first\n\nfirst message\n');
    const child = spawn('python3', [
      join(import.meta.dirname, 'imaplib-client.py'),
      '127.0.0.1',
      String(server.imapPort),
      String(server.imapsPort),
      server.user,
      server.password,
    ]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let result: Record<string, unknown> | null = null;
    for await (const line of createInterface({ input: child.stdout })) {
      if (line === 'IDLING')
        await server.deliver('INBOX', 'From: dave@example.org\nSubject: while idle\n\nnew\n');
      else if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
    }
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.on('exit', resolve);
    });
    assert.equal(code, 0, stderr);
    assert.ok(result, stderr);
    const r = result as Record<string, unknown>;
    assert.ok((r.greeting_caps as string[]).includes('IMAP4REV1'));
    assert.ok((r.list as string[]).some((l) => l.includes('"/" INBOX')));
    assert.equal(r.initial_count, 1);
    assert.match(r.append_resp as string, /^\[APPENDUID \d+ 2\] APPEND completed$/);
    assert.equal(r.search_all, '1 2');
    assert.equal(r.search_subject, '2');
    assert.equal(r.search_flagged, '2');
    assert.deepEqual(r.fetch_flags, [
      '1 (UID 1 FLAGS () RFC822.SIZE 58)',
      '2 (UID 2 FLAGS (\\Flagged) RFC822.SIZE 92)',
    ]);
    assert.equal(r.body_ok, true);
    assert.equal(r.header, 'Subject: imaplib test\r\n\r\n');
    assert.equal(r.flags_after_store, '2 (FLAGS (\\Flagged \\Seen $Work))');
    assert.equal(r.after_move_count, '1');
    assert.match(r.status as string, /^"?Work\/Projects"? \(MESSAGES 1 UIDNEXT 2 UNSEEN 0\)$/);
    // imaplib returns every EXPUNGE seen since the last call: the MOVE's (seq 2), then EXPUNGE's own (seq 1).
    assert.deepEqual(r.expunge, ['2', '1']);
    assert.equal(r.idle_line, '* 1 EXISTS');
    assert.match(r.idle_done as string, / OK IDLE terminated$/);
    assert.equal(r.imaps_select, 1);
    assert.ok((r.starttls_caps as string[]).includes('AUTH=PLAIN'));
  } finally {
    await server.close();
  }
});
