// EHLO and HELO (RFC 5321 §4.1.1.1). Both reset any transaction (§4.1.4). The EHLO keywords depend on
// the session: STARTTLS only before TLS, AUTH only where the policy offers it.

import { SERVER_MECHANISMS } from '../../../sasl/index.ts';
import type { CommandOf, CommandHandler } from './table.ts';
import { replies } from '../../wire/reply-table.ts';
import type { SmtpSession } from '../session.ts';

export const hello: CommandHandler<CommandOf<'EHLO'>> = {
  needs: 'nothing',
  run(s, c) {
    const extended = c.verb === 'EHLO';
    s.state = { phase: 'ready', helo: { domain: c.domain, extended } };
    s.reply(extended ? replies.ehlo([s.deps.hostname, ...ehloKeywords(s)]) : replies.helo(s.deps.hostname));
  },
};

export function ehloKeywords(s: SmtpSession): string[] {
  const keywords = ['PIPELINING', `SIZE ${s.limits.maxMessageSize}`];
  if (!s.secure && s.deps.tls) keywords.push('STARTTLS');
  if (s.deps.policy.authOffered(s.secure)) keywords.push(`AUTH ${SERVER_MECHANISMS.join(' ')}`);
  keywords.push('ENHANCEDSTATUSCODES', '8BITMIME', 'DSN', 'SMTPUTF8', 'CHUNKING');
  return keywords;
}
