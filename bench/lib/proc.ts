// Per-process measurements from /proc: CPU seconds and memory of a process tree (a server and every process
// it forked), so Posthorn (one process) and Postfix/Dovecot (a master and its children) are measured alike.
//
// CPU of a tree = Σ over its live processes of utime + stime + cutime + cstime: a child that exited and was
// reaped by a process of the tree is counted in its reaper's cutime/cstime (Postfix's master and Dovecot's
// master reap their children), so short-lived workers are not lost.

import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux (checked by `getconf CLK_TCK`)

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null; // exited meanwhile
  }
  // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const num = (i: number) => Number(fields[i - 3]);
  return { pid, ppid: num(4), ticks: num(14) + num(15) + num(16) + num(17) };
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) out.push(stat);
  }
  return out;
}

/** The process and all its live descendants. */
export function processTree(root: number): Stat[] {
  const stats = allStats();
  const children = new Map<number, Stat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  const rootStat = stats.find((s) => s.pid === root);
  if (!rootStat) return [];
  const out: Stat[] = [];
  const todo = [rootStat];
  while (todo.length > 0) {
    const s = todo.pop()!;
    out.push(s);
    todo.push(...(children.get(s.pid) ?? []));
  }
  return out;
}

/** CPU seconds (user + system) used so far by the tree rooted at `root`, reaped children included. */
export function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((sum, s) => sum + s.ticks, 0) / CLOCK_TICKS;
}

export interface TreeMemory {
  processes: number;
  /** Σ VmRSS: shared pages (libraries, shared memory) counted once per process. */
  rssKiB: number;
  /** Σ Pss (proportional set size): shared pages divided among their users, so the sum is real memory. */
  pssKiB: number;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export function processMemory(pid: number): { rssKiB: number; pssKiB: number } {
  try {
    const rssKiB = field(readFileSync(`/proc/${pid}/status`, 'latin1'), 'VmRSS');
    let pssKiB = rssKiB;
    try {
      pssKiB = field(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'), 'Pss');
    } catch {
      // smaps_rollup needs Linux 4.14; fall back to RSS
    }
    return { rssKiB, pssKiB };
  } catch {
    return { rssKiB: 0, pssKiB: 0 };
  }
}

export function treeMemory(root: number): TreeMemory {
  const tree = processTree(root);
  let rssKiB = 0;
  let pssKiB = 0;
  for (const s of tree) {
    const m = processMemory(s.pid);
    rssKiB += m.rssKiB;
    pssKiB += m.pssKiB;
  }
  return { processes: tree.length, rssKiB, pssKiB };
}

/** CPU and wall time of a measured interval, for several trees at once. */
export class CpuMeter {
  readonly #roots: number[];
  readonly #start: number[];
  readonly #t0 = performance.now();

  constructor(roots: number[]) {
    this.#roots = roots;
    this.#start = roots.map((r) => treeCpuSeconds(r));
  }

  /** CPU seconds used by each tree since construction, and elapsed wall seconds. */
  read(): { cpu: number[]; wall: number } {
    return {
      cpu: this.#roots.map((r, i) => treeCpuSeconds(r) - this.#start[i]!),
      wall: (performance.now() - this.#t0) / 1000,
    };
  }
}
