// TLS material: the configured certificate and key, or a self-signed pair generated once in data_dir.
// Node cannot create X.509 certificates itself, so generation uses the openssl command.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tls from 'node:tls';

export interface TlsMaterial {
  cert: string;
  key: string;
  context: tls.SecureContext;
  /** Where the pair came from, for the start-up message. */
  source: 'configured' | 'generated' | 'reused';
  certPath: string;
}

export function loadTlsMaterial(opts: {
  cert: string | null;
  key: string | null;
  dataDir: string;
  hostname: string;
}): TlsMaterial {
  if (opts.cert && opts.key) {
    const cert = readFileSync(opts.cert, 'utf8');
    const key = readFileSync(opts.key, 'utf8');
    return {
      cert,
      key,
      context: tls.createSecureContext({ cert, key }),
      source: 'configured',
      certPath: opts.cert,
    };
  }
  if (opts.cert || opts.key) throw new Error('tls.cert and tls.key must be given together');
  const dir = join(opts.dataDir, 'tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  let source: TlsMaterial['source'] = 'reused';
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    generateSelfSigned(opts.hostname, certPath, keyPath);
    source = 'generated';
  }
  const cert = readFileSync(certPath, 'utf8');
  const key = readFileSync(keyPath, 'utf8');
  return { cert, key, context: tls.createSecureContext({ cert, key }), source, certPath };
}

export function generateSelfSigned(hostname: string, certPath: string, keyPath: string): void {
  const san = /^[\d.]+$/.test(hostname) ? `IP:${hostname}` : `DNS:${hostname}`;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '3650',
        '-subj',
        `/CN=${hostname}`,
        '-addext',
        `subjectAltName=${san},DNS:localhost,IP:127.0.0.1`,
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    throw new Error(
      `could not generate a self-signed TLS certificate with openssl (${(err as Error).message}); ` +
        'install openssl or set tls.cert and tls.key',
    );
  }
}
