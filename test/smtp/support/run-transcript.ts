// Runs one transcript against an in-memory SmtpSession (see transcript.ts for the format).

import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { StorageUnavailable } from '../../../src/storage/ports.ts';
import type { SessionLimits } from '../../../src/smtp/server/limits.ts';
import type { SmtpFixture } from './fixture.ts';
import { LineReader } from './line-reader.ts';
import { matches, type Transcript } from './transcript.ts';

export async function runTranscript(t: Transcript, fixture: SmtpFixture, file: string): Promise<void> {
  const tcp = t.steps.some((s) => s.kind === 'tls');
  const conn = await fixture.connect(t.role, t.limits as Partial<SessionLimits>, { tcp });
  let client: Duplex = conn.client;
  let reader = new LineReader(client);
  let closed = false;
  let lastQueueId: string | null = null;
  const where = (line: number) => `${file}:${line}`;

  for (const step of t.steps) {
    switch (step.kind) {
      case 'send':
        client.write(step.data);
        break;
      case 'expect': {
        const got = await reader.next();
        assert.ok(got !== null, `${where(step.line)}: expected "${step.pattern}", connection closed`);
        assert.ok(
          matches(step.pattern, got),
          `${where(step.line)}: expected "${step.pattern}"\n got "${got}"\n all received:\n${reader.received.join('\n')}`,
        );
        lastQueueId = /queued as (\S+)/.exec(got)?.[1] ?? lastQueueId;
        break;
      }
      case 'tls': {
        reader.detach();
        const secure = tls.connect({ socket: client, rejectUnauthorized: false });
        await new Promise<void>((resolve, reject) =>
          secure.once('secureConnect', resolve).once('error', reject),
        );
        client = secure;
        reader = new LineReader(client);
        break;
      }
      case 'close':
        client.end();
        break;
      case 'closed': {
        const got = await reader.next();
        assert.equal(got, null, `${where(step.line)}: expected the server to close; got "${got}"`);
        closed = true;
        break;
      }
      case 'queued': {
        const entries = await fixture.store.queue.list();
        assert.equal(entries.length, step.count, `${where(step.line)}: queue entries`);
        break;
      }
      case 'inbox': {
        const messages = await fixture.inbox(step.address);
        assert.equal(messages.length, step.count, `${where(step.line)}: messages in ${step.address} INBOX`);
        break;
      }
      case 'inbox-contains': {
        const messages = await fixture.inbox(step.address);
        const newest = messages[messages.length - 1];
        assert.ok(newest, `${where(step.line)}: ${step.address} INBOX is empty`);
        const text = newest.bytes.toString('utf8');
        const wanted = step.text.replaceAll('{queue-id}', lastQueueId ?? '(no "queued as" reply yet)');
        assert.ok(
          text.includes(wanted),
          `${where(step.line)}: message lacks ${JSON.stringify(wanted)}:\n${text}`,
        );
        break;
      }
      case 'directory-fails':
        fixture.directory.failing = new StorageUnavailable('database is locked');
        break;
    }
  }
  if (!closed) {
    client.end();
    const extra = await reader.next(2000);
    assert.equal(extra, null, `${file}: unexpected output after the last expected line: "${extra}"`);
  }
  await conn.done;
}
