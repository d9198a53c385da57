// SASL LOGIN (draft-murchison-sasl-login): challenges "Username:" then "Password:".
// Not standardised but what many clients (Outlook, older MUAs) use. An initial response carries the user name.

import type { SaslClientMechanism, SaslServerMechanism, SaslStep } from './mechanism.ts';

const USERNAME = Buffer.from('Username:');
const PASSWORD = Buffer.from('Password:');
const MAX_FIELD = 1024;

export class LoginServer implements SaslServerMechanism {
  readonly name = 'LOGIN';
  #username: string | null = null;
  #done = false;

  start(initial: Buffer | null): SaslStep {
    if (initial === null || initial.length === 0) return { kind: 'challenge', data: USERNAME };
    return this.next(initial);
  }

  next(response: Buffer): SaslStep {
    if (this.#done) return { kind: 'malformed', reason: 'unexpected response after completion' };
    const text = decodeField(response);
    if (text === null) {
      this.#done = true;
      return { kind: 'malformed', reason: 'malformed LOGIN response' };
    }
    if (this.#username === null) {
      if (text === '') {
        this.#done = true;
        return { kind: 'malformed', reason: 'empty user name' };
      }
      this.#username = text;
      return { kind: 'challenge', data: PASSWORD };
    }
    this.#done = true;
    if (text === '') return { kind: 'malformed', reason: 'empty password' };
    return { kind: 'credentials', credentials: { authzid: '', authcid: this.#username, password: text } };
  }
}

export class LoginClient implements SaslClientMechanism {
  readonly name = 'LOGIN';
  #username: string;
  #password: string;
  #step = 0;

  constructor(credentials: { authcid: string; password: string }) {
    this.#username = credentials.authcid;
    this.#password = credentials.password;
  }

  initialResponse(): null {
    return null;
  }

  /** Answers by the challenge text when it says which it wants, else by order (user name, then password). */
  respond(challenge: Buffer): Buffer {
    const text = challenge.toString('utf8').toLowerCase();
    const wantsPassword = text.includes('pass') || (!text.includes('user') && this.#step > 0);
    this.#step++;
    return Buffer.from(wantsPassword ? this.#password : this.#username, 'utf8');
  }
}

function decodeField(bytes: Buffer): string | null {
  if (bytes.length > MAX_FIELD || bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
