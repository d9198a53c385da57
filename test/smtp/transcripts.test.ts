// Runs every test/transcripts/smtp/*.txt against an in-memory SMTP session with a fresh store.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SmtpFixture } from './support/fixture.ts';
import { runTranscript } from './support/run-transcript.ts';
import { parseTranscript } from './support/transcript.ts';

const dir = join(import.meta.dirname, '..', 'transcripts', 'smtp');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();

describe('SMTP transcripts', () => {
  for (const file of files) {
    test(file, async () => {
      const transcript = parseTranscript(join(dir, file));
      const fixture = await SmtpFixture.create();
      try {
        await runTranscript(transcript, fixture, `test/transcripts/smtp/${file}`);
      } finally {
        await fixture.close();
      }
    });
  }
});
