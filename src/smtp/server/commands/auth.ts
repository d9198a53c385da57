// AUTH (RFC 4954) with the SASL mechanisms of src/sasl: 334 challenges, "*" cancels (501), invalid base64
// is refused (501), success 235 2.7.0, failure 535 5.7.8 after a growing delay; too many failures close
// the session. Unknown user and wrong password are answered alike (no oracle). Nothing here is logged raw.

import { createServerMechanism, decodeSaslBase64, encodeSaslBase64 } from '../../../sasl/index.ts';
import type { SmtpReply } from '../../wire/reply-parser.ts';
import { replies } from '../../wire/reply-table.ts';
import type { SessionUser } from '../directory.ts';
import type { SmtpSession } from '../session.ts';
import type { CommandHandler, CommandOf } from './table.ts';

export const auth: CommandHandler<CommandOf<'AUTH'>> = {
  needs: 'helo',
  async run(s, c) {
    const policy = s.deps.policy;
    if (!policy.authOffered(s.secure)) {
      return s.reply(policy.authNeedsTls(s.secure) ? replies.encryptionRequired : replies.authNotAvailable);
    }
    if (s.user) return s.reply(replies.alreadyAuthenticated);
    if (s.state.phase === 'mail') return s.reply(replies.authInTransaction);
    const mechanism = createServerMechanism(c.mechanism);
    if (!mechanism) return s.reply(replies.mechanismUnknown);

    let initial: Buffer | null = null;
    if (c.initialResponse !== null) {
      initial = decodeSaslBase64(c.initialResponse);
      if (!initial) return s.reply(replies.authBadBase64);
    }
    let step = mechanism.start(initial);
    while (step.kind === 'challenge') {
      s.reply(replies.authChallenge(encodeSaslBase64(step.data)));
      const line = await s.readAuthLine();
      if (line === null) return;
      if (line === 'too-long') return s.reply(replies.authLineTooLong);
      if (line === '*') return s.reply(replies.authCancelled);
      const response = decodeSaslBase64(line);
      if (!response) return s.reply(replies.authBadBase64);
      step = mechanism.next(response);
    }
    if (step.kind === 'malformed') return failed(s, replies.authMalformed, { reason: step.reason });

    const { authzid, authcid, password } = step.credentials;
    // We do not let one user act for another: an authorization identity must name the user itself.
    if (authzid !== '' && authzid.toLowerCase() !== authcid.toLowerCase()) {
      return failed(s, replies.authInvalid, { login: authcid, reason: 'authzid differs' });
    }
    let user: SessionUser | null;
    try {
      user = await s.deps.directory.authenticate(authcid, password);
    } catch (err) {
      s.log.warn({ err: (err as Error).message }, 'authentication backend failed');
      return s.reply(replies.authTemporaryFailure);
    }
    if (!user) return failed(s, replies.authInvalid, { login: authcid });
    s.user = user;
    s.log.info({ user: user.address, mechanism: mechanism.name }, 'authenticated');
    s.reply(replies.authSucceeded);
  },
};

async function failed(s: SmtpSession, reply: SmtpReply, info: Record<string, unknown>): Promise<void> {
  s.authFailures++;
  await s.sleep(s.limits.authFailureDelayMs * 2 ** (s.authFailures - 1));
  s.log.info({ ...info, failures: s.authFailures }, 'authentication failed');
  s.reply(reply);
  if (s.authFailures >= s.limits.maxAuthFailures) {
    s.reply(replies.tooManyAuthFailures);
    s.close();
  }
}
