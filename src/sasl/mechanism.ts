// The shape every server-side SASL mechanism has (RFC 4422): a small state machine fed with the
// client's decoded responses. The protocol (SMTP AUTH, IMAP AUTHENTICATE) does the base64 framing,
// the cancel ("*") handling and the credential check; mechanisms only parse.

export interface SaslCredentials {
  /** Authorization identity; "" when the client asked for none (act as authcid). */
  authzid: string;
  /** Authentication identity: the login name. */
  authcid: string;
  password: string;
}

export type SaslStep =
  /** Send this challenge (the protocol base64-encodes it) and feed the reply to next(). */
  | { kind: 'challenge'; data: Buffer }
  /** The exchange is complete: check these credentials. */
  | { kind: 'credentials'; credentials: SaslCredentials }
  /** The client sent something malformed; the exchange is over. `reason` is for logs (never secrets). */
  | { kind: 'malformed'; reason: string };

export interface SaslServerMechanism {
  readonly name: string;
  /** `initial` is the initial response (SMTP "AUTH PLAIN <ir>", IMAP SASL-IR), or null when absent. */
  start(initial: Buffer | null): SaslStep;
  next(response: Buffer): SaslStep;
}

/** Client side: produces the response to each server challenge. */
export interface SaslClientMechanism {
  readonly name: string;
  /** The initial response to send with the command, or null when the mechanism waits for a challenge. */
  initialResponse(): Buffer | null;
  respond(challenge: Buffer): Buffer;
}
