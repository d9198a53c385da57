// Queue ids: 12 characters of Crockford base32, 9 from the arrival time in milliseconds (good until the
// year 3084) and 3 random, so ids sort roughly by arrival and are easy to read aloud and grep in logs.
// Uniqueness is still enforced by the backend (a clash within one millisecond is retried).

import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 9;
const RANDOM_CHARS = 3;

export function newQueueId(now: Date): string {
  let time = Math.max(0, Math.floor(now.getTime()));
  let id = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    id = ALPHABET[time % 32] + id;
    time = Math.floor(time / 32);
  }
  for (let i = 0; i < RANDOM_CHARS; i++) id += ALPHABET[randomInt(32)];
  return id;
}

export function isQueueId(value: string): boolean {
  return value.length === TIME_CHARS + RANDOM_CHARS && [...value].every((c) => ALPHABET.includes(c));
}
