// 3. Outbound: how fast the queue empties into a fast receiver (Postfix's smtp-sink), and how many
//    connections it needed (messages per connection shows connection reuse).
//    Both queues are filled first, then released at once and timed until the sink has every message:
//    - Posthorn: entries written through the store API with a far next-attempt time, made due in one
//      transaction, then the worker is woken (SIGUSR2 → queue.wake(), what an SMTP acceptance does);
//    - Postfix: messages received by smtpd and put on hold, then `postsuper -H ALL`.
//    Both use their default delivery settings (Posthorn: 20 deliveries at once, 4 per destination, 100
//    messages per connection; Postfix: destination concurrency 20 with slow start, connection cache on demand).

import type { BenchContext } from '../lib/context.ts';
import { pick } from '../lib/context.ts';
import { corpusMessage } from '../lib/corpus.ts';
import { openPosthornStore, preparePosthorn, startPosthorn, type RunningPosthorn } from '../lib/posthorn.ts';
import { startPostfix, type RunningPostfix } from '../lib/postfix.ts';
import { CpuMeter } from '../lib/proc.ts';
import { pollUntil } from '../lib/processes.ts';
import { row } from '../lib/report.ts';
import { startSmtpSink, type RunningSink } from '../lib/smtp-sink.ts';
import { smtpSource } from './smtp-accept.ts';
import { parseMessage } from '../../src/message/parse.ts';

const S = 'Outbound to smtp-sink';

interface Drain {
  messages: number;
  /** From the release to the last message the sink received. */
  seconds: number;
  /** Messages per second while delivering (messages / seconds). */
  rate: number;
  connections: number;
  perConnection: number;
  cpuSeconds: number;
  complete: boolean;
}

/** Releases the queue and waits until the sink has `count` messages, or nothing arrived for `stallS` s. */
async function drain(
  sink: RunningSink,
  pid: number,
  count: number,
  timeoutS: number,
  release: () => void,
): Promise<Drain> {
  const stallS = 5;
  const meter = new CpuMeter([pid]);
  const t0 = performance.now();
  release();
  let seen = 0;
  let lastProgress = t0;
  await pollUntil(
    () => {
      const now = performance.now();
      const { messages } = sink.counts();
      if (messages > seen) {
        seen = messages;
        lastProgress = now;
      }
      return messages >= count || now - lastProgress > stallS * 1000;
    },
    timeoutS * 1000,
    20,
  );
  const { cpu } = meter.read();
  const { messages, sessions } = sink.counts();
  const seconds = (lastProgress - t0) / 1000;
  return {
    messages,
    seconds,
    rate: seconds > 0 ? messages / seconds : 0,
    connections: sessions,
    perConnection: sessions > 0 ? messages / sessions : 0,
    cpuSeconds: cpu[0]!,
    complete: messages >= count,
  };
}

export async function outboundSection(ctx: BenchContext): Promise<void> {
  const count = pick(ctx, 2000, 300);
  const timeoutS = pick(ctx, 60, 20);
  let posthorn: RunningPosthorn | null = null;
  let postfix: RunningPostfix | null = null;
  const sinks: RunningSink[] = [];
  const raw: Record<string, unknown> = { messages: count };
  try {
    // Posthorn
    const sinkP = await startSmtpSink();
    sinks.push(sinkP);
    const instance = await preparePosthorn(ctx.tmp, {
      name: 'outbound',
      hostname: 'out.bench.test',
      listeners: [],
      routes: { 'sink.test': `127.0.0.1:${sinkP.port}` },
    });
    const store = openPosthornStore(instance);
    store.database.exec('PRAGMA synchronous = OFF');
    const ids: string[] = [];
    const later = new Date(Date.now() + 86_400_000);
    for (let start = 0; start < count; start += 500) {
      const pending: Array<Promise<string>> = [];
      store.database.write(() => {
        for (let i = start; i < Math.min(count, start + 500); i++) {
          const bytes = corpusMessage(i);
          pending.push(
            store.mail.putBlob(bytes, parseMessage(bytes)).then(async (blobId) => {
              const entry = await store.queue.enqueue({
                blobId,
                sender: 'bench@out.test',
                recipients: [{ address: `user${i}@sink.test`, orcpt: null, notify: [] }],
                size: bytes.length,
                envId: null,
                ret: null,
                smtputf8: false,
                eightBit: false,
                nextAttemptAt: later,
              });
              return entry.id;
            }),
          );
        }
      });
      ids.push(...(await Promise.all(pending)));
    }
    store.database.exec('PRAGMA synchronous = FULL');
    posthorn = await startPosthorn(instance, {
      profileDir: ctx.profileDir ? `${ctx.profileDir}/outbound` : undefined,
    });
    const server = posthorn;
    ctx.say(`outbound: Posthorn delivers ${count} messages`);
    const p = await drain(sinkP, posthorn.pid, count, timeoutS, () => {
      store.database.write(() => {
        const now = new Date();
        for (const id of ids) void store.queue.reschedule(id, now);
      });
      server.wakeQueue();
    });
    await store.close();
    await posthorn.stop();
    posthorn = null;

    // Postfix
    const sinkF = await startSmtpSink();
    sinks.push(sinkF);
    postfix = await startPostfix(ctx.tmp, {
      name: 'postfix-outbound',
      role: 'relay',
      relayHost: `127.0.0.1:${sinkF.port}`,
      holdIncoming: true,
    });
    const pf = postfix;
    ctx.say(`outbound: filling Postfix's queue (${count} messages on hold)`);
    await smtpSource(postfix.port, {
      sessions: 10,
      messages: count,
      size: 3000,
      seconds: 120,
      to: 'user@sink.test',
    });
    const held = await pollUntil(() => pf.queuedFiles() >= count, 30_000, 100);
    if (!held) ctx.notes.push(`outbound: Postfix held ${pf.queuedFiles()} of ${count} messages`);
    ctx.say(`outbound: Postfix delivers ${count} messages`);
    const a = await drain(sinkF, postfix.masterPid, count, timeoutS, () => pf.releaseHeld());

    raw.posthorn = p;
    raw.postfix = a;
    for (const [name, r] of [
      ['Posthorn', p],
      ['Postfix', a],
    ] as const) {
      if (!r.complete) {
        ctx.notes.push(
          `outbound: ${name} delivered ${r.messages} of ${count} released at once; the rest stayed queued ` +
            `(nothing arrived for 5 s; the server's log is kept with BENCH_KEEP=1)`,
        );
      }
    }
    ctx.rows.push(
      row(
        S,
        `burst of ${count} (~3 KB): delivered at once`,
        'msg',
        'higher',
        p.messages,
        a.messages,
        'Postfix',
      ),
      row(S, 'rate while delivering', 'msg/s', 'higher', p.rate, a.rate, 'Postfix'),
      row(S, 'messages per connection', '', 'higher', p.perConnection, a.perConnection, 'Postfix'),
      row(
        S,
        'CPU s / 1000 msg',
        's',
        'lower',
        (p.cpuSeconds / p.messages) * 1000,
        (a.cpuSeconds / a.messages) * 1000,
        'Postfix',
      ),
    );
  } finally {
    await posthorn?.stop();
    await postfix?.stop();
    for (const sink of sinks) await sink.stop();
  }
  ctx.raw.outbound = raw;
}
