// 4. IMAP, Posthorn against Dovecot with the same messages (same UIDs and flags) in both:
//    SELECT of a 100,000-message INBOX; FETCH 1:* (FLAGS); UID FETCH 1:* (ENVELOPE BODYSTRUCTURE);
//    FETCH 1:* BODY[] over 10,000 messages in MB/s; SEARCH SUBJECT and SEARCH BODY over 10,000 messages;
//    APPEND rate (one client, each APPEND durable before its OK); 20 concurrent clients on a mixed workload.
// Every command runs once unmeasured first (Dovecot builds its index and cache on first use, Posthorn's
// JIT warms up); the table shows the warm figures, results.json keeps the cold ones too. The two servers
// take turns going first. SEARCH answers are checked against the corpus's known hit counts.

import type { BenchContext } from '../lib/context.ts';
import { pick } from '../lib/context.ts';
import { BODY_WORD, corpusMessage, expectedHits, SUBJECT_WORD } from '../lib/corpus.ts';
import {
  DOVECOT_PASSWORD,
  DOVECOT_USER,
  maildirWriter,
  prepareDovecot,
  startDovecot,
  type RunningDovecot,
} from '../lib/dovecot.ts';
import { ImapClient } from '../lib/imap-client.ts';
import { loadMailboxes } from '../lib/load-mailboxes.ts';
import {
  addAccount,
  openPosthornStore,
  PASSWORD,
  preparePosthorn,
  startPosthorn,
  type RunningPosthorn,
} from '../lib/posthorn.ts';
import { CpuMeter } from '../lib/proc.ts';
import { median, row } from '../lib/report.ts';
import { mixedWorkload } from './imap-mixed.ts';

const S = 'IMAP';

interface Side {
  name: 'posthorn' | 'dovecot';
  port: number;
  pid: number;
  user: string;
  password: string;
  client: ImapClient;
}

export async function imapSection(ctx: BenchContext): Promise<void> {
  const inboxCount = pick(ctx, 100_000, 5_000);
  const searchCount = pick(ctx, 10_000, 2_000);
  const mixFolders = 20;
  const mixCount = pick(ctx, 1000, 200);

  const instance = await preparePosthorn(ctx.tmp, {
    name: 'imap',
    hostname: 'imap.bench.test',
    listeners: ['imap'],
  });
  const dovecotInstance = prepareDovecot(ctx.tmp, 'dovecot-imap');
  const store = openPosthornStore(instance);
  const accountId = await addAccount(store, 'bob@bench.test');
  const plan = [
    { name: 'INBOX', count: inboxCount },
    { name: 'Search', count: searchCount },
    ...Array.from({ length: mixFolders }, (_, k) => ({
      name: `Mix${String(k + 1).padStart(2, '0')}`,
      count: mixCount,
    })),
  ];
  const t0 = performance.now();
  let lastSaid = 0;
  const loaded = await loadMailboxes(store, accountId, dovecotInstance, plan, {}, (done, total) => {
    if (performance.now() - lastSaid > 15_000) {
      lastSaid = performance.now();
      ctx.say(`imap: loading ${done}/${total} messages into both`);
    }
  });
  await store.mail.createMailbox(accountId, 'Append');
  maildirWriter(dovecotInstance, 'Append').finish();
  await store.close();
  ctx.say(
    `imap: loaded ${inboxCount} + ${searchCount} + ${mixFolders}×${mixCount} messages ` +
      `(${(loaded.bytes / 1048576).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );

  let posthorn: RunningPosthorn | null = null;
  let dovecot: RunningDovecot | null = null;
  const sides: Side[] = [];
  const raw: Record<string, unknown> = {
    inboxCount,
    searchCount,
    mixFolders,
    mixCount,
    corpusBytes: loaded.bytes,
  };
  try {
    posthorn = await startPosthorn(instance, {
      profileDir: ctx.profileDir ? `${ctx.profileDir}/imap` : undefined,
    });
    dovecot = await startDovecot(dovecotInstance);
    for (const [name, port, pid, user, password] of [
      ['posthorn', posthorn.ports.imap!, posthorn.pid, 'bob@bench.test', PASSWORD],
      ['dovecot', dovecot.imapPort, dovecot.pid, DOVECOT_USER, DOVECOT_PASSWORD],
    ] as const) {
      const client = await ImapClient.connect(port);
      await client.login(user, password);
      sides.push({ name, port, pid, user, password, client });
    }

    let turn = 0;
    /** Runs `op` on both sides: `warm` unmeasured runs, then `runs` measured; returns median ms per side. */
    const both = async (
      label: string,
      op: (side: Side) => Promise<{ ms: number; check?: number; bytes?: number }>,
      runs: number,
    ): Promise<
      Record<string, { cold: number; ms: number; runs: number[]; check?: number; bytes?: number }>
    > => {
      ctx.say(`imap: ${label}`);
      const out: Record<
        string,
        { cold: number; ms: number; runs: number[]; check?: number; bytes?: number }
      > = {};
      const order = turn++ % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const cold = await op(side);
        const times: number[] = [];
        let last = cold;
        for (let i = 0; i < runs; i++) {
          last = await op(side);
          times.push(last.ms);
        }
        out[side.name] = {
          cold: cold.ms,
          ms: median(times)!,
          runs: times,
          check: last.check,
          bytes: last.bytes,
        };
      }
      raw[label] = out;
      return out;
    };
    const timed = (command: string, select?: string) => async (side: Side) => {
      if (select) await side.client.command(`SELECT ${select}`);
      const r = await side.client.command(command, { keep: command.includes('SEARCH') });
      const hits = r.lines.find((l) => l.startsWith('* SEARCH'));
      return {
        ms: r.ms,
        check: hits === undefined ? r.untagged : hits.split(' ').length - 2,
        bytes: r.literalBytes,
      };
    };

    const select = await both('SELECT INBOX', timed('SELECT INBOX'), 3);
    ctx.rows.push(
      row(
        S,
        `SELECT ${inboxCount.toLocaleString('en-US')} messages`,
        'ms',
        'lower',
        select.posthorn!.ms,
        select.dovecot!.ms,
        'Dovecot',
        {
          target: '< 100 ms',
          met: select.posthorn!.ms < 100,
        },
      ),
    );
    const flags = await both('FETCH 1:* (FLAGS)', timed('FETCH 1:* (FLAGS)', 'INBOX'), 3);
    ctx.rows.push(
      row(
        S,
        `FETCH 1:* (FLAGS), ${inboxCount.toLocaleString('en-US')}`,
        'ms',
        'lower',
        flags.posthorn!.ms,
        flags.dovecot!.ms,
        'Dovecot',
        {
          target: '≥ 1.0×',
          ratioTarget: 1,
        },
      ),
    );
    const env = await both(
      'UID FETCH 1:* (ENVELOPE BODYSTRUCTURE)',
      timed('UID FETCH 1:* (ENVELOPE BODYSTRUCTURE)', 'INBOX'),
      1,
    );
    ctx.rows.push(
      row(
        S,
        `UID FETCH 1:* (ENVELOPE BODYSTRUCTURE), ${inboxCount.toLocaleString('en-US')}`,
        'ms',
        'lower',
        env.posthorn!.ms,
        env.dovecot!.ms,
        'Dovecot',
      ),
    );
    const body = await both('FETCH 1:* BODY[]', timed('FETCH 1:* BODY[]', 'Search'), 1);
    const mbs = (r: { ms: number; bytes?: number }) => (r.bytes ?? 0) / 1048576 / (r.ms / 1000);
    ctx.rows.push(
      row(
        S,
        `FETCH 1:* BODY[], ${searchCount.toLocaleString('en-US')} messages`,
        'MB/s',
        'higher',
        mbs(body.posthorn!),
        mbs(body.dovecot!),
        'Dovecot',
      ),
    );
    const expected = expectedHits(searchCount);
    const subject = await both('SEARCH SUBJECT', timed(`SEARCH SUBJECT ${SUBJECT_WORD}`, 'Search'), 3);
    const bodySearch = await both('SEARCH BODY', timed(`SEARCH BODY ${BODY_WORD}`, 'Search'), 3);
    for (const [label, result, want] of [
      ['SEARCH SUBJECT', subject, expected.subject],
      ['SEARCH BODY', bodySearch, expected.body],
    ] as const) {
      const wrong = Object.entries(result)
        .filter(([, r]) => r.check !== want)
        .map(([name, r]) => `${name} found ${r.check}`);
      const note = wrong.length > 0 ? `expected ${want} hits; ${wrong.join(', ')}` : undefined;
      if (note) ctx.notes.push(`${label}: ${note}`);
      ctx.rows.push(
        row(
          S,
          `${label}, ${searchCount.toLocaleString('en-US')} messages`,
          'ms',
          'lower',
          result.posthorn!.ms,
          result.dovecot!.ms,
          'Dovecot',
          { note },
        ),
      );
    }

    // APPEND: one client, sequential, each message durable before its OK; rounds alternate who goes first.
    const appendMax = pick(ctx, 1000, 100);
    const appendSeconds = pick(ctx, 4, 3);
    const appendRounds = pick(ctx, 2, 1);
    const appendRates: Record<
      string,
      { messages: number; seconds: number; rate: number; cpuPer1000: number }
    > = {};
    for (const side of sides) {
      await side.client.command('SELECT Append');
      await side.client.append('Append', corpusMessage(1_000_000)); // warm-up
      appendRates[side.name] = { messages: 0, seconds: 0, rate: 0, cpuPer1000: 0 };
    }
    let appended = 0;
    for (let round = 0; round < appendRounds; round++) {
      for (const side of turn++ % 2 === 0 ? sides : [...sides].reverse()) {
        ctx.say(`imap: APPEND (${side.name}, round ${round + 1})`);
        const meter = new CpuMeter([side.pid]);
        const started = performance.now();
        let n = 0;
        while (n < appendMax && performance.now() - started < appendSeconds * 1000) {
          await side.client.append('Append', corpusMessage(2_000_000 + appended + n), ['\\Seen']);
          n++;
        }
        appended += n;
        const { cpu, wall } = meter.read();
        const r = appendRates[side.name]!;
        r.cpuPer1000 = (r.cpuPer1000 * r.messages + cpu[0]! * 1000) / (r.messages + n);
        r.messages += n;
        r.seconds += wall;
        r.rate = r.messages / r.seconds;
      }
    }
    raw.append = appendRates;
    const rate = (name: string) => appendRates[name]!.rate;
    ctx.rows.push(
      row(S, 'APPEND, 1 client', 'msg/s', 'higher', rate('posthorn'), rate('dovecot'), 'Dovecot'),
    );

    for (const side of sides) await side.client.logout();
    sides.length = 0;

    const mixed = await mixedWorkload(
      ctx,
      [
        {
          name: 'posthorn',
          port: posthorn.ports.imap!,
          pid: posthorn.pid,
          user: 'bob@bench.test',
          password: PASSWORD,
        },
        {
          name: 'dovecot',
          port: dovecot.imapPort,
          pid: dovecot.pid,
          user: DOVECOT_USER,
          password: DOVECOT_PASSWORD,
        },
      ],
      {
        clients: 20,
        folders: mixFolders,
        messages: mixCount,
        seconds: pick(ctx, 10, 4),
        rounds: pick(ctx, 2, 1),
      },
    );
    raw.mixed = mixed;
    ctx.rows.push(
      row(
        S,
        '20 clients, mixed workload',
        'ops/s',
        'higher',
        mixed.posthorn!.opsPerSecond,
        mixed.dovecot!.opsPerSecond,
        'Dovecot',
        {
          target: '≥ 1.0×',
          ratioTarget: 1,
        },
      ),
    );
  } finally {
    for (const side of sides) side.client.destroy();
    await posthorn?.stop();
    await dovecot?.stop();
  }
  ctx.raw.imap = raw;
}
