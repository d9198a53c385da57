// The mixed IMAP workload: C clients at once, each logged in with its own folder of M messages selected,
// each sending one command after another for a fixed time, drawn from a fixed mix that resembles a mail
// client at work (same seed, so the same sequence on both servers):
//   25 % FETCH 50 messages (UID FLAGS RFC822.SIZE INTERNALDATE)   (message list)
//   10 % FETCH 20 messages (ENVELOPE)                             (list with headers)
//   20 % FETCH one message BODY.PEEK[]                            (reading)
//   15 % STORE one message +FLAGS / -FLAGS (\Flagged)             (write)
//   10 % UID SEARCH UNSEEN
//   10 % NOOP                                                     (poll)
//    5 % STATUS of another folder (MESSAGES UNSEEN UIDNEXT)
//    5 % APPEND one message to the client's folder                (write, durable)
// Result: commands per second over all clients, latency percentiles, server CPU seconds. The full run does
// two rounds of 10 s per server, alternating which goes first.

import type { BenchContext } from '../lib/context.ts';
import { corpusMessage } from '../lib/corpus.ts';
import { ImapClient } from '../lib/imap-client.ts';
import { CpuMeter } from '../lib/proc.ts';
import { percentile } from '../lib/report.ts';

export interface MixedTarget {
  name: string;
  port: number;
  pid: number;
  user: string;
  password: string;
}

export interface MixedResult {
  ops: number;
  seconds: number;
  opsPerSecond: number;
  p50ms: number | null;
  p99ms: number | null;
  cpuSeconds: number;
  errors: number;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const folderName = (k: number) => `Mix${String(k + 1).padStart(2, '0')}`;

async function client(
  target: MixedTarget,
  index: number,
  o: { folders: number; messages: number; deadline: number; round: number },
  latencies: number[],
): Promise<{ ops: number; errors: number }> {
  const c = await ImapClient.connect(target.port);
  await c.login(target.user, target.password);
  const folder = folderName(index % o.folders);
  await c.command(`SELECT ${folder}`);
  const r = rng(1000 + index + o.round * 100);
  let exists = o.messages;
  let ops = 0;
  let errors = 0;
  let appended = 0;
  const pickSeq = (span: number) => 1 + Math.floor(r() * Math.max(1, exists - span));
  while (performance.now() < o.deadline) {
    const x = r() * 100;
    let command: string | null = null;
    let started = performance.now();
    try {
      if (x < 25) {
        const a = pickSeq(50);
        command = `FETCH ${a}:${a + 49} (UID FLAGS RFC822.SIZE INTERNALDATE)`;
      } else if (x < 35) {
        const a = pickSeq(20);
        command = `FETCH ${a}:${a + 19} (ENVELOPE)`;
      } else if (x < 55) {
        command = `FETCH ${pickSeq(1)} BODY.PEEK[]`;
      } else if (x < 70) {
        command = `STORE ${pickSeq(1)} ${r() < 0.5 ? '+' : '-'}FLAGS (\\Flagged)`;
      } else if (x < 80) {
        command = 'UID SEARCH UNSEEN';
      } else if (x < 90) {
        command = 'NOOP';
      } else if (x < 95) {
        command = `STATUS ${folderName((index + 1) % o.folders)} (MESSAGES UNSEEN UIDNEXT)`;
      }
      started = performance.now();
      if (command !== null) {
        await c.command(command);
      } else {
        await c.append(folder, corpusMessage(3_000_000 + o.round * 2_500_000 + index * 100_000 + appended++));
        exists++;
      }
      latencies.push(performance.now() - started);
      ops++;
    } catch {
      errors++;
      if (errors > 50) break; // a broken session: stop rather than spin
    }
  }
  await c.logout();
  return { ops, errors };
}

export async function mixedWorkload(
  ctx: BenchContext,
  targets: MixedTarget[],
  o: { clients: number; folders: number; messages: number; seconds: number; rounds: number },
): Promise<Record<string, MixedResult>> {
  const sums = new Map<
    string,
    { ops: number; seconds: number; cpu: number; errors: number; lat: number[] }
  >();
  for (let round = 0; round < o.rounds; round++) {
    // Rounds alternate which server goes first, so a drift in the machine's load favours neither.
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      ctx.say(
        `imap: mixed workload, ${o.clients} clients, ${o.seconds} s (${target.name}, round ${round + 1})`,
      );
      const sum = sums.get(target.name) ?? { ops: 0, seconds: 0, cpu: 0, errors: 0, lat: [] };
      sums.set(target.name, sum);
      const meter = new CpuMeter([target.pid]);
      const started = performance.now();
      const deadline = started + o.seconds * 1000;
      const results = await Promise.all(
        Array.from({ length: o.clients }, (_, i) =>
          client(target, i, { folders: o.folders, messages: o.messages, deadline, round }, sum.lat),
        ),
      );
      sum.cpu += meter.read().cpu[0]!;
      sum.seconds += (deadline - started) / 1000;
      sum.ops += results.reduce((s, x) => s + x.ops, 0);
      sum.errors += results.reduce((s, x) => s + x.errors, 0);
    }
  }
  const out: Record<string, MixedResult> = {};
  for (const [name, sum] of sums) {
    sum.lat.sort((a, b) => a - b);
    out[name] = {
      ops: sum.ops,
      seconds: sum.seconds,
      opsPerSecond: sum.ops / sum.seconds,
      p50ms: percentile(sum.lat, 50),
      p99ms: percentile(sum.lat, 99),
      cpuSeconds: sum.cpu,
      errors: sum.errors,
    };
  }
  return out;
}
