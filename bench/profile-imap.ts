// Where Posthorn's time goes, one IMAP command at a time: loads a mailbox of COUNT corpus messages (and the
// 10,000-message "Search" folder), then for each command starts Posthorn under node --cpu-prof, runs the
// command REPEAT times, stops the server and prints the profile summary (bench/lib/profile-summary.ts).
// A tool for finding the cause behind a figure of `npm run bench`, not part of it.
//
//   node bench/profile-imap.ts [COUNT=20000] [REPEAT=5]

import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BODY_WORD, SUBJECT_WORD } from './lib/corpus.ts';
import { ImapClient } from './lib/imap-client.ts';
import { loadMailboxes } from './lib/load-mailboxes.ts';
import { addAccount, openPosthornStore, PASSWORD, preparePosthorn, startPosthorn } from './lib/posthorn.ts';
import { cleanupAll } from './lib/processes.ts';
import { summariseProfile } from './lib/profile-summary.ts';
import { readdirSync } from 'node:fs';

const count = Number(process.argv[2] ?? 20_000);
const repeat = Number(process.argv[3] ?? 5);
const searchCount = Math.min(10_000, count);

const COMMANDS: Array<{ label: string; select: string; command: string }> = [
  { label: 'SELECT', select: '', command: 'SELECT INBOX' },
  { label: 'FETCH 1:* (FLAGS)', select: 'INBOX', command: 'FETCH 1:* (FLAGS)' },
  {
    label: 'UID FETCH 1:* (ENVELOPE BODYSTRUCTURE)',
    select: 'INBOX',
    command: 'UID FETCH 1:* (ENVELOPE BODYSTRUCTURE)',
  },
  { label: 'FETCH 1:* BODY[]', select: 'Search', command: 'FETCH 1:* BODY[]' },
  { label: 'SEARCH SUBJECT', select: 'Search', command: `SEARCH SUBJECT ${SUBJECT_WORD}` },
  { label: 'SEARCH BODY', select: 'Search', command: `SEARCH BODY ${BODY_WORD}` },
  { label: 'SEARCH UNSEEN', select: 'INBOX', command: 'SEARCH UNSEEN' },
];

const tmp = mkdtempSync(join(tmpdir(), 'posthorn-profile-'));
chmodSync(tmp, 0o755);
try {
  const instance = await preparePosthorn(tmp, {
    name: 'imap',
    hostname: 'imap.bench.test',
    listeners: ['imap'],
  });
  const store = openPosthornStore(instance);
  const accountId = await addAccount(store, 'bob@bench.test');
  await loadMailboxes(store, accountId, null, [
    { name: 'INBOX', count },
    { name: 'Search', count: searchCount },
  ]);
  await store.close();
  const only = process.env.PROFILE_ONLY;
  for (const c of COMMANDS) {
    if (only && !c.label.includes(only)) continue;
    const dir = join(tmp, 'prof', c.label.replace(/\W+/g, '-'));
    mkdirSync(dir, { recursive: true });
    const server = await startPosthorn(instance, { profileDir: dir });
    const client = await ImapClient.connect(server.ports.imap!);
    await client.login('bob@bench.test', PASSWORD);
    const times: number[] = [];
    for (let i = 0; i < repeat + 1; i++) {
      if (c.select) await client.command(`SELECT ${c.select}`);
      const r = await client.command(c.command);
      if (i > 0) times.push(r.ms);
    }
    await client.logout();
    await server.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    const f = summariseProfile(join(dir, file), 14);
    process.stdout.write(
      `\n== ${c.label} (${count} messages): ${times.map((t) => t.toFixed(0)).join(', ')} ms; ` +
        `server ${(f.totalMs / 1000).toFixed(1)} s on CPU over ${repeat + 1} runs (with SELECTs, login, start)\n`,
    );
    process.stdout.write('  self:\n');
    for (const s of f.self) process.stdout.write(`    ${s.pct.toFixed(1).padStart(5)} %  ${s.fn}\n`);
    process.stdout.write('  inclusive (Posthorn functions):\n');
    for (const s of f.inclusive) process.stdout.write(`    ${s.pct.toFixed(1).padStart(5)} %  ${s.fn}\n`);
  }
} finally {
  await cleanupAll();
  rmSync(tmp, { recursive: true, force: true });
}
