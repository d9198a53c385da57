// DKIM signing of outgoing mail from local domains (RFC 6376, RFC 8463): one DKIM-Signature per signing key
// of the From domain (Ed25519 and RSA-SHA256), relaxed/relaxed, prepended to the message.
//
// Keys are read from data_dir/dkim/<domain>/ (dkim-keys.ts) and cached per domain until the directory
// changes, so `posthorn dkim rotate` in another process takes effect with the next message.

import { statSync } from 'node:fs';
import { dkimSign, type DKIMSignOptions } from 'mailauth';
import type { Clock } from '../app/context.ts';
import type { Logger } from '../log/logger.ts';
import { dkimDirectory, signingKeys, type DkimKey } from './dkim-keys.ts';

export interface DkimSignerOptions {
  dataDir: string;
  /** This server's host name, for log lines. */
  hostname: string;
  log?: Logger;
  /** Signing time (t=); the system clock by default. */
  clock?: Clock;
}

export interface DkimSigner {
  /**
   * The message with DKIM-Signature fields prepended, one per signing key of `fromDomain`; the message
   * unchanged (and a log line) when the domain has no keys. Throws DkimSignError when a key exists but
   * cannot sign (unreadable file): a fault to answer with 4xx, not a reason to send unsigned mail.
   */
  sign(message: Buffer, fromDomain: string): Promise<Buffer>;
}

export class DkimSignError extends Error {
  override name = 'DkimSignError';
}

/** Signs mailauth's default header list (From, To, Subject, Date, Message-ID, MIME fields…). */
export function createDkimSigner(options: DkimSignerOptions): DkimSigner {
  const cache = new Map<string, { stamp: number; keys: { selector: string; pem: string }[] }>();

  function keysFor(domain: string): { selector: string; pem: string }[] {
    const dir = dkimDirectory(options.dataDir, domain);
    let stamp: number;
    try {
      stamp = statSync(dir).mtimeMs;
    } catch {
      cache.delete(domain);
      return [];
    }
    const cached = cache.get(domain);
    if (cached && cached.stamp === stamp) return cached.keys;
    let keys: DkimKey[];
    try {
      keys = signingKeys(options.dataDir, domain);
    } catch (err) {
      throw new DkimSignError((err as Error).message);
    }
    const entry = {
      stamp,
      keys: keys.map((k) => ({
        selector: k.selector,
        pem: k.privateKey!.export({ format: 'pem', type: 'pkcs8' }) as string,
      })),
    };
    cache.set(domain, entry);
    return entry.keys;
  }

  return {
    async sign(message, fromDomain) {
      const domain = fromDomain.toLowerCase().replace(/\.$/, '');
      const keys = keysFor(domain);
      if (keys.length === 0) {
        options.log?.warn({ domain, hostname: options.hostname }, 'no DKIM keys for domain; not signed');
        return message;
      }
      // mailauth signs once per signatureData entry; its typings wrongly require top-level key fields too.
      const signOptions = {
        canonicalization: 'relaxed/relaxed',
        signTime: options.clock?.now() ?? new Date(),
        signatureData: keys.map((k) => ({ signingDomain: domain, selector: k.selector, privateKey: k.pem })),
      } as DKIMSignOptions;
      const result = await dkimSign(message, signOptions);
      if (result.errors.length > 0) {
        const first = result.errors[0] as { selector?: string; err?: Error };
        throw new DkimSignError(
          `DKIM signing for ${domain} (s=${first.selector}) failed: ${first.err?.message}`,
        );
      }
      options.log?.debug({ domain, selectors: keys.map((k) => k.selector) }, 'DKIM signed');
      return Buffer.concat([Buffer.from(result.signatures, 'latin1'), message]);
    },
  };
}
