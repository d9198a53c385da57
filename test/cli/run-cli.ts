// Runs the real `posthorn` process (node src/main.ts) in a directory, for end-to-end CLI tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');
export const MAIN = join(ROOT, 'src', 'main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  stdin?: string;
  env?: Record<string, string>;
}

/** Environment without POSTHORN_* variables of the surrounding shell, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('POSTHORN_')) env[name] = value;
  return { ...env, POSTHORN_LOG_FORMAT: 'json', ...extra };
}

export function spawnCli(args: string[], options: RunOptions): ChildProcess {
  return spawn(NODE, [MAIN, ...args], { cwd: options.cwd, env: cleanEnv(options.env), stdio: 'pipe' });
}

export function runCli(args: string[], options: RunOptions): Promise<CliResult> {
  const child = spawnCli(args, options);
  return collect(child, options.stdin);
}

export function collect(child: ChildProcess, stdin?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.end(stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function tempDir(prefix = 'posthorn-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Resolves with the first stdout line (JSON log) matching `predicate`; rejects if the process exits first. */
export function waitForLogLine(
  child: ChildProcess,
  predicate: (entry: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const onErr = (d: Buffer) => (stderr += d.toString());
    const onData = (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (predicate(entry)) {
          child.stdout!.off('data', onData);
          child.stderr!.off('data', onErr);
          child.off('exit', onExit);
          resolve(entry);
          return;
        }
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`process exited (${code}) before the log line: ${stderr}`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onErr);
    child.once('exit', onExit);
  });
}

/** Waits for the process to exit and its output streams to close (so all output has been read). */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const closed = child.stdout!.closed && child.stderr!.closed;
  if (closed && (child.exitCode !== null || child.signalCode !== null)) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}
