// SASL PLAIN (RFC 4616): message = [authzid] NUL authcid NUL passwd, all UTF-8.
// Server side parses; client side encodes. Used by SMTP AUTH and IMAP AUTHENTICATE.

import type { SaslClientMechanism, SaslCredentials, SaslServerMechanism, SaslStep } from './mechanism.ts';

const NUL = 0;
/** RFC 4616 §2: each field is at most 255 octets. */
const MAX_FIELD = 255;

/** Parses a PLAIN message; null when it is malformed (wrong field count, empty authcid/passwd, bad UTF-8). */
export function parsePlainMessage(message: Buffer): SaslCredentials | null {
  const first = message.indexOf(NUL);
  if (first < 0) return null;
  const second = message.indexOf(NUL, first + 1);
  if (second < 0 || message.indexOf(NUL, second + 1) >= 0) return null;
  const fields = [
    message.subarray(0, first),
    message.subarray(first + 1, second),
    message.subarray(second + 1),
  ];
  if (fields.some((f) => f.length > MAX_FIELD)) return null;
  const [authzid, authcid, password] = fields.map(decodeUtf8);
  if (authzid === null || authcid === null || password === null) return null;
  if (authcid === '' || password === '') return null;
  return { authzid: authzid!, authcid: authcid!, password: password! };
}

/** Encodes the PLAIN message for a client (RFC 4616 §2). */
export function encodePlainMessage(credentials: {
  authcid: string;
  password: string;
  authzid?: string;
}): Buffer {
  return Buffer.from(`${credentials.authzid ?? ''}\0${credentials.authcid}\0${credentials.password}`, 'utf8');
}

export class PlainServer implements SaslServerMechanism {
  readonly name = 'PLAIN';
  #done = false;

  start(initial: Buffer | null): SaslStep {
    // Without an initial response the server sends an empty challenge (RFC 4616 §2).
    if (initial === null) return { kind: 'challenge', data: Buffer.alloc(0) };
    return this.next(initial);
  }

  next(response: Buffer): SaslStep {
    if (this.#done) return { kind: 'malformed', reason: 'unexpected response after completion' };
    this.#done = true;
    const credentials = parsePlainMessage(response);
    if (!credentials) return { kind: 'malformed', reason: 'malformed PLAIN message' };
    return { kind: 'credentials', credentials };
  }
}

export class PlainClient implements SaslClientMechanism {
  readonly name = 'PLAIN';
  #message: Buffer;

  constructor(credentials: { authcid: string; password: string; authzid?: string }) {
    this.#message = encodePlainMessage(credentials);
  }

  initialResponse(): Buffer {
    return this.#message;
  }

  respond(): Buffer {
    return this.#message;
  }
}

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
