// Random passwords for new accounts (`account add --generate-password`, `init`, `npm start`'s demo account).

import { randomInt } from 'node:crypto';

// No 0/o, 1/l/i: easy to read aloud and to type from a screen.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Four groups of five characters: about 99 bits of randomness. */
export function generatePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let group = '';
    for (let i = 0; i < 5; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}
