// DKIM key pairs per local domain, as files: data_dir/dkim/<domain>/<selector>.key (PKCS#8 PEM, 0600) for a
// key that can sign, <selector>.pub (SPKI PEM) for a retired key whose public half stays published until the
// operator removes it (signatures made before the rotation still verify while mail is in transit).
//
// Every domain has an Ed25519 key (RFC 8463) and an RSA-2048 key (RFC 6376; RFC 8301 §3.2 wants ≥ 1024 bits,
// and many receivers still do not verify Ed25519). Selectors are "ed-YYYYMMDD" / "rsa-YYYYMMDD", with "-N"
// added when a rotation on the same day needs a new name.
//
// Invariants:
// - Key files are written whole or not at all (durable-file.ts); a new pair is on disk before an old one is
//   retired, so a crash during rotation leaves extra keys, never none.
// - Of several private keys of one algorithm only the newest signs; the others are listed as retired.

import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { normalizeDomain } from '../accounts/address.ts';
import { syncDirectory, unlinkDurably, writeFileDurably } from './durable-file.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

export type DkimAlgorithm = 'ed25519' | 'rsa';
export const DKIM_ALGORITHMS: readonly DkimAlgorithm[] = ['ed25519', 'rsa'];

export const RSA_KEY_BITS = 2048;

export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  /** True for the key that signs outgoing mail: the newest of its algorithm with a private key. */
  signing: boolean;
  publicKey: KeyObject;
  /** Null for a retired key kept only for its published public half. */
  privateKey: KeyObject | null;
  /** The TXT record value for <selector>._domainkey.<domain> (RFC 6376 §3.6.1, RFC 8463 §4.2). */
  dnsValue: string;
  /** When the key file was written (ordering within one selector date). */
  createdAt: Date;
}

export class DkimKeyError extends Error {
  override name = 'DkimKeyError';
}

/** data_dir/dkim/<domain>; the domain is normalised (A-labels, lower case) so it is safe as a path part. */
export function dkimDirectory(dataDir: string, domain: string): string {
  // URL-style parsing inside normalizeDomain would cut "a/b.example" down to "a": refuse such input first.
  if (/[/\\?#@:%]/.test(domain)) throw new DkimKeyError(`not a domain name: "${domain}"`);
  const name = normalizeDomain(domain).toLowerCase();
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) throw new DkimKeyError(`not a domain name: "${domain}"`);
  return join(dataDir, 'dkim', name);
}

/** Every key of the domain, Ed25519 first, newest first within an algorithm. Empty if there are none. */
export function listDomainKeys(dataDir: string, domain: string): DkimKey[] {
  const dir = dkimDirectory(dataDir, domain);
  const name = basename(dir);
  if (!existsSync(dir)) return [];
  const bySelector = new Map<string, { key?: string; pub?: string }>();
  for (const file of readdirSync(dir)) {
    const m = /^([a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)\.(key|pub)$/i.exec(file);
    if (!m) continue;
    const entry = bySelector.get(m[1]!) ?? {};
    entry[m[2] as 'key' | 'pub'] = join(dir, file);
    bySelector.set(m[1]!, entry);
  }
  const keys: DkimKey[] = [];
  for (const [selector, files] of bySelector) {
    // A .pub beside a .key is a retirement cut short by a crash: the private key is still there.
    const path = files.key ?? files.pub!;
    let privateKey: KeyObject | null = null;
    let publicKey: KeyObject;
    try {
      const pem = readFileSync(path, 'utf8');
      if (files.key) {
        privateKey = createPrivateKey(pem);
        publicKey = createPublicKey(privateKey);
      } else {
        publicKey = createPublicKey(pem);
      }
    } catch (err) {
      throw new DkimKeyError(`DKIM key file ${path} is unreadable: ${(err as Error).message}`);
    }
    const algorithm = publicKey.asymmetricKeyType;
    if (algorithm !== 'ed25519' && algorithm !== 'rsa') {
      throw new DkimKeyError(`DKIM key file ${path}: unsupported key type ${String(algorithm)}`);
    }
    keys.push({
      domain: name,
      selector,
      algorithm,
      signing: false,
      publicKey,
      privateKey,
      dnsValue: dkimDnsValue(publicKey),
      createdAt: statSync(path).mtime,
    });
  }
  keys.sort(
    (a, b) => DKIM_ALGORITHMS.indexOf(a.algorithm) - DKIM_ALGORITHMS.indexOf(b.algorithm) || newerFirst(a, b),
  );
  for (const algorithm of DKIM_ALGORITHMS) {
    const newest = keys.find((k) => k.algorithm === algorithm && k.privateKey !== null);
    if (newest) newest.signing = true;
  }
  return keys;
}

/** The keys that sign for the domain (at most one per algorithm). */
export function signingKeys(dataDir: string, domain: string): DkimKey[] {
  return listDomainKeys(dataDir, domain).filter((k) => k.signing);
}

/**
 * Makes sure the domain has a signing key of each algorithm, generating what is missing (called when a
 * domain is added; harmless to call again). Returns the signing keys.
 */
export async function ensureDomainKeys(
  dataDir: string,
  domain: string,
  now = new Date(),
): Promise<DkimKey[]> {
  const existing = signingKeys(dataDir, domain);
  const missing = DKIM_ALGORITHMS.filter((a) => !existing.some((k) => k.algorithm === a));
  if (missing.length > 0) await addKeys(dataDir, domain, missing, now);
  return signingKeys(dataDir, domain);
}

/**
 * New key pairs of both algorithms with new selectors; the old private keys are deleted and their public
 * halves kept (listed by `posthorn dns records`) until removeDomainKey. The new keys sign from now on.
 */
export async function rotateDomainKeys(
  dataDir: string,
  domain: string,
  now = new Date(),
): Promise<{ added: DkimKey[]; retired: DkimKey[] }> {
  const before = listDomainKeys(dataDir, domain).filter((k) => k.privateKey !== null);
  const addedSelectors = await addKeys(dataDir, domain, DKIM_ALGORITHMS, now);
  const dir = dkimDirectory(dataDir, domain);
  for (const key of before) {
    const pem = key.publicKey.export({ format: 'pem', type: 'spki' });
    writeFileDurably(join(dir, `${key.selector}.pub`), pem, 0o644);
    unlinkDurably(join(dir, `${key.selector}.key`));
  }
  const after = listDomainKeys(dataDir, domain);
  return {
    added: after.filter((k) => addedSelectors.includes(k.selector)),
    retired: after.filter((k) => before.some((b) => b.selector === k.selector)),
  };
}

/** Deletes a key for good (after its DNS record is gone). A key that signs cannot be removed. */
export function removeDomainKey(dataDir: string, domain: string, selector: string): DkimKey {
  const dir = dkimDirectory(dataDir, domain);
  const name = basename(dir);
  const key = listDomainKeys(dataDir, domain).find((k) => k.selector === selector);
  if (!key) throw new DkimKeyError(`${name} has no DKIM key with selector "${selector}"`);
  if (key.signing) {
    throw new DkimKeyError(
      `selector "${selector}" signs mail for ${name}; rotate first (posthorn dkim rotate ${name})`,
    );
  }
  for (const ext of ['key', 'pub']) {
    const path = join(dir, `${selector}.${ext}`);
    if (existsSync(path)) unlinkDurably(path);
  }
  return key;
}

/** The DKIM key record: RSA as SPKI DER (RFC 6376 §3.6.1), Ed25519 as the raw 32-byte key (RFC 8463 §4.2). */
export function dkimDnsValue(publicKey: KeyObject): string {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  if (publicKey.asymmetricKeyType === 'ed25519') {
    return `v=DKIM1; k=ed25519; p=${spki.subarray(spki.length - 32).toString('base64')}`;
  }
  return `v=DKIM1; k=rsa; p=${spki.toString('base64')}`;
}

async function addKeys(
  dataDir: string,
  domain: string,
  algorithms: readonly DkimAlgorithm[],
  now: Date,
): Promise<string[]> {
  const dir = dkimDirectory(dataDir, domain);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    syncDirectory(join(dir, '..'));
  }
  const pairs = await Promise.all(
    algorithms.map(async (algorithm) => {
      const { privateKey } =
        algorithm === 'rsa'
          ? await generateKeyPairAsync('rsa', { modulusLength: RSA_KEY_BITS })
          : await generateKeyPairAsync('ed25519');
      return { algorithm, privateKey };
    }),
  );
  const selectors: string[] = [];
  for (const { algorithm, privateKey } of pairs) {
    const selector = freeSelector(dir, algorithm, now);
    writeFileDurably(
      join(dir, `${selector}.key`),
      privateKey.export({ format: 'pem', type: 'pkcs8' }),
      0o600,
    );
    selectors.push(selector);
  }
  return selectors;
}

function freeSelector(dir: string, algorithm: DkimAlgorithm, now: Date): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  const base = `${algorithm === 'ed25519' ? 'ed' : 'rsa'}-${date}`;
  const taken = (s: string) => existsSync(join(dir, `${s}.key`)) || existsSync(join(dir, `${s}.pub`));
  if (!taken(base)) return base;
  for (let n = 2; ; n++) if (!taken(`${base}-${n}`)) return `${base}-${n}`;
}

/** Our selectors order by date and sequence number; other names (imported keys) by file time. */
function newerFirst(a: DkimKey, b: DkimKey): number {
  const order = (k: DkimKey): [number, number] => {
    const m = /^(?:ed|rsa)-(\d{8})(?:-(\d+))?$/.exec(k.selector);
    return m ? [Number(m[1]), Number(m[2] ?? 1)] : [0, 0];
  };
  const [da, sa] = order(a);
  const [db, sb] = order(b);
  return (
    db - da ||
    sb - sa ||
    b.createdAt.getTime() - a.createdAt.getTime() ||
    b.selector.localeCompare(a.selector)
  );
}
