// The rules that differ between the two roles of the same SMTP code (DESIGN.md §3.3):
//   MX (RFC 5321):          no AUTH; any sender; recipients only in our domains (never an open relay).
//   submission (RFC 6409):  AUTH offered only under TLS and required before MAIL; the sender must be the
//                           user's own address or alias; recipients anywhere.
// Refusals are domain errors; error-replies.ts turns them into SMTP replies.

import type { RecipientTarget } from '../../delivery/envelope.ts';
import {
  AuthenticationRequired,
  RelayDenied,
  SenderNotAllowed,
  UnknownRecipient,
} from '../../delivery/errors.ts';
import type { Mailbox } from '../wire/path.ts';
import type { MailDirectory, SessionUser } from './directory.ts';

export type SmtpRole = 'mx' | 'submission';

export interface SmtpPolicy {
  readonly role: SmtpRole;
  /** AUTH is advertised and accepted (given whether the session is under TLS). */
  authOffered(secure: boolean): boolean;
  /** AUTH would be offered once TLS is on (so AUTH before STARTTLS gets 538, not 502). */
  authNeedsTls(secure: boolean): boolean;
  /** MAIL FROM. Throws AuthenticationRequired or SenderNotAllowed. */
  checkSender(user: SessionUser | null, sender: Mailbox | null): Promise<void>;
  /** RCPT TO. Returns where the address leads; throws UnknownRecipient, RelayDenied, AuthenticationRequired. */
  routeRecipient(user: SessionUser | null, recipient: Mailbox): Promise<RecipientTarget[]>;
}

export function mxPolicy(directory: MailDirectory): SmtpPolicy {
  return {
    role: 'mx',
    authOffered: () => false,
    authNeedsTls: () => false,
    async checkSender() {},
    async routeRecipient(_user, recipient) {
      const route = await directory.route(recipient);
      if (route.kind === 'local') return route.targets;
      if (route.kind === 'unknown') throw new UnknownRecipient(recipient.address);
      throw new RelayDenied(recipient.address);
    },
  };
}

export function submissionPolicy(directory: MailDirectory): SmtpPolicy {
  return {
    role: 'submission',
    authOffered: (secure) => secure,
    authNeedsTls: (secure) => !secure,
    async checkSender(user, sender) {
      if (!user) throw new AuthenticationRequired('MAIL before AUTH');
      // The null sender is for bounces and reports made by MTAs, not for users (RFC 6409 §6.1).
      if (!sender || !(await directory.maySendAs(user, sender))) {
        throw new SenderNotAllowed(`${user.address} may not send as <${sender?.address ?? ''}>`);
      }
    },
    async routeRecipient(user, recipient) {
      if (!user) throw new AuthenticationRequired('RCPT before AUTH');
      const route = await directory.route(recipient);
      if (route.kind === 'local') return route.targets;
      if (route.kind === 'unknown') throw new UnknownRecipient(recipient.address);
      return [{ kind: 'remote', address: recipient.address }];
    },
  };
}
