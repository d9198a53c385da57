// Spawns test/support/smtp-server-process.ts and reads the addresses it prints.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { HostPort } from '../../../src/net/host-port.ts';

const root = join(import.meta.dirname, '..', '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  addresses: { smtp: HostPort[]; submission: HostPort[]; submissions: HostPort[] };
  stderr: () => string;
  /** Resolves with the exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServerProcess(configFile: string): Promise<ServerProcess> {
  const child = spawn(
    join(root, 'node_modules', '.bin', 'node'),
    ['test/support/smtp-server-process.ts', configFile],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then((e) => {
      throw new Error(`server process exited early (${JSON.stringify(e)}):\n${stderr}`);
    }),
  ]);
  return { child, addresses: JSON.parse(first), stderr: () => stderr, exited };
}
