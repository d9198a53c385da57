// Starts test/support/posthorn-process.ts (a whole Posthorn from a config file) as a child process and
// reads the listening addresses it prints. The child is returned at once, so a test can kill it while it is
// still starting; `ready` resolves with the addresses, or rejects (with its stderr) if it exits first.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ListenerName } from '../../src/app/listening.ts';

const root = join(import.meta.dirname, '..', '..');

export interface PosthornProcess {
  child: ChildProcess;
  /** The addresses it listens on ("127.0.0.1:40001"), by listener name. */
  ready: Promise<Record<ListenerName, string[]>>;
  /** Resolves with the exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function spawnPosthorn(configFile: string, logFile?: string): PosthornProcess {
  const child = spawn(
    join(root, 'node_modules', '.bin', 'node'),
    ['test/support/posthorn-process.ts', configFile, ...(logFile ? [logFile] : [])],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const lines = createInterface({ input: child.stdout! });
  const ready = Promise.race([
    once(lines, 'line').then(([line]) => JSON.parse(line as string) as Record<ListenerName, string[]>),
    exited.then((e) => {
      throw new Error(`posthorn process exited before it was ready (${JSON.stringify(e)}):\n${stderr}`);
    }),
  ]);
  ready.catch(() => {}); // seen by whoever awaits it
  return { child, ready, exited, stderr: () => stderr };
}
