// STARTTLS, LOGIN, AUTHENTICATE (RFC 9051 §6.2; RFC 4959 SASL-IR; RFC 5530 response codes).
// Failed attempts wait auth_failure_delay_ms, doubled per failure, the same for unknown users and wrong
// passwords (AccountService equalises the check itself); after max_auth_failures the session ends with BYE.

import { createServerMechanism, type SaslCredentials } from '../../../sasl/index.ts';
import { parseSaslResponse } from '../../wire/parse-command.ts';
import { ImapParseError } from '../../wire/errors.ts';
import type { CommandOf } from '../command-table.ts';
import { bad, no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';

// RFC 9051 §6.2.1: the TLS handshake starts right after the tagged OK; input buffered before it is dropped.
export async function starttls(s: ImapSession): Promise<Completion> {
  if (s.secure) throw bad('TLS is already active');
  if (!s.facts.starttls || !s.ctx.tls) throw bad('STARTTLS is not offered here');
  s.afterReply = async () => {
    await s.transport.startTlsServer(s.ctx.tls!);
  };
  return ok('Begin TLS negotiation now');
}

// RFC 9051 §6.2.3
export async function login(s: ImapSession, c: CommandOf<'LOGIN'>): Promise<Completion> {
  if (!s.authAllowed) throw no('LOGIN is disabled before TLS; use STARTTLS', 'PRIVACYREQUIRED');
  return checkCredentials(s, { authzid: '', authcid: c.userid, password: c.password });
}

// RFC 9051 §6.2.2: challenges and responses in base64; "*" cancels.
export async function authenticate(s: ImapSession, c: CommandOf<'AUTHENTICATE'>): Promise<Completion> {
  if (!s.authAllowed) throw no('AUTHENTICATE is disabled before TLS; use STARTTLS', 'PRIVACYREQUIRED');
  const mechanism = createServerMechanism(c.mechanism);
  if (!mechanism) throw no(`Unsupported mechanism ${c.mechanism}`, 'CANNOT');
  let step = mechanism.start(c.initialResponse);
  for (let round = 0; step.kind === 'challenge'; round++) {
    if (round >= 4) throw bad('Too many SASL rounds');
    const line = await s.continuation(step.data.toString('base64'));
    if (line === null) throw bad('Connection closed during AUTHENTICATE');
    let response;
    try {
      response = parseSaslResponse(line);
    } catch (error) {
      if (error instanceof ImapParseError) throw bad('Invalid base64 in SASL response');
      throw error;
    }
    if (response.cancel) throw bad('AUTHENTICATE cancelled');
    step = mechanism.next(response.data);
  }
  if (step.kind === 'malformed') return failed(s, `SASL ${mechanism.name}: ${step.reason}`);
  return checkCredentials(s, step.credentials);
}

async function checkCredentials(s: ImapSession, credentials: SaslCredentials): Promise<Completion> {
  const { authzid, authcid, password } = credentials;
  const account = await s.ctx.accounts.authenticate(authcid, password);
  // No proxy authorization: an authzid other than the login itself is refused like a wrong password.
  const authorized =
    account && !account.disabled && (authzid === '' || authzid.toLowerCase() === account.address);
  if (!account || !authorized) return failed(s, 'credentials rejected', authcid);
  s.state = { kind: 'authenticated', account };
  s.log.info({ user: account.address }, 'authenticated');
  return ok('Logged in', `CAPABILITY ${s.capabilities().join(' ')}`);
}

async function failed(s: ImapSession, reason: string, user?: string): Promise<Completion> {
  s.authFailures++;
  const config = s.ctx.config.imap;
  s.log.info({ user, reason, failures: s.authFailures }, 'authentication failed');
  await s.ctx.sleep(config.auth_failure_delay_ms * 2 ** (s.authFailures - 1));
  if (s.authFailures >= config.max_auth_failures) {
    s.afterReply = async () => {
      s.untagged('BYE Too many authentication failures');
      s.state = { kind: 'logout' };
    };
  }
  throw no('Authentication failed', 'AUTHENTICATIONFAILED');
}
