// Postfix's smtp-sink as a fast receiving server: accepts everything, keeps nothing, and reports running
// counters (sessions, QUITs, messages) on stdout with -c; the bench reads them to count messages received and
// connections used.

import { freePort, HOST, startChild, waitForPort } from './processes.ts';

export interface RunningSink {
  port: number;
  pid: number;
  counts(): { sessions: number; messages: number };
  stop(): Promise<void>;
}

export async function startSmtpSink(): Promise<RunningSink> {
  const port = await freePort();
  const user = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const { child, stop } = startChild('smtp-sink', ['-c', ...user, '-m', '1000', `${HOST}:${port}`, '1000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    graceMs: 5000,
  });
  let last = { sessions: 0, messages: 0 };
  let tail = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('latin1')).slice(-400);
    const all = [...tail.matchAll(/sess=(\d+) quit=\d+ mesg=(\d+)/g)];
    const m = all.at(-1);
    if (m) last = { sessions: Number(m[1]), messages: Number(m[2]) };
  });
  await waitForPort(port, 10_000, () => child.exitCode === null);
  // waitForPort's own probe connection counts as a session: remember it as the zero point.
  await new Promise((r) => setTimeout(r, 100));
  const base = { ...last };
  return {
    port,
    pid: child.pid!,
    counts: () => ({ sessions: last.sessions - base.sessions, messages: last.messages - base.messages }),
    stop,
  };
}
