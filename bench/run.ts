// `npm run bench`: Posthorn and the classic pair (Postfix 3.x, Dovecot 2.3) measured side by side in one run on
// this machine, printed as a table of figures and ratios, and written to bench/results.json. Never part of
// `npm test`. Method and latest results: docs/performance.md.
//
//   npm run bench                      the default run (sections 1-5, under 15 minutes)
//   npm run bench -- --scale           only the scale run: 1,000 / 100,000 / 1,000,000 messages (long)
//   npm run bench -- --quick           small sizes and short runs (development)
//   npm run bench -- --only=smtp,imap  some sections: smtp, e2e, outbound, imap, memory
//   npm run bench -- --profile         Posthorn under node --cpu-prof; a summary of where the time goes
//   npm run bench -- --idle-sessions=N sessions for the IDLE memory figure (default 5000)
//
// Needs root for the anchors (postfix start; Dovecot's private instance); installs postfix and dovecot-imapd
// with apt-get when missing. All servers listen on 127.0.0.1 high ports with temporary configuration and are
// stopped at the end, also on failure or Ctrl-C.

import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAnchors } from './lib/anchors.ts';
import type { BenchContext, BenchOptions } from './lib/context.ts';
import { loadAverage, machineInfo } from './lib/machine.ts';
import { cleanupAll } from './lib/processes.ts';
import { formatTable } from './lib/report.ts';
import { summariseProfiles } from './lib/profile-summary.ts';
import { endToEndSection } from './sections/end-to-end.ts';
import { imapSection } from './sections/imap.ts';
import { memorySection } from './sections/memory.ts';
import { outboundSection } from './sections/outbound.ts';
import { scaleSection } from './sections/scale.ts';
import { smtpAcceptSection } from './sections/smtp-accept.ts';

const ROOT = join(import.meta.dirname, '..');

function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = { quick: false, scale: false, only: [], profile: false, idleSessions: 5000 };
  for (const arg of argv) {
    if (arg === '--quick') options.quick = true;
    else if (arg === '--scale') options.scale = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg.startsWith('--only=')) options.only = arg.slice(7).split(',').filter(Boolean);
    else if (arg.startsWith('--idle-sessions=')) options.idleSessions = Number(arg.slice(16));
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: npm run bench -- [--quick] [--scale] [--only=smtp,e2e,outbound,imap,memory] [--profile] [--idle-sessions=N]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (try --help)`);
  }
  if (!(options.idleSessions >= 1)) throw new Error('--idle-sessions needs a positive number');
  return options;
}

const SECTIONS: Array<{ key: string; title: string; run: (ctx: BenchContext) => Promise<void> }> = [
  { key: 'smtp', title: '1. SMTP accept', run: smtpAcceptSection },
  { key: 'e2e', title: '2. End to end', run: endToEndSection },
  { key: 'outbound', title: '3. Outbound', run: outboundSection },
  { key: 'imap', title: '4. IMAP', run: imapSection },
  { key: 'memory', title: '5. Memory', run: memorySection },
];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const say = (line: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  ensureAnchors(say);
  const tmp = mkdtempSync(join(tmpdir(), 'posthorn-bench-'));
  // Postfix's and Dovecot's unprivileged processes must reach their directories inside.
  chmodSync(tmp, 0o755);
  const profileDir = options.profile ? join(tmp, 'profiles') : null;
  if (profileDir) mkdirSync(profileDir);
  const machineBefore = machineInfo(tmp);
  say(
    `machine: ${machineBefore.cpuModel}, ${machineBefore.nproc} cores, ${machineBefore.memTotalMiB} MiB, ` +
      `load ${machineBefore.loadAverage.join(' ')}; temporary files in ${tmp}`,
  );
  const ctx: BenchContext = { tmp, options, profileDir, say, rows: [], raw: {}, notes: [] };
  const failures: string[] = [];
  const loadSamples: Array<{ at: string; section: string; load: [number, number, number] }> = [];
  const sections = options.scale
    ? [{ key: 'scale', title: '6. Scale', run: scaleSection }]
    : SECTIONS.filter((s) => options.only.length === 0 || options.only.includes(s.key));
  try {
    for (const section of sections) {
      say(`— ${section.title}`);
      loadSamples.push({ at: new Date().toISOString(), section: section.key, load: loadAverage() });
      const t0 = Date.now();
      try {
        await section.run(ctx);
      } catch (error) {
        const message = `${section.title} failed: ${(error as Error).stack ?? error}`;
        failures.push(message);
        say(message);
      } finally {
        await cleanupAll();
      }
      say(`${section.title} took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await cleanupAll();
  }

  let profile: unknown = null;
  if (profileDir && existsSync(profileDir)) {
    const summary = summariseProfiles(profileDir);
    profile = summary.json;
    process.stdout.write(`\nWhere Posthorn's CPU time goes (node --cpu-prof):\n${summary.text}\n`);
  }

  const durationS = Math.round((Date.now() - started) / 1000);
  const machine = { ...machineBefore, loadAverageAfter: loadAverage() };
  const table = formatTable(ctx.rows);
  process.stdout.write(
    `\nPosthorn vs Postfix ${machine.postfix ?? '?'} / Dovecot ${machine.dovecot?.split(' ')[0] ?? '?'} ` +
      `(ratio: Posthorn relative to the anchor, > 1 = Posthorn better)\n` +
      `${machine.cpuModel}, ${machine.nproc} cores, ${machine.memTotalMiB} MiB; load average at start ` +
      `${machine.loadAverage.join(' ')}, at end ${machine.loadAverageAfter.join(' ')}; ${durationS} s\n` +
      `${table}\n`,
  );
  for (const note of ctx.notes) process.stdout.write(`note: ${note}\n`);
  for (const failure of failures) process.stdout.write(`FAILED: ${failure.split('\n')[0]}\n`);

  // Only a whole run replaces bench/results.json or results-scale.json (the figures docs/performance.md shows).
  const partial = options.quick || options.only.length > 0;
  const file = partial
    ? join(tmpdir(), 'posthorn-bench-results.json')
    : join(ROOT, 'bench', options.scale ? 'results-scale.json' : 'results.json');
  writeFileSync(
    file,
    JSON.stringify(
      {
        generatedBy: 'npm run bench',
        startedAt: new Date(started).toISOString(),
        durationS,
        options,
        machine,
        loadSamples,
        rows: ctx.rows,
        raw: ctx.raw,
        profile,
        notes: ctx.notes,
        failures,
      },
      null,
      2,
    ) + '\n',
  );
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'prettier'), ['--write', '--log-level', 'warn', file], {
      stdio: 'ignore',
    });
  } catch {
    // formatting is cosmetic
  }
  process.stdout.write(`\nwritten: ${file}\n`);
  if (process.env.BENCH_KEEP) process.stdout.write(`kept (BENCH_KEEP): ${tmp}\n`);
  else rmSync(tmp, { recursive: true, force: true });
  if (failures.length > 0) process.exitCode = 1;
}

await main();
