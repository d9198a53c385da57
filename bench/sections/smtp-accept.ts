// 1. SMTP accept: messages per second accepted on the MX role by N concurrent sessions, each message durable
// before its 250. One load generator for both servers: Postfix's smtp-source (C, one process, sessions kept
// open with -d, one message per transaction). Posthorn delivers into the recipient's INBOX (SQLite,
// synchronous=FULL) before the 250; Postfix's cleanup fsyncs the queue file before the 250 and a discard
// transport takes the message afterwards. CPU is the server's whole process tree, measured until Postfix's
// queue is empty again (so the discard deliveries are counted too). Each configuration runs in 3 rounds of
// at most 4 s per server, alternating which goes first; the median round is shown.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { BenchContext } from '../lib/context.ts';
import { pick } from '../lib/context.ts';
import {
  addAccount,
  openPosthornStore,
  preparePosthorn,
  startPosthorn,
  type RunningPosthorn,
} from '../lib/posthorn.ts';
import { startPostfix, type RunningPostfix } from '../lib/postfix.ts';
import { CpuMeter } from '../lib/proc.ts';
import { HOST, pollUntil } from '../lib/processes.ts';
import { row } from '../lib/report.ts';

export interface SourceRun {
  messages: number;
  seconds: number;
  rate: number;
  cpuSeconds: number;
  cpuPer1000: number;
}

/** Runs smtp-source against the port until `messages` are sent or `seconds` passed; returns what was sent. */
export async function smtpSource(
  port: number,
  o: { sessions: number; messages: number; size: number; seconds: number; to: string },
): Promise<{ sent: number; seconds: number }> {
  const args = ['-c', '-d', '-s', String(o.sessions), '-m', String(o.messages), '-l', String(o.size)];
  args.push('-f', 'load@source.test', '-t', o.to, '-M', 'source.test', `${HOST}:${port}`);
  const started = performance.now();
  const child = spawn('smtp-source', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let last = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = chunk.toString('latin1').split(/[\r\n]/);
    for (let i = parts.length - 1; i >= 0; i--) {
      const n = Number(parts[i]);
      if (parts[i] !== '' && Number.isInteger(n)) {
        last = Math.max(last, n);
        break;
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGTERM'), o.seconds * 1000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0 && signal === null) throw new Error(`smtp-source failed (${code}): ${stderr.trim()}`);
  return { sent: last, seconds };
}

async function measure(
  serverPid: number,
  port: number,
  o: { sessions: number; messages: number; size: number; seconds: number; to: string },
  drained: () => Promise<void>,
): Promise<SourceRun> {
  const meter = new CpuMeter([serverPid]);
  const { sent, seconds } = await smtpSource(port, o);
  await drained();
  const cpu = meter.read().cpu[0]!;
  return {
    messages: sent,
    seconds,
    rate: sent / seconds,
    cpuSeconds: cpu,
    cpuPer1000: sent > 0 ? (cpu / sent) * 1000 : 0,
  };
}

/** The run with the median rate (its CPU figure goes with it). */
function medianRun(runs: SourceRun[]): SourceRun {
  const sorted = [...runs].sort((x, y) => x.rate - y.rate);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export async function smtpAcceptSection(ctx: BenchContext): Promise<void> {
  const sizes = [
    { label: '4 KB', bytes: 4096, messages: pick(ctx, 3000, 300) },
    { label: '100 KB', bytes: 102_400, messages: pick(ctx, 1500, 100) },
  ];
  const sessions = pick(ctx, [1, 10, 50], [1, 10]);
  const seconds = pick(ctx, 4, 2);
  const rounds = pick(ctx, 3, 1);

  const instance = await preparePosthorn(ctx.tmp, {
    name: 'smtp-accept',
    hostname: 'mx.bench.test',
    listeners: ['smtp'],
  });
  const store = openPosthornStore(instance);
  await addAccount(store, 'bob@bench.test');
  await store.close();

  let posthorn: RunningPosthorn | null = null;
  let postfix: RunningPostfix | null = null;
  const raw: unknown[] = [];
  try {
    posthorn = await startPosthorn(instance, {
      profileDir: ctx.profileDir ? `${ctx.profileDir}/smtp-accept` : undefined,
    });
    postfix = await startPostfix(ctx.tmp, { name: 'postfix-accept', role: 'discard', processLimit: 200 });
    const pf = postfix;
    const pfDrained = async () => {
      await pollUntil(() => pf.queuedFiles() === 0, 30_000, 50);
    };
    const noDrain = async () => {};
    // Warm-up (JIT, page cache, Postfix's first processes), not counted.
    const warm = { sessions: 2, messages: 40, size: 4096, seconds: 10, to: 'bob@bench.test' };
    await smtpSource(posthorn.ports.smtp!, warm);
    await smtpSource(postfix.port, warm);
    await pfDrained();

    for (const size of sizes) {
      for (const n of sessions) {
        const o = { sessions: n, messages: size.messages, size: size.bytes, seconds, to: 'bob@bench.test' };
        ctx.say(`smtp accept: ${size.label}, ${n} sessions, ${rounds} rounds`);
        // Rounds alternate which server goes first, so a drift in the machine's load favours neither; the
        // table shows the median round of each.
        const ps: SourceRun[] = [];
        const as: SourceRun[] = [];
        for (let round = 0; round < rounds; round++) {
          if (round % 2 === 0) {
            ps.push(await measure(posthorn.pid, posthorn.ports.smtp!, o, noDrain));
            as.push(await measure(postfix.masterPid, postfix.port, o, pfDrained));
          } else {
            as.push(await measure(postfix.masterPid, postfix.port, o, pfDrained));
            ps.push(await measure(posthorn.pid, posthorn.ports.smtp!, o, noDrain));
          }
        }
        const p = medianRun(ps);
        const a = medianRun(as);
        raw.push({
          size: size.bytes,
          sessions: n,
          posthorn: p,
          postfix: a,
          rounds: { posthorn: ps, postfix: as },
        });
        const target = n >= 10 ? { target: '≥ 1.0×', ratioTarget: 1 } : {};
        ctx.rows.push(
          row(
            'SMTP accept (MX, durable)',
            `${size.label}, N=${n}`,
            'msg/s',
            'higher',
            p.rate,
            a.rate,
            'Postfix',
            {
              ...target,
            },
          ),
          row(
            'SMTP accept (MX, durable)',
            `${size.label}, N=${n}: CPU s / 1000 msg`,
            's',
            'lower',
            p.cpuPer1000,
            a.cpuPer1000,
            'Postfix',
          ),
        );
      }
    }
  } finally {
    await posthorn?.stop();
    await postfix?.stop();
  }
  ctx.raw.smtpAccept = raw;
}
