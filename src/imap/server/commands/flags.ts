// Flags a client may set (RFC 9051 §2.3.2): the system flags and keywords. \Recent cannot be set and is
// dropped; any other backslash flag is refused (flag-extension is reserved for future RFCs).

import { bad } from '../reply.ts';

const SETTABLE = new Set(['\\answered', '\\flagged', '\\deleted', '\\seen', '\\draft']);

export function settableFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (const flag of flags) {
    if (!flag.startsWith('\\')) out.push(flag);
    else if (SETTABLE.has(flag.toLowerCase())) out.push(flag);
    else if (flag.toLowerCase() !== '\\recent') throw bad(`Invalid system flag ${flag}`);
  }
  return out;
}
