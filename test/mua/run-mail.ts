// Runs `node src/main.ts mail …` as a user would, with XDG_CONFIG_HOME and HOME in a temporary directory,
// for the MUA's end-to-end tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const MAIN = join(ROOT, 'src', 'main.ts');

export interface MailResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface MailRunner {
  home: string;
  run(args: string[], options?: { stdin?: string; env?: Record<string, string> }): Promise<MailResult>;
  spawn(args: string[], options?: { env?: Record<string, string> }): ChildProcess;
}

export function mailRunner(home: string, baseEnv: Record<string, string> = {}): MailRunner {
  const envFor = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    for (const name of ['PATH', 'LANG', 'TZ']) if (process.env[name]) env[name] = process.env[name];
    return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ...baseEnv, ...extra };
  };
  const start = (args: string[], env?: Record<string, string>) =>
    spawn(NODE, [MAIN, 'mail', ...args], { cwd: home, env: envFor(env), stdio: 'pipe' });
  return {
    home,
    spawn: (args, options = {}) => start(args, options.env),
    run(args, options = {}) {
      const child = start(args, options.env);
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdin!.end(options.stdin ?? '');
      return new Promise((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => resolve({ code, stdout, stderr }));
      });
    },
  };
}

/** Resolves when `stream` has printed text matching `pattern`; rejects if the process exits first. */
export function waitForOutput(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let other = '';
    const onData = (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) {
        child[stream]!.off('data', onData);
        child.off('exit', onExit);
        resolve(text);
      }
    };
    const onOther = (d: Buffer) => (other += d.toString());
    const onExit = (code: number | null) =>
      reject(
        new Error(
          `exited (${code}) before ${pattern}: ${stream}=${JSON.stringify(text)} other=${JSON.stringify(other)}`,
        ),
      );
    child[stream]!.on('data', onData);
    child[stream === 'stdout' ? 'stderr' : 'stdout']!.on('data', onOther);
    child.once('exit', onExit);
  });
}
