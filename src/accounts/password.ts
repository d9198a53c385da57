// Password hashes: argon2id (RFC 9106) via node:crypto, stored as PHC strings
// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>" (unpadded standard base64), the format
// the reference implementation and other servers read, so hashes can move between systems.

import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidPassword } from './errors.ts';

export interface Argon2Params {
  /** Memory in KiB (m). */
  memoryKiB: number;
  /** Passes over memory (t). */
  passes: number;
  /** Lanes (p). */
  parallelism: number;
  saltBytes: number;
  hashBytes: number;
}

/** OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): ~20-40 ms per login on a server core. */
export const DEFAULT_ARGON2: Argon2Params = {
  memoryKiB: 19_456,
  passes: 2,
  parallelism: 1,
  saltBytes: 16,
  hashBytes: 32,
};

/** Cheap parameters for tests only. */
export const TEST_ARGON2: Argon2Params = {
  memoryKiB: 64,
  passes: 1,
  parallelism: 1,
  saltBytes: 16,
  hashBytes: 32,
};

// Bounds on what a stored hash may ask for, so a corrupt or hostile row cannot exhaust memory or CPU.
const LIMITS = {
  memoryKiB: 4 * 1024 * 1024,
  passes: 64,
  parallelism: 64,
  saltBytes: [8, 64],
  hashBytes: [16, 128],
};
const MAX_PASSWORD_OCTETS = 4096;

export interface ParsedHash {
  params: Argon2Params;
  salt: Buffer;
  hash: Buffer;
}

const PHC = /^\$argon2id\$v=19\$m=(\d{1,10}),t=(\d{1,4}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** The parts of an argon2id PHC string within sane bounds, or null. */
export function parseHash(phc: string): ParsedHash | null {
  const match = PHC.exec(phc);
  if (!match) return null;
  const [, m, t, p, saltText, hashText] = match;
  const salt = Buffer.from(saltText!, 'base64');
  const hash = Buffer.from(hashText!, 'base64');
  const params: Argon2Params = {
    memoryKiB: Number(m),
    passes: Number(t),
    parallelism: Number(p),
    saltBytes: salt.length,
    hashBytes: hash.length,
  };
  const ok =
    params.parallelism >= 1 &&
    params.parallelism <= LIMITS.parallelism &&
    params.memoryKiB >= 8 * params.parallelism &&
    params.memoryKiB <= LIMITS.memoryKiB &&
    params.passes >= 1 &&
    params.passes <= LIMITS.passes &&
    salt.length >= LIMITS.saltBytes[0]! &&
    salt.length <= LIMITS.saltBytes[1]! &&
    hash.length >= LIMITS.hashBytes[0]! &&
    hash.length <= LIMITS.hashBytes[1]!;
  return ok ? { params, salt, hash } : null;
}

function derive(password: string, salt: Buffer, params: Argon2Params): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: Buffer.from(password, 'utf8'),
        nonce: salt,
        parallelism: params.parallelism,
        tagLength: params.hashBytes,
        memory: params.memoryKiB,
        passes: params.passes,
      },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** Hashes with a fresh random salt. The password is used as its UTF-8 bytes, unchanged. */
export async function hashPassword(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  if (password === '') throw new InvalidPassword('the password is empty');
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_OCTETS) {
    throw new InvalidPassword(`the password is longer than ${MAX_PASSWORD_OCTETS} octets`);
  }
  const salt = randomBytes(params.saltBytes);
  const hash = await derive(password, salt, params);
  const { memoryKiB: m, passes: t, parallelism: p } = params;
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
}

/** True when `password` matches; false for a wrong password or an unusable hash. Constant-time compare. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const parsed = parseHash(phc);
  if (!parsed || Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_OCTETS) return false;
  const candidate = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when the stored hash was made with other parameters than `params` (rehash at next login). */
export function needsRehash(phc: string, params: Argon2Params): boolean {
  const parsed = parseHash(phc);
  if (!parsed) return true;
  const current = parsed.params;
  return (
    current.memoryKiB !== params.memoryKiB ||
    current.passes !== params.passes ||
    current.parallelism !== params.parallelism ||
    current.saltBytes !== params.saltBytes ||
    current.hashBytes !== params.hashBytes
  );
}
