// Outside programs in the tests (python3, swaks, mbsync, mutt, postfix…): run to completion, or keep one
// running and wait for the stdout line that says it got somewhere. Waiting is on output, never on the clock;
// the timeout only turns a hang into a failure with the output so far.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions extends SpawnOptions {
  input?: string | Buffer;
  /** Kill the process after this long (default 60 s). */
  timeoutMs?: number;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<Finished> {
  const { input, timeoutMs = 60_000, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr });
    });
    child.stdin!.on('error', () => {}); // the program may exit without reading all its input
    child.stdin!.end(input ?? '');
  });
}

/** Like run(), but a non-zero exit is an error carrying the program's output. */
export async function runOk(command: string, args: string[], options: RunOptions = {}): Promise<Finished> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.code ?? result.signal}\n` +
        `stdout: ${result.stdout.toString()}\nstderr: ${result.stderr}`,
    );
  }
  return result;
}

/** A long-running program whose stdout lines are awaited one by one. */
export class LineProcess {
  readonly child: ChildProcess;
  readonly #lines: string[] = [];
  #partial = '';
  #stderr = '';
  #closed = false;
  #wake: (() => void) | null = null;

  constructor(command: string, args: string[], options: SpawnOptions = {}) {
    this.child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (this.#partial + chunk.toString()).split('\n');
      this.#partial = parts.pop() ?? '';
      this.#lines.push(...parts);
      this.#wake?.();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.child.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The next stdout line matching `pattern` (earlier lines are dropped). */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    const deadline = setTimeout(() => this.#wake?.(), timeoutMs);
    const started = Date.now();
    try {
      for (;;) {
        while (this.#lines.length > 0) {
          const line = this.#lines.shift()!;
          const match = pattern.exec(line);
          if (match) return match;
        }
        if (this.#closed || Date.now() - started >= timeoutMs) {
          throw new Error(
            `no line matching ${pattern} (${this.#closed ? 'process ended' : 'timed out'}); stderr: ${this.#stderr}`,
          );
        }
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = null;
      }
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Waits for the process to end (killing it after `timeoutMs`). */
  async exit(timeoutMs = 30_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.#closed) return this.child.exitCode;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (!this.#closed) this.child.kill('SIGKILL');
  }
}
