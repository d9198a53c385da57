// Email authentication: DKIM keys per local domain and signing of outgoing mail (RFC 6376, RFC 8463);
// inbound SPF, DKIM, DMARC and ARC checks on the MX role with one Authentication-Results field in our name
// (RFC 7208, RFC 7489, RFC 8617, RFC 8601) and a policy verdict. mailauth does the cryptography and the
// record parsing; DNS is always injected (dns-lookup.ts), so all of it runs on loopback in tests.
//
// Invariants: DNS trouble never yields a permanent rejection; a domain always keeps at least one key pair
// during rotation; Authentication-Results fields claiming our host name never reach a mailbox.

export { applyAuthResults, authservIdOf, stripForgedAuthResults } from './auth-results.ts';
export {
  DKIM_ALGORITHMS,
  DkimKeyError,
  dkimDirectory,
  dkimDnsValue,
  ensureDomainKeys,
  listDomainKeys,
  removeDomainKey,
  rotateDomainKeys,
  signingKeys,
  type DkimAlgorithm,
  type DkimKey,
} from './dkim-keys.ts';
export { createDkimSigner, DkimSignError, type DkimSigner, type DkimSignerOptions } from './dkim-signer.ts';
export {
  createNodeDnsLookup,
  dnsLookupError,
  isDefiniteAnswer,
  lookupFromResolver,
  toDnsLookup,
  type DnsLookup,
} from './dns-lookup.ts';
export {
  decideVerdict,
  defaultInboundPolicy,
  inboundPolicyFromConfig,
  type AuthSummary,
  type FailureAction,
  type InboundPolicy,
  type SmtpReplyData,
  type Verdict,
} from './inbound-policy.ts';
export {
  createInboundVerifier,
  type InboundVerifier,
  type InboundVerifierOptions,
  type VerifyInput,
  type VerifyResult,
} from './inbound-verifier.ts';
