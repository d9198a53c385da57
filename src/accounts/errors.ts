// Errors of the accounts service: input that cannot become an account, alias or password.
// Storage outcomes (AlreadyExists, NotFound, NotEmpty) come from storage/ports.ts unchanged.

export class AccountError extends Error {
  override name = 'AccountError';
}

/** The text is not a usable mail address; the message says exactly what is wrong. */
export class InvalidAddress extends AccountError {
  override name = 'InvalidAddress';
}

export class InvalidPassword extends AccountError {
  override name = 'InvalidPassword';
}
