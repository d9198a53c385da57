// Runs every test/transcripts/imap/*.txt conversation against an in-memory server (real SQLite store).
//
// Format, one directive per line:
//   # comment                      ignored
//   ! deliver MAILBOX [FLAGS...]   appends the message in the following L: lines straight through the store
//   ! config imap.KEY=VALUE        (before the first C:) sets an [imap] option for this transcript
//   ! loopback false               (before the first C:) sessions come from a non-loopback listener
//   C: text    client line (CRLF added); "{#}" / "{#+}" become the size of the next L: block
//   L: text    literal data: consecutive L: lines are joined with CRLF, without a final CRLF, so the next C:
//              line continues the command line right after the literal ("C:" alone ends it)
//   S: text    expected server line; "*" matches any text, except a leading "* " and "\*" which are literal
//   $UIDVALIDITY in a C: line is the value from the last [UIDVALIDITY n] / UIDVALIDITY n the session saw
//   C2: / S2:  the same for a second session (any digit); each session's greeting is checked and skipped
// After the last line every session's input is closed and no further output may arrive.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startHarness, type ImapClientConnection, type ImapHarness } from '../support/imap-harness.ts';

const DIR = join(import.meta.dirname, '../transcripts/imap');

interface Line {
  kind: 'C' | 'S' | 'L' | '!';
  session: number;
  text: string;
  lineNo: number;
}

function parseTranscript(source: string): Line[] {
  const out: Line[] = [];
  source.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    if (line.startsWith('!')) {
      out.push({ kind: '!', session: 1, text: line.slice(1).trim(), lineNo: i + 1 });
      return;
    }
    const m = /^([CSL])(\d?):(?: (.*))?$/.exec(line);
    if (!m) throw new Error(`line ${i + 1}: cannot read ${JSON.stringify(line)}`);
    out.push({
      kind: m[1] as 'C' | 'S' | 'L',
      session: Number(m[2] || '1'),
      text: m[3] ?? '',
      lineNo: i + 1,
    });
  });
  return out;
}

export function lineMatcher(expected: string): RegExp {
  let source = '^';
  let i = 0;
  if (expected.startsWith('* ')) {
    source += '\\* ';
    i = 2;
  }
  for (; i < expected.length; i++) {
    const ch = expected[i]!;
    if (ch === '\\' && expected[i + 1] === '*') {
      source += '\\\\\\*';
      i++;
    } else if (ch === '*') source += '.*?';
    else source += ch.replace(/[\\^$.|?+()[\]{}]/g, '\\$&');
  }
  return new RegExp(source + '$', 's');
}

async function runTranscript(file: string): Promise<void> {
  const lines = parseTranscript(readFileSync(join(DIR, file), 'utf8'));
  const imapOptions: Record<string, unknown> = {};
  let loopback = true;
  for (const line of lines) {
    if (line.kind !== '!') break;
    const [word, ...rest] = line.text.split(/\s+/);
    if (word === 'config') {
      for (const assignment of rest) {
        const [key, value] = assignment.split('=') as [string, string];
        imapOptions[key.replace(/^imap\./, '')] =
          value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value;
      }
    }
    if (word === 'loopback') loopback = rest[0] !== 'false';
  }
  const h = await startHarness({ config: { imap: imapOptions } });
  const sessions = new Map<number, ImapClientConnection>();
  const uidValidity = new Map<number, string>();
  const sessionFor = async (n: number) => {
    let s = sessions.get(n);
    if (!s) {
      s = h.connect({ loopback });
      const greeting = await s.lines.next();
      assert.match(greeting ?? '', /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 [^\]]*\] /, 'greeting');
      sessions.set(n, s);
    }
    return s;
  };
  try {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const where = `${file}:${line.lineNo}`;
      if (line.kind === '!') {
        await directive(h, line, lines, i);
        while (lines[i + 1]?.kind === 'L' && line.text.startsWith('deliver')) i++;
      } else if (line.kind === 'C') {
        const s = await sessionFor(line.session);
        let text = line.text.replace('$UIDVALIDITY', uidValidity.get(line.session) ?? '$UIDVALIDITY');
        if (/\{#\+?\}/.test(text)) {
          const size = Buffer.byteLength(literalBlock(lines, i).join('\r\n'));
          text = text.replace(/\{#(\+?)\}/, `{${size}$1}`);
        }
        s.send(text + '\r\n');
      } else if (line.kind === 'L') {
        const block = [line.text];
        while (lines[i + 1]?.kind === 'L' && lines[i + 1]!.session === line.session)
          block.push(lines[++i]!.text);
        (await sessionFor(line.session)).send(block.join('\r\n'));
      } else {
        const s = await sessionFor(line.session);
        const got = await s.lines.next().catch((error: Error) => `<${error.message}>`);
        const validity = /UIDVALIDITY (\d+)/.exec(got ?? '');
        if (validity) uidValidity.set(line.session, validity[1]!);
        assert.match(got ?? '<end of stream>', lineMatcher(line.text), `${where}: expected ${line.text}`);
      }
    }
    for (const [n, s] of sessions) {
      s.stream.end();
      const rest: string[] = [];
      for (let l = await s.lines.next(); l !== null; l = await s.lines.next()) rest.push(l);
      assert.deepEqual(rest, [], `${file}: unexpected output at the end of session ${n}`);
      await s.done;
    }
  } finally {
    await h.close();
  }
}

function literalBlock(lines: Line[], from: number): string[] {
  let i = from + 1;
  while (i < lines.length && lines[i]!.kind !== 'L') i++;
  const block: string[] = [];
  while (i < lines.length && lines[i]!.kind === 'L') block.push(lines[i++]!.text);
  return block;
}

async function directive(h: ImapHarness, line: Line, lines: Line[], index: number): Promise<void> {
  const [word, ...args] = line.text.split(/\s+/);
  if (word === 'deliver') {
    const [mailbox, ...flags] = args;
    const message = literalBlock(lines, index).join('\r\n') + '\r\n';
    await h.deliver(mailbox!, message, flags, new Date('2026-01-15T10:00:00Z'));
  } else if (word !== 'config' && word !== 'loopback') {
    throw new Error(`line ${line.lineNo}: unknown directive ${word}`);
  }
}

describe('IMAP transcripts', () => {
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    test(file, () => runTranscript(file));
  }
});
