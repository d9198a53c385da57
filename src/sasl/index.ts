// SASL mechanisms (RFC 4422), server and client side, shared by SMTP AUTH (RFC 4954), IMAP AUTHENTICATE
// (RFC 9051 §6.2.2) and our SMTP client. Mechanisms only parse and encode; protocols do base64 framing,
// cancellation, credential checks, failure delays and limits.
// SCRAM-SHA-256 is not offered: it needs SCRAM keys stored per account, and accounts keep only argon2id hashes.

import { LoginClient, LoginServer } from './login.ts';
import type { SaslClientMechanism, SaslServerMechanism } from './mechanism.ts';
import { PlainClient, PlainServer } from './plain.ts';

export type { SaslClientMechanism, SaslCredentials, SaslServerMechanism, SaslStep } from './mechanism.ts';
export { decodeSaslBase64, encodeSaslBase64 } from './base64.ts';
export { encodePlainMessage, parsePlainMessage, PlainClient, PlainServer } from './plain.ts';
export { LoginClient, LoginServer } from './login.ts';

/** Server mechanisms in the order we advertise them. */
export const SERVER_MECHANISMS = ['PLAIN', 'LOGIN'] as const;
export type ServerMechanismName = (typeof SERVER_MECHANISMS)[number];

/** A fresh server state machine for the (case-insensitive) mechanism name, or null when unsupported. */
export function createServerMechanism(name: string): SaslServerMechanism | null {
  switch (name.toUpperCase()) {
    case 'PLAIN':
      return new PlainServer();
    case 'LOGIN':
      return new LoginServer();
    default:
      return null;
  }
}

/** A client state machine for the first mechanism of `preference` the server offers, or null. */
export function createClientMechanism(
  offered: readonly string[],
  credentials: { authcid: string; password: string; authzid?: string },
  preference: readonly string[] = ['PLAIN', 'LOGIN'],
): SaslClientMechanism | null {
  const upper = new Set(offered.map((m) => m.toUpperCase()));
  for (const name of preference) {
    if (!upper.has(name)) continue;
    if (name === 'PLAIN') return new PlainClient(credentials);
    if (name === 'LOGIN') return new LoginClient(credentials);
  }
  return null;
}
