// Child processes of the bench: started through here so every one is stopped at the end, also when a step
// fails or the run is interrupted (SIGINT/SIGTERM). Only processes this run started are ever signalled.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

export const HOST = '127.0.0.1';

const cleanups = new Map<number, () => Promise<void>>();
let nextCleanup = 0;

/** Registers an async cleanup; returns a function that runs it (once) and unregisters it. */
export function onCleanup(fn: () => Promise<void>): () => Promise<void> {
  const id = nextCleanup++;
  let done: Promise<void> | undefined;
  const run = () => {
    cleanups.delete(id);
    return (done ??= fn().catch(() => {}));
  };
  cleanups.set(id, run);
  return run;
}

/** Runs every registered cleanup, newest first. */
export async function cleanupAll(): Promise<void> {
  for (const id of [...cleanups.keys()].reverse()) await cleanups.get(id)?.();
}

let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (signalled) process.exit(130);
    signalled = true;
    process.stderr.write(`\n${signal}: stopping the bench's servers…\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

/** A child process that is stopped (SIGTERM, then SIGKILL after `graceMs`) at cleanup. */
export function startChild(
  command: string,
  args: string[],
  options: SpawnOptions & { graceMs?: number } = {},
): { child: ChildProcess; stop: () => Promise<void> } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const stop = onCleanup(() => stopChild(child, options.graceMs ?? 10_000));
  return { child, stop };
}

export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A free high port on 127.0.0.1 (asked from the kernel, then released for the server to bind). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const server = createServer();
    server.listen(0, HOST);
    await once(server, 'listening');
    const address = server.address();
    server.close();
    await once(server, 'close');
    if (address !== null && typeof address === 'object' && address.port >= 10_000) return address.port;
  }
  throw new Error('no free high port');
}

/** Waits until something accepts TCP connections on the port (servers that give no readiness signal). */
export async function waitForPort(port: number, timeoutMs: number, alive?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (alive && !alive()) throw new Error(`server for port ${port} exited while starting`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, HOST);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${HOST}:${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `intervalMs` until it holds; false when `timeoutMs` passed first. */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}
