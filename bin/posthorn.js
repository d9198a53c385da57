#!/usr/bin/env node
// Launcher: Posthorn needs Node.js 24 (node:sqlite, crypto.argon2, type stripping).
// When started by an older system Node, re-run on the Node 24 that `npm install` brought.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import(entry);
} else {
  const local = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    console.error('posthorn: Node.js 24 is required; run `npm install` in ' + root + ' first');
    process.exit(1);
  }
  const r = spawnSync(local, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
