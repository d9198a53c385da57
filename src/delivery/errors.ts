// Domain errors of inbound mail. Protocols map them to replies in one place (smtp/server/error-replies.ts).

export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/** Too many Received headers: the message is looping (RFC 5321 §6.3). */
export class MailLoop extends DeliveryError {
  override name = 'MailLoop';
}

/** The address is in one of our domains but leads nowhere (no account, alias or catch-all). */
export class UnknownRecipient extends DeliveryError {
  override name = 'UnknownRecipient';
}

/** The address is not ours and this role may not relay (MX without authentication). */
export class RelayDenied extends DeliveryError {
  override name = 'RelayDenied';
}

/** The authenticated user may not use this envelope sender (submission, RFC 6409 §6.1). */
export class SenderNotAllowed extends DeliveryError {
  override name = 'SenderNotAllowed';
}

/** The role requires authentication before a mail transaction (submission, RFC 6409 §4.3). */
export class AuthenticationRequired extends DeliveryError {
  override name = 'AuthenticationRequired';
}

/** Refused by the message authentication policy (DMARC reject: 550 5.7.1; DNS trouble: 451). */
export class PolicyRefusal extends DeliveryError {
  override name = 'PolicyRefusal';
  readonly reply: { code: number; enhanced: string; text: string };
  constructor(reply: { code: number; enhanced: string; text: string }, reason: string) {
    super(reason);
    this.reply = reply;
  }
}
