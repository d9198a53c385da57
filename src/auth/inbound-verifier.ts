// Inbound checks for the MX role at the end of DATA: SPF for MAIL FROM and HELO (RFC 7208), DKIM (RFC 6376,
// RFC 8463), DMARC with strict and relaxed alignment (RFC 7489), ARC (RFC 8617), all by mailauth with our
// resolver injected; one Authentication-Results field in our name (RFC 8601); a verdict from
// inbound-policy.ts. verify() never throws: an unexpected failure is a temporary one (451 4.3.0).

import { authenticate, spf, type AuthenticateResult } from 'mailauth';
import { isIP } from 'node:net';
import type { Resolver } from '../dns/resolver.ts';
import type { Logger } from '../log/logger.ts';
import { toDnsLookup, type DnsLookup } from './dns-lookup.ts';
import {
  decideVerdict,
  defaultInboundPolicy,
  type AuthSummary,
  type InboundPolicy,
  type SmtpReplyData,
  type Verdict,
} from './inbound-policy.ts';

export interface InboundVerifierOptions {
  /** Our host name: the authserv-id of the Authentication-Results field. */
  hostname: string;
  /** The Resolver port, or a mailauth-style lookup function (tests inject records either way). */
  resolver: Resolver | DnsLookup;
  policy?: Partial<InboundPolicy>;
  log?: Logger;
  /** Budget for all the lookups of one message; past it the verdict is a temporary failure. Default 60 s. */
  timeoutMs?: number;
}

export interface VerifyInput {
  /** The message as received (before our Received field is added). */
  message: Buffer;
  /** MAIL FROM address without brackets; "" for the null reverse-path. */
  mailFrom: string;
  helo: string;
  remoteIp: string;
}

export interface VerifyResult {
  verdict: Verdict;
  /** "Authentication-Results: <hostname>; …" folded with CRLF, no final CRLF. */
  authResultsHeader: string;
  reason?: string;
  /** The reply for 'reject' (550 5.7.x) and 'tempfail' (451 4.x.x). */
  reply?: SmtpReplyData;
  /** Method results, for logs and tests. */
  summary: AuthSummary;
}

export interface InboundVerifier {
  verify(input: VerifyInput): Promise<VerifyResult>;
}

export function createInboundVerifier(options: InboundVerifierOptions): InboundVerifier {
  const policy: InboundPolicy = { ...defaultInboundPolicy, ...options.policy };
  const lookup = toDnsLookup(options.resolver);
  // mailauth's typings list only string results; MX answers are objects as in node's dns.resolve.
  const resolver = lookup as unknown as (name: string, rrtype: string) => Promise<string[]>;
  const hostname = options.hostname.toLowerCase().replace(/\.$/, '');

  const timeoutMs = options.timeoutMs ?? 60_000;

  async function evaluate(input: VerifyInput): Promise<VerifyResult> {
    const ip = input.remoteIp.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const result = await authenticate(input.message, {
      ip,
      helo: input.helo,
      sender: input.mailFrom,
      mta: hostname,
      resolver,
      disableBimi: true,
    });
    const heloSpf = await checkHelo(input, ip, hostname, resolver);
    const summary = summarize(result, heloSpf?.status.result);
    const decision = decideVerdict(summary, policy);
    const authResultsHeader = formatAuthResults(hostname, result, heloSpf?.info);
    options.log?.info(
      {
        verdict: decision.verdict,
        reason: decision.reason,
        spf: summary.spf,
        dkim: summary.dkim.map((d) => `${d.result}${d.domain ? `:${d.domain}` : ''}`),
        dmarc: summary.dmarc?.result ?? 'none',
        arc: summary.arc.result,
      },
      'sender authentication',
    );
    return { ...decision, authResultsHeader, summary };
  }

  const temporaryFailure = (reason: string, enhanced: string, text: string): VerifyResult => ({
    verdict: 'tempfail',
    reason,
    reply: { code: 451, enhanced, text },
    authResultsHeader: `Authentication-Results: ${hostname}; none`,
    summary: { spf: 'none', dkim: [], dmarc: null, arc: { result: 'none' } },
  });

  return {
    async verify(input) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<VerifyResult>((resolve) => {
        timer = setTimeout(() => {
          options.log?.warn({ timeoutMs }, 'sender authentication took too long');
          resolve(
            temporaryFailure(
              'DNS lookups took too long',
              '4.4.3',
              'DNS lookups took too long; try again later',
            ),
          );
        }, timeoutMs);
        timer.unref();
      });
      try {
        return await Promise.race([evaluate(input), expired]);
      } catch (err) {
        options.log?.error({ err }, 'sender authentication failed unexpectedly');
        return temporaryFailure(
          'sender authentication failed unexpectedly',
          '4.3.0',
          'Temporary failure checking the message; try again later',
        );
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** RFC 7208 §2.3: the HELO identity is checked too when MAIL FROM is not empty (else SPF already used it). */
async function checkHelo(
  input: VerifyInput,
  ip: string,
  hostname: string,
  resolver: (name: string, rrtype: string) => Promise<string[]>,
) {
  const helo = input.helo.replace(/^\[|\]$/g, '');
  if (input.mailFrom === '' || helo === '' || isIP(helo) !== 0 || !helo.includes('.')) return null;
  return spf({ sender: '', helo, ip, mta: hostname, resolver, strict: true });
}

function summarize(result: AuthenticateResult, heloSpf: string | undefined): AuthSummary {
  const arc = result.arc || null;
  const chain = arc ? (arc as { chain?: ArcChainEntry[] | false }).chain : undefined;
  const newestSeal = Array.isArray(chain) ? chain[chain.length - 1] : undefined;
  const sealer =
    stringValue(newestSeal?.['arc-seal']?.parsed?.d?.value) ??
    (arc && arc.signature ? arc.signature.signingDomain : undefined);
  const dmarc = result.dmarc || null;
  return {
    spf: result.spf ? result.spf.status.result : 'none',
    heloSpf,
    dkim: result.dkim.results.map((r) => ({ result: r.status.result, domain: r.signingDomain })),
    dmarc: dmarc
      ? { result: dmarc.status.result, policy: dmarc.policy ?? 'none', domain: dmarc.domain }
      : null,
    dmarcSkipped: result.dmarcSkipReason,
    arc: { result: arc ? arc.status.result : 'none', sealer },
  };
}

interface ArcChainEntry {
  'arc-seal'?: { parsed?: { d?: { value?: unknown } } };
}

function stringValue(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One field: DKIM results, SPF (MAIL FROM, then HELO), ARC, DMARC (RFC 8601 §2.7). */
function formatAuthResults(hostname: string, result: AuthenticateResult, heloInfo?: string): string {
  const rows: string[] = [];
  for (const r of result.dkim.results) if (r.info) rows.push(r.info);
  if (result.spf) rows.push(result.spf.info);
  if (heloInfo) rows.push(heloInfo);
  rows.push(result.arc && result.arc.info ? result.arc.info : 'arc=none');
  if (result.dmarc) rows.push(result.dmarc.info);
  else rows.push(`dmarc=none${result.dmarcSkipReason ? ` (${result.dmarcSkipReason})` : ''}`);
  const id =
    /^[\x21-\x7e]+$/.test(hostname) && !/[()<>@,;:\\"/[\]?=]/.test(hostname) ? hostname : `"${hostname}"`;
  return `Authentication-Results: ${id};\r\n ${rows.map(oneLine).join(';\r\n ')}`;
}

/** mailauth's infos are single lines already; make sure no line break from a third party slips through. */
function oneLine(info: string): string {
  return info.replace(/\s*[\r\n]+\s*/g, ' ');
}
