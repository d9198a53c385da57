// What to do with a message once SPF, DKIM, DMARC and ARC have been evaluated: a pure decision over the
// results, so every rule is tested without DNS.
//
// Order of the rules:
// 1. DMARC pass → accept.
// 2. DMARC temperror, or DMARC fail while SPF or a DKIM signature had a temporary DNS error (it might have
//    passed and aligned) → dns_trouble (451 by default: DNS trouble is never a reason for a 5xx).
// 3. DMARC fail with a passing ARC chain sealed by a trusted forwarder → accept (RFC 8617 §7.2 local policy).
// 4. DMARC fail → the action for the policy the domain asks for: p=reject → dmarc_reject (550 5.7.1 by
//    default), p=quarantine → dmarc_quarantine (Junk by default), p=none → accept.
// 5. No DMARC verdict: several From fields → dmarc_reject (a known way to slip past DMARC); several
//    author domains → junk; SPF fail on MAIL FROM → spf_fail (accept by default).

import type { Config } from '../config/schema.ts';

export type FailureAction = 'reject' | 'junk' | 'accept';
export type Verdict = 'accept' | 'junk' | 'reject' | 'tempfail';

export interface InboundPolicy {
  /** DMARC failed and the author domain publishes p=reject (RFC 7489 §6.3). */
  dmarcReject: FailureAction;
  /** DMARC failed and the author domain publishes p=quarantine. */
  dmarcQuarantine: FailureAction;
  /** SPF "fail" for MAIL FROM when DMARC gave no verdict (no record). */
  spfFail: FailureAction;
  /** A result that decides the outcome could not be found because of DNS trouble. */
  dnsTrouble: 'tempfail' | 'accept';
  /** ARC sealing domains (d= of the newest ARC-Seal) whose passing chain overrides a DMARC failure. */
  trustedArcSealers: string[];
}

export const defaultInboundPolicy: InboundPolicy = {
  dmarcReject: 'reject',
  dmarcQuarantine: 'junk',
  spfFail: 'accept',
  dnsTrouble: 'tempfail',
  trustedArcSealers: [],
};

export function inboundPolicyFromConfig(config: Config): InboundPolicy {
  const a = config.auth;
  return {
    dmarcReject: a.dmarc_reject as FailureAction,
    dmarcQuarantine: a.dmarc_quarantine as FailureAction,
    spfFail: a.spf_fail as FailureAction,
    dnsTrouble: a.dns_trouble as 'tempfail' | 'accept',
    trustedArcSealers: [...a.arc_trusted_sealers],
  };
}

/** The results the decision needs, taken from mailauth's answer. */
export interface AuthSummary {
  spf: string; // pass | fail | softfail | neutral | none | temperror | permerror
  heloSpf?: string;
  dkim: { result: string; domain?: string }[];
  dmarc: { result: string; policy: string; domain: string } | null;
  /** Why DMARC was not evaluated (mailauth's dmarcSkipReason). */
  dmarcSkipped?: string;
  arc: { result: string; sealer?: string };
}

export interface Decision {
  verdict: Verdict;
  reason?: string;
  reply?: SmtpReplyData;
}

export interface SmtpReplyData {
  code: number;
  enhanced: string;
  text: string;
}

export function decideVerdict(s: AuthSummary, policy: InboundPolicy): Decision {
  const dnsTrouble = s.spf === 'temperror' || s.dkim.some((d) => d.result === 'temperror');
  const dmarc = s.dmarc;

  if (dmarc?.result === 'pass') return { verdict: 'accept' };
  if (dmarc?.result === 'temperror' || (dmarc?.result === 'fail' && dnsTrouble)) {
    return trouble(policy, `DNS failure while checking DMARC for ${dmarc.domain}`);
  }
  if (dmarc?.result === 'fail') {
    const sealer = s.arc.sealer?.toLowerCase();
    if (
      s.arc.result === 'pass' &&
      sealer &&
      policy.trustedArcSealers.some((t) => t.toLowerCase() === sealer)
    ) {
      return {
        verdict: 'accept',
        reason: `DMARC failed for ${dmarc.domain}; ARC chain sealed by ${sealer} passes`,
      };
    }
    const what = `DMARC policy of ${dmarc.domain} (p=${dmarc.policy}) not met`;
    if (dmarc.policy === 'reject') return act(policy.dmarcReject, what, '5.7.1');
    if (dmarc.policy === 'quarantine') return act(policy.dmarcQuarantine, what, '5.7.1');
    return { verdict: 'accept', reason: `${what}; the domain asks for no action` };
  }
  if (s.dmarcSkipped === 'multiple-from-fields') {
    return act(policy.dmarcReject, 'more than one From field (RFC 5322 §3.6)', '5.7.1');
  }
  if (s.dmarcSkipped === 'multiple-author-domains' || s.dmarcSkipped === 'invalid-author-domain') {
    return { verdict: 'junk', reason: `DMARC cannot be evaluated (${s.dmarcSkipped})` };
  }
  if (policy.spfFail !== 'accept') {
    if (s.spf === 'temperror') return trouble(policy, 'DNS failure while checking SPF');
    // RFC 7372 §3.2: 5.7.23 for an SPF failure.
    if (s.spf === 'fail') return act(policy.spfFail, 'SPF check of the sender address failed', '5.7.23');
  }
  return { verdict: 'accept' };
}

function act(action: FailureAction, reason: string, enhanced: string): Decision {
  if (action === 'reject') {
    return { verdict: 'reject', reason, reply: { code: 550, enhanced, text: `Message rejected: ${reason}` } };
  }
  return { verdict: action, reason };
}

function trouble(policy: InboundPolicy, reason: string): Decision {
  if (policy.dnsTrouble === 'accept') return { verdict: 'accept', reason };
  return {
    verdict: 'tempfail',
    reason,
    reply: { code: 451, enhanced: '4.4.3', text: `${reason}; try again later` },
  };
}
