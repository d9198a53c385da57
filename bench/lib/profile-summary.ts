// Summarises V8 .cpuprofile files (node --cpu-prof) into "where the time goes": per profile, the functions
// with the most self time, the Posthorn functions with the most inclusive time (their callees included), and
// self time per file. Idle time is left out of the percentages.
//
//   node bench/lib/profile-summary.ts DIR     (every *.cpuprofile under DIR)

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = join(import.meta.dirname, '..', '..');

function place(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (url === '') return '';
  if (url.startsWith(ROOT)) return relative(ROOT, url);
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('node_modules/');
  return nm >= 0 ? url.slice(nm) : url;
}

function key(frame: CallFrame): string {
  const where = place(frame);
  const name = frame.functionName || '(anonymous)';
  return where ? `${name} ${where}:${frame.lineNumber + 1}` : name;
}

export interface ProfileFigures {
  file: string;
  totalMs: number;
  idleMs: number;
  self: Array<{ fn: string; ms: number; pct: number }>;
  inclusive: Array<{ fn: string; ms: number; pct: number }>;
  files: Array<{ file: string; ms: number; pct: number }>;
}

export function summariseProfile(path: string, top = 12): ProfileFigures {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    total += ms;
    const k = key(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + ms);
    const f = place(node.callFrame) || node.callFrame.functionName;
    files.set(f, (files.get(f) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!frame.url.includes('/src/')) continue;
      const fk = key(frame);
      if (seen.has(fk)) continue;
      seen.add(fk);
      inclusive.set(fk, (inclusive.get(fk) ?? 0) + ms);
    }
  }
  const list = <T extends string>(m: Map<string, number>, name: T) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => ({
        [name]: k,
        ms: Math.round(ms),
        pct: total > 0 ? (ms / total) * 100 : 0,
      })) as Array<Record<T, string> & { ms: number; pct: number }>;
  return {
    file: path,
    totalMs: Math.round(total),
    idleMs: Math.round(idle),
    self: list(self, 'fn'),
    inclusive: list(inclusive, 'fn'),
    files: list(files, 'file'),
  };
}

function profilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...profilesUnder(path));
    else if (name.endsWith('.cpuprofile')) out.push(path);
  }
  return out.sort();
}

export function summariseProfiles(dir: string): { text: string; json: ProfileFigures[] } {
  const figures = profilesUnder(dir).map((p) => summariseProfile(p));
  const lines: string[] = [];
  for (const f of figures) {
    lines.push('');
    lines.push(
      `${relative(dir, f.file)}: ${(f.totalMs / 1000).toFixed(1)} s on CPU, ${(f.idleMs / 1000).toFixed(1)} s idle`,
    );
    lines.push('  self time (the function itself):');
    for (const s of f.self) lines.push(`    ${s.pct.toFixed(1).padStart(5)} %  ${s.fn}`);
    lines.push('  inclusive time of Posthorn functions (with what they call):');
    for (const s of f.inclusive) lines.push(`    ${s.pct.toFixed(1).padStart(5)} %  ${s.fn}`);
    lines.push('  self time per file:');
    for (const s of f.files) lines.push(`    ${s.pct.toFixed(1).padStart(5)} %  ${s.file}`);
  }
  return { text: lines.join('\n'), json: figures };
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: profile-summary.ts DIR\n');
    process.exit(2);
  }
  process.stdout.write(summariseProfiles(dir).text + '\n');
}
