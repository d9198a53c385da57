// Small adapters over the wire encoders (src/imap/wire/encode.ts) for text the handlers build inline.

import { encodeValues } from '../wire/encode.ts';
import { mailboxName as wireMailboxName } from '../wire/untagged.ts';

/** A response is written as pieces: text (UTF-8) and raw octets. */
export type Piece = string | Buffer;

export function flagList(flags: readonly string[]): string {
  return `(${flags.join(' ')})`;
}

/** A mailbox name as response text: UTF-8 after ENABLE IMAP4rev2 / UTF8=ACCEPT, else modified UTF-7. */
export function mailboxName(name: string, utf8: boolean): string {
  return encodeValues([wireMailboxName(name, utf8)], { utf8 }).toString('utf8');
}
