// What the interop tests need from the machine: the outside programs (installed by scripts/interop-setup.sh;
// a test whose program is missing is skipped with the reason), and waiting for a condition an outside
// program brings about without a change feed to listen to (a file appearing in a Maildir).

import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** `skip` value for node:test: a reason when one of the programs is not installed, else false. */
export function skipUnlessInstalled(...programs: string[]): string | false {
  const missing = programs.filter((program) => {
    try {
      execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore', env: withSbin() });
      return false;
    } catch {
      return true;
    }
  });
  return missing.length > 0 ? `not installed: ${missing.join(', ')} (run scripts/interop-setup.sh)` : false;
}

/** PATH with the sbin directories (postfix, dovecot live there). */
export function withSbin(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PATH: `${env.PATH ?? ''}:/usr/sbin:/sbin:/usr/local/sbin` };
}

/**
 * Checks `condition` until it holds (every 25 ms), failing after `timeoutMs` with `what`. For states only
 * visible by looking (files another program writes); anything with an event is awaited on the event.
 */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A free high port on 127.0.0.1 for a program that cannot listen on port 0 and report it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port < 1024 ? freePort() : port;
}
