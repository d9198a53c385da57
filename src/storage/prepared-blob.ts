// A body ready to store, shared by both backends: hashed (the content address) and its parse serialised
// before the write transaction starts, so the transaction's locks are held briefly.

import { createHash } from 'node:crypto';
import type { ParsedMessage } from '../message/types.ts';

export interface PreparedBlob {
  sha256: Buffer;
  bytes: Buffer;
  parsedJson: string;
}

export function prepareBlob(bytes: Buffer, parsed: ParsedMessage): PreparedBlob {
  return {
    sha256: createHash('sha256').update(bytes).digest(),
    bytes,
    parsedJson: JSON.stringify(parsed),
  };
}
