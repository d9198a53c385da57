// The machine a run happened on: recorded beside every result, since absolute figures depend on it.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem, freemem, release } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  nproc: number;
  memTotalMiB: number;
  memAvailableMiB: number;
  loadAverage: [number, number, number];
  kernel: string;
  node: string;
  postfix: string | null;
  dovecot: string | null;
  filesystem: string;
}

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function memAvailableMiB(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'latin1'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(freemem() / 1048576);
}

export function loadAverage(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [round2(a!), round2(b!), round2(c!)];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function machineInfo(tmp: string): MachineInfo {
  let cpuModel = 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'latin1'));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    // not Linux
  }
  const fs = run('df', ['-T', tmp])?.split('\n')[1]?.split(/\s+/) ?? [];
  return {
    cpuModel,
    nproc: availableParallelism(),
    memTotalMiB: Math.round(totalmem() / 1048576),
    memAvailableMiB: memAvailableMiB(),
    loadAverage: loadAverage(),
    kernel: release(),
    node: process.version,
    postfix: run('postconf', ['-d', '-h', 'mail_version']),
    dovecot: run('dovecot', ['--version']),
    filesystem: fs.length > 1 ? `${tmp} on ${fs[0]} (${fs[1]})` : tmp,
  };
}
