// Opening an IMAP session for a profile, with imapflow (an independent, maintained client: IDLE,
// CONDSTORE/QRESYNC, literal handling, mailbox locks). TLS policy by the profile's mode:
//   tls       implicit TLS from the first byte (993, RFC 8314)
//   starttls  STARTTLS required: no STARTTLS, a refusal, or a PREAUTH greeting (which skips the
//             not-authenticated state where STARTTLS is possible) aborts; bytes sent after the STARTTLS OK
//             and before the handshake (plaintext injection, RFC 9051 §6.2.1) abort the session
//   none      plain text, never STARTTLS (loopback and test set-ups)

import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import type { ImapFlow, ImapFlowOptions } from 'imapflow';
import { UserError } from '../cli/errors.ts';
import type { MailProfile, ServerSettings } from './profile.ts';

export interface ImapConnectOptions {
  /** Seconds without a reply before giving up (default 60). */
  timeoutSeconds?: number;
  /** imapflow log lines to stderr (POSTHORN_MAIL_TRACE=1). */
  trace?: boolean;
}

/** TLS options trusting the profile's ca_file besides the system store. */
export function tlsOptionsFor(profile: MailProfile): tls.ConnectionOptions {
  if (!profile.caFile) return {};
  let pem: string;
  try {
    pem = readFileSync(profile.caFile, 'utf8');
  } catch (err) {
    throw new UserError(
      `ca_file ${profile.caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return { ca: [...tls.getCACertificates('default'), pem] };
}

export function imapFlowOptions(
  profile: MailProfile,
  password: string,
  options: ImapConnectOptions = {},
): ImapFlowOptions {
  const server = profile.imap;
  const timeout = (options.timeoutSeconds ?? 60) * 1000;
  return {
    host: server.host,
    port: server.port,
    secure: server.tls === 'tls',
    doSTARTTLS: server.tls === 'starttls' ? true : server.tls === 'none' ? false : undefined,
    auth: { user: server.user, pass: password },
    tls: tlsOptionsFor(profile),
    logger: options.trace ? stderrLogger() : false,
    disableAutoIdle: true,
    // RFC 2177 §3: re-issue IDLE at least every 29 minutes so servers do not drop the session.
    maxIdleTime: 20 * 60 * 1000,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: 10 * timeout,
    clientInfo: { name: 'Posthorn mail' },
  };
}

export async function connectImap(
  profile: MailProfile,
  password: string,
  options: ImapConnectOptions = {},
): Promise<ImapFlow> {
  // Loaded on first use: every `posthorn` command builds the whole command line, few of them need IMAP.
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow(imapFlowOptions(profile, password, options));
  // Errors after connect() (a dropped connection) surface on the next command; keep the emitter quiet.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw describeImapError(err, profile.imap);
  }
  return client;
}

/** One line a user can act on, from what imapflow throws. */
export function describeImapError(err: unknown, server: ServerSettings): Error {
  const e = err as {
    message?: string;
    code?: string;
    authenticationFailed?: boolean;
    tlsFailed?: boolean;
    responseText?: string;
  };
  const where = `IMAP ${server.host}:${server.port}`;
  if (e.authenticationFailed) {
    return new UserError(
      `${where}: login failed for ${server.user}${e.responseText ? ` (${e.responseText})` : ''}`,
    );
  }
  if (e.tlsFailed || e.code === 'STARTTLS_INJECTION') {
    return new UserError(`${where}: TLS required but not established: ${e.message ?? 'unknown error'}`);
  }
  const detail = e.responseText || e.message || String(err);
  return new UserError(`${where}: ${e.code && !detail.includes(e.code) ? `${e.code} ` : ''}${detail}`);
}

function stderrLogger() {
  const write = (level: string) => (entry: object) =>
    process.stderr.write(`imap ${level} ${JSON.stringify(entry)}\n`);
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
