// 6. Scale (`npm run bench -- --scale`, long): how SELECT, FETCH 1:* (FLAGS) and SEARCH grow with the size of
//    one mailbox: 1,000, 100,000 and 1,000,000 small messages (0.3-0.8 KB), the same in Posthorn and Dovecot.
//    Each command runs once unmeasured, then measured (median of 3 below 1,000,000 messages, 1 run above).
//    SEARCH SUBJECT reads every message's subject; SEARCH UNSEEN only flags.

import type { BenchContext } from '../lib/context.ts';
import { pick } from '../lib/context.ts';
import { expectedHits, SUBJECT_WORD } from '../lib/corpus.ts';
import { DOVECOT_PASSWORD, DOVECOT_USER, prepareDovecot, startDovecot } from '../lib/dovecot.ts';
import { ImapClient } from '../lib/imap-client.ts';
import { loadMailboxes } from '../lib/load-mailboxes.ts';
import { addAccount, openPosthornStore, PASSWORD, preparePosthorn, startPosthorn } from '../lib/posthorn.ts';
import { onCleanup } from '../lib/processes.ts';
import { median, row } from '../lib/report.ts';

const S = 'Scale (one mailbox, small messages)';

export async function scaleSection(ctx: BenchContext): Promise<void> {
  const sizes = pick(ctx, [1_000, 100_000, 1_000_000], [1_000, 10_000, 50_000]);
  const folder = (n: number) => `Scale${n}`;
  const instance = await preparePosthorn(ctx.tmp, {
    name: 'scale',
    hostname: 'scale.bench.test',
    listeners: ['imap'],
  });
  const dovecotInstance = prepareDovecot(ctx.tmp, 'dovecot-scale');
  const store = openPosthornStore(instance);
  const accountId = await addAccount(store, 'bob@bench.test');
  const plan = [...sizes].sort((a, b) => b - a).map((n) => ({ name: folder(n), count: n }));
  const t0 = performance.now();
  let lastSaid = 0;
  await loadMailboxes(store, accountId, dovecotInstance, plan, { small: true }, (done, total) => {
    if (performance.now() - lastSaid > 30_000) {
      lastSaid = performance.now();
      ctx.say(`scale: loading ${done}/${total} messages into both`);
    }
  });
  await store.close();
  ctx.say(`scale: loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  const posthorn = await startPosthorn(instance);
  const dovecot = await startDovecot(dovecotInstance);
  const stopAll = onCleanup(async () => {
    await posthorn.stop();
    await dovecot.stop();
  });
  const raw: Record<string, unknown> = {};
  try {
    const sides: Array<{ name: string; client: ImapClient; user: string; pw: string; failed?: string }> = [
      {
        name: 'posthorn',
        client: await ImapClient.connect(posthorn.ports.imap!),
        user: 'bob@bench.test',
        pw: PASSWORD,
      },
      {
        name: 'dovecot',
        client: await ImapClient.connect(dovecot.imapPort),
        user: DOVECOT_USER,
        pw: DOVECOT_PASSWORD,
      },
    ];
    for (const s of sides) await s.client.login(s.user, s.pw);
    for (const n of sizes) {
      const runs = n >= 1_000_000 ? 1 : 3;
      const commands = [
        { label: 'SELECT', command: `SELECT ${folder(n)}`, select: false },
        { label: 'FETCH 1:* (FLAGS)', command: 'FETCH 1:* (FLAGS)', select: true },
        { label: 'SEARCH SUBJECT', command: `SEARCH SUBJECT ${SUBJECT_WORD}`, select: true },
        { label: 'SEARCH UNSEEN', command: 'SEARCH UNSEEN', select: true },
      ];
      for (const c of commands) {
        ctx.say(`scale: ${c.label}, ${n} messages`);
        const result: Record<string, { cold: number; ms: number; hits?: number }> = {};
        for (const s of sides) {
          if (s.failed) continue;
          const once = async () => {
            if (c.select) await s.client.command(`SELECT ${folder(n)}`);
            const r = await s.client.command(c.command, { keep: c.command.startsWith('SEARCH') });
            const hits = r.lines.find((l) => l.startsWith('* SEARCH'));
            return { ms: r.ms, hits: hits === undefined ? undefined : hits.split(' ').length - 2 };
          };
          try {
            const cold = await once();
            const times: number[] = [];
            let last = cold;
            for (let i = 0; i < runs; i++) {
              last = await once();
              times.push(last.ms);
            }
            result[s.name] = { cold: cold.ms, ms: median(times)!, hits: last.hits };
          } catch (error) {
            // One server failing at a size (e.g. out of memory) leaves the other's figures standing.
            s.failed = `${c.label} of ${n} messages: ${(error as Error).message}`;
            ctx.notes.push(`scale: ${s.name} failed at ${s.failed}; see its log (BENCH_KEEP=1 keeps it)`);
            s.client.destroy();
          }
        }
        raw[`${c.label} ${n}`] = result;
        let note: string | undefined;
        if (c.label === 'SEARCH SUBJECT') {
          const want = expectedHits(n).subject;
          const wrong = Object.entries(result).filter(([, r]) => r.hits !== want);
          if (wrong.length > 0) {
            note = `expected ${want} hits; ${wrong.map(([k, r]) => `${k} found ${r.hits}`).join(', ')}`;
            ctx.notes.push(`scale ${c.label} ${n}: ${note}`);
          }
        }
        ctx.rows.push(
          row(
            S,
            `${c.label}, ${n.toLocaleString('en-US')}`,
            'ms',
            'lower',
            result.posthorn?.ms ?? null,
            result.dovecot?.ms ?? null,
            'Dovecot',
            {
              note,
            },
          ),
        );
      }
    }
    for (const s of sides) if (!s.failed) await s.client.logout();
  } finally {
    await stopAll();
  }
  ctx.raw.scale = raw;
}
