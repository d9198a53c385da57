// A self-signed certificate for tests, generated once per process in a temporary directory.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { generateSelfSigned } from '../../../src/net/tls-context.ts';

let cached: { context: tls.SecureContext; cert: string; key: string } | null = null;

export function testTls(): { context: tls.SecureContext; cert: string; key: string } {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'posthorn-smtp-tls-'));
  generateSelfSigned('mx.example.org', join(dir, 'cert.pem'), join(dir, 'key.pem'));
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  cached = { context: tls.createSecureContext({ cert, key }), cert, key };
  return cached;
}
