// `posthorn demo` run as a user runs it: a child process, stdout read as text, the exit status checked.
// The narration must show all seven steps in story order, each with the facts that prove it (the queue id
// from the 250, the next hop that is hamburger.edu's MX port, the remote 250, the UID, `* 1 EXISTS`).
// A route to a closed port must make it fail with exit status 1, naming the steps that did not happen.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

async function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('./node_modules/.bin/node', ['src/main.ts', 'demo', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function stepLines(stdout: string): Map<number, string> {
  const steps = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const m = /^ {2}([1-7])\. +\+\d+ ms {2}(.*)$/.exec(line);
    if (m) steps.set(Number(m[1]), m[2]!);
  }
  return steps;
}

test('posthorn demo narrates all seven steps of the reference story and exits 0', async () => {
  const { code, stdout, stderr } = await runDemo([]);
  assert.equal(code, 0, `exit status; stderr: ${stderr}`);
  const mx = /hamburger\.edu +mx\.hamburger\.edu +MX (127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  assert.ok(mx, `the intro names hamburger.edu's MX listener:\n${stdout}`);

  const steps = stepLines(stdout);
  assert.deepEqual([...steps.keys()], [1, 2, 3, 4, 5, 6, 7], `steps in story order:\n${stdout}`);
  const queueId = /^submission accepted: crepes\.fr answered "250 2\.0\.0 Ok: queued as (\w+)"$/.exec(
    steps.get(1)!,
  )?.[1];
  assert.ok(queueId, steps.get(1));
  assert.match(steps.get(2)!, new RegExp(`^queued: entry ${queueId} in crepes\\.fr's outgoing queue`));
  assert.match(
    steps.get(3)!,
    new RegExp(`^next hop chosen: queue entry ${queueId}, attempt 1, hamburger\\.edu → ${escape(mx)} `),
  );
  assert.match(
    steps.get(4)!,
    new RegExp(
      `^TCP session to hamburger\\.edu opened: ${escape(mx)} greeted "220 mx\\.hamburger\\.edu .*STARTTLS TLSv1\\.[23]$`,
    ),
  );
  assert.match(
    steps.get(5)!,
    /^remote 250: 127\.0\.0\.1 said: 250 2\.0\.0 Ok: queued as \w+ \(in reply to (BDAT|end of DATA)\)$/,
  );
  assert.match(steps.get(6)!, /^stored in Bob's INBOX: bob@hamburger\.edu's INBOX has UID 1 /);
  assert.equal(steps.get(7), `Bob's IDLE session sees EXISTS: Bob's mail client read "* 1 EXISTS"`);
  assert.match(stdout, /All 7 steps happened\./);
});

test('posthorn demo fails with status 1 and names the missing steps when hamburger.edu cannot be reached', async () => {
  const port = await closedPort();
  const { code, stdout, stderr } = await runDemo(['--route', `127.0.0.1:${port}`, '--timeout', '3']);
  assert.equal(code, 1, `exit status; stdout:\n${stdout}`);
  assert.deepEqual([...stepLines(stdout).keys()], [1, 2, 3]);
  assert.match(
    stderr,
    /^posthorn: the reference story stopped: steps 4 \(TCP session to hamburger\.edu opened\), 5 \(remote 250\), 6 \(stored in Bob's INBOX\), 7 \(Bob's IDLE session sees EXISTS\) did not happen within 3 s; crepes\.fr's queue: connect to 127\.0\.0\.1:\d+ failed: ECONNREFUSED\n$/,
  );
  assert.doesNotMatch(stdout, /All 7 steps happened/);
});
