// Message authentication at the edge of delivery (the authentication issue): inbound SPF/DKIM/DMARC/ARC
// verification for mail arriving on the MX role, DKIM signing for mail our users submit.
//
// - Verification runs on the bytes as received (before our Received field) and only for unauthenticated
//   clients outside `auth.trusted_networks` (loopback by default, like Postfix's mynetworks).
// - Verdicts: reject → 550 5.7.1 and tempfail → 451 (DNS trouble is never permanent) refuse the message before
//   anything is stored; junk delivers local copies to Junk; accept/junk prepend one Authentication-Results
//   field (RFC 8601 §5) after removing forged ones that claim our host name.
// - Signing covers mail from authenticated users whose From domain is local; it happens before the message
//   is queued, so the remote copy carries the signatures.

import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { InboundVerifier } from '../auth/inbound-verifier.ts';
import type { DkimSigner } from '../auth/dkim-signer.ts';
import { applyAuthResults } from '../auth/auth-results.ts';
import { PolicyRefusal } from './errors.ts';

export interface MessageAuthOptions {
  hostname: string;
  verifier: InboundVerifier | null;
  signer: DkimSigner | null;
  /** CIDR prefixes whose clients are not verified, e.g. "127.0.0.0/8", "::1/128". */
  trustedNetworks: readonly string[];
  isLocalDomain: (domain: string) => Promise<boolean>;
}

export interface InboundCheckInput {
  message: Buffer;
  mailFrom: string;
  helo: string;
  remoteAddress: string;
  authenticated: boolean;
}

export interface InboundCheck {
  /** Authentication-Results field to prepend (CRLF-folded, no final CRLF), or null when not verified. */
  authResults: string | null;
  junk: boolean;
}

export class MessageAuth {
  readonly #o: MessageAuthOptions;
  readonly #trusted = new BlockList();

  constructor(options: MessageAuthOptions) {
    this.#o = options;
    for (const cidr of options.trustedNetworks) {
      const [net, bits] = cidr.split('/');
      const type = isIPv6(net!) ? 'ipv6' : 'ipv4';
      this.#trusted.addSubnet(net!, Number(bits ?? (type === 'ipv6' ? 128 : 32)), type);
    }
  }

  isTrusted(address: string): boolean {
    const plain = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
    if (isIPv4(plain)) return this.#trusted.check(plain, 'ipv4');
    if (isIPv6(plain)) return this.#trusted.check(plain, 'ipv6');
    return false;
  }

  /** Throws PolicyRefusal for reject/tempfail verdicts. */
  async checkInbound(input: InboundCheckInput): Promise<InboundCheck> {
    const verifier = this.#o.verifier;
    if (!verifier || input.authenticated || this.isTrusted(input.remoteAddress)) {
      return { authResults: null, junk: false };
    }
    const result = await verifier.verify({
      message: input.message,
      mailFrom: input.mailFrom,
      helo: input.helo,
      remoteIp: input.remoteAddress.startsWith('::ffff:')
        ? input.remoteAddress.slice(7)
        : input.remoteAddress,
    });
    if (result.verdict === 'reject' || result.verdict === 'tempfail') {
      const reply = result.reply ?? {
        code: result.verdict === 'reject' ? 550 : 451,
        enhanced: result.verdict === 'reject' ? '5.7.1' : '4.7.0',
        text: result.reason ?? 'Message refused by authentication policy',
      };
      throw new PolicyRefusal(reply, result.reason ?? result.verdict);
    }
    return { authResults: result.authResultsHeader, junk: result.verdict === 'junk' };
  }

  /** The message with our Authentication-Results on top and forged ones removed. */
  withAuthResults(message: Buffer, authResults: string): Buffer {
    return applyAuthResults(message, this.#o.hostname, authResults);
  }

  /** Signs mail from an authenticated user whose From domain is local; other messages come back unchanged. */
  async signOutgoing(message: Buffer, fromDomain: string | null, authenticated: boolean): Promise<Buffer> {
    if (!this.#o.signer || !authenticated || !fromDomain) return message;
    if (!(await this.#o.isLocalDomain(fromDomain))) return message;
    return this.#o.signer.sign(message, fromDomain);
  }
}
