// Accounts: users, password hashes (argon2id PHC strings), address syntax and normalisation, and
// address -> account resolution (aliases, catch-all, +tag subaddressing, postmaster).
// Invariants: stored addresses are in normal form (domain lower-case A-labels, local part as given);
// an address is either an account or an alias, never both; login timing does not reveal whether a user exists.

export {
  normalizeDomain,
  parseAddress,
  parseAliasAddress,
  splitSubaddress,
  type ParsedAddress,
} from './address.ts';
export { AccountError, InvalidAddress, InvalidPassword } from './errors.ts';
export {
  DEFAULT_ARGON2,
  TEST_ARGON2,
  hashPassword,
  needsRehash,
  parseHash,
  verifyPassword,
  type Argon2Params,
} from './password.ts';
export type { LocalTarget, RemoteTarget, Resolution, Target } from './resolve.ts';
export { AccountService, type AccountServiceOptions } from './service.ts';
