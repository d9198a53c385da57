// The CAPABILITY list (RFC 9051 §6.1.1, §7.2.2), which depends on TLS and authentication state.

export interface CapabilityFacts {
  authenticated: boolean;
  secure: boolean;
  /** STARTTLS is offered on this listener (not on implicit TLS). */
  starttls: boolean;
  /** LOGIN/AUTHENTICATE allowed without TLS (loopback listener or allow_insecure_auth). */
  plaintextAuth: boolean;
  appendLimit: number;
}

/** Extensions that ENABLE accepts (RFC 5161), upper-case. */
export const ENABLEABLE = new Set(['IMAP4REV2', 'CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT']);

export function capabilities(f: CapabilityFacts): string[] {
  const caps = ['IMAP4rev1', 'IMAP4rev2'];
  if (!f.authenticated) {
    if (f.starttls && !f.secure) caps.push('STARTTLS');
    if (f.secure || f.plaintextAuth) caps.push('AUTH=PLAIN', 'SASL-IR');
    else caps.push('LOGINDISABLED');
    caps.push('LITERAL+', 'ENABLE', 'ID', 'IDLE');
    return caps;
  }
  caps.push(
    'LITERAL+',
    'ENABLE',
    'ID',
    'IDLE',
    'NAMESPACE',
    'UNSELECT',
    'UIDPLUS',
    'MOVE',
    'CHILDREN',
    'LIST-EXTENDED',
    'LIST-STATUS',
    'SPECIAL-USE',
    'CREATE-SPECIAL-USE',
    'CONDSTORE',
    'QRESYNC',
    'ESEARCH',
    'SEARCHRES',
    'STATUS=SIZE',
    'BINARY',
    'MULTIAPPEND',
    'WITHIN',
    'UTF8=ACCEPT',
    `APPENDLIMIT=${f.appendLimit}`,
  );
  return caps;
}
