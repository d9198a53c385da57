// SMTP command parser, server direction (RFC 5321 §4.1.1, RFC 3207, RFC 4954, RFC 3030).
// Pure: one command line (without its CRLF) in, a typed command or the reply to refuse it with out.
// Verbs are case-insensitive; we accept "MAIL FROM: <a>" (a space after the colon) as most servers do.

import { parseForwardPath, parseReversePath, type Mailbox } from './path.ts';
import type { SmtpReply } from './reply-parser.ts';
import { replies } from './reply-table.ts';
import { splitParams, type EsmtpParam } from './esmtp-params.ts';

export type SmtpCommand =
  | { verb: 'EHLO' | 'HELO'; domain: string }
  | { verb: 'MAIL'; sender: Mailbox | null; params: EsmtpParam[] }
  | { verb: 'RCPT'; recipient: Mailbox; params: EsmtpParam[] }
  | { verb: 'DATA' | 'RSET' | 'QUIT' | 'STARTTLS' }
  | { verb: 'NOOP'; argument: string | null }
  | { verb: 'VRFY' | 'EXPN'; argument: string }
  | { verb: 'HELP'; topic: string | null }
  | { verb: 'AUTH'; mechanism: string; initialResponse: string | null }
  | { verb: 'BDAT'; size: number; last: boolean };

export type SmtpVerb = SmtpCommand['verb'];

export type CommandParseResult =
  | { ok: true; command: SmtpCommand }
  /** `verb` is the recognised verb (null when unknown), so the session can count errors and close on BDAT. */
  | { ok: false; verb: SmtpVerb | null; reply: SmtpReply };

const VERBS = new Set<string>([
  'EHLO',
  'HELO',
  'MAIL',
  'RCPT',
  'DATA',
  'RSET',
  'QUIT',
  'STARTTLS',
  'NOOP',
  'VRFY',
  'EXPN',
  'HELP',
  'AUTH',
  'BDAT',
]);

// Domain or address literal as the EHLO argument; liberal (RFC 5321 §4.1.4: do not refuse on mismatch).
const HELO_ARG = /^[\x21-\x7e\u0080-\u{10FFFF}]+$/u;

/** The verb of a line, upper-cased (for logging and masking before a full parse). */
export function commandVerb(line: string): string {
  const sp = line.indexOf(' ');
  return (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
}

/** Decodes a command line: valid UTF-8, no control characters (CR, NUL...). Null when invalid. */
export function decodeCommandLine(bytes: Buffer): string | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text)) return null;
  return text;
}

export function parseCommand(line: string): CommandParseResult {
  const verbText = commandVerb(line);
  if (!VERBS.has(verbText)) return { ok: false, verb: null, reply: replies.commandUnrecognized };
  const verb = verbText as SmtpVerb;
  const sp = line.indexOf(' ');
  const arg = sp < 0 ? '' : line.slice(sp + 1);
  const fail = (reply: SmtpReply): CommandParseResult => ({ ok: false, verb, reply });
  const noArgs = (usage: string): CommandParseResult =>
    arg.trim() === '' ? { ok: true, command: { verb } as SmtpCommand } : fail(replies.syntax(usage));

  switch (verb) {
    case 'EHLO':
    case 'HELO': {
      const domain = arg.trim();
      if (!HELO_ARG.test(domain)) return fail(replies.syntax(`${verb} hostname`));
      return { ok: true, command: { verb, domain } };
    }
    case 'MAIL': {
      const m = /^FROM:[ ]?/i.exec(arg);
      if (!m) return fail(replies.syntax('MAIL FROM:<address> [parameters]'));
      const path = parseReversePath(arg.slice(m[0].length));
      if (!path.ok) return fail(replies.badSenderSyntax(path.error));
      const params = parseParams(path.rest);
      if (!params) return fail(replies.syntax('MAIL FROM:<address> [parameters]'));
      return { ok: true, command: { verb, sender: path.value, params } };
    }
    case 'RCPT': {
      const m = /^TO:[ ]?/i.exec(arg);
      if (!m) return fail(replies.syntax('RCPT TO:<address> [parameters]'));
      const path = parseForwardPath(arg.slice(m[0].length));
      if (!path.ok) return fail(replies.badRecipientSyntax(path.error));
      const params = parseParams(path.rest);
      if (!params) return fail(replies.syntax('RCPT TO:<address> [parameters]'));
      return { ok: true, command: { verb, recipient: path.value, params } };
    }
    case 'DATA':
      return noArgs('DATA');
    case 'RSET':
      return noArgs('RSET');
    case 'QUIT':
      return noArgs('QUIT');
    case 'STARTTLS':
      return noArgs('STARTTLS');
    case 'NOOP':
      return { ok: true, command: { verb, argument: arg === '' ? null : arg } };
    case 'VRFY':
    case 'EXPN':
      if (arg.trim() === '') return fail(replies.syntax(`${verb} address`));
      return { ok: true, command: { verb, argument: arg.trim() } };
    case 'HELP':
      return { ok: true, command: { verb, topic: arg.trim() === '' ? null : arg.trim() } };
    case 'AUTH': {
      const m = /^([A-Za-z0-9_-]{1,20})(?: ([A-Za-z0-9+/]+={0,2}|=))?$/.exec(arg);
      if (!m) return fail(replies.syntax('AUTH mechanism [initial-response]'));
      return { ok: true, command: { verb, mechanism: m[1]!.toUpperCase(), initialResponse: m[2] ?? null } };
    }
    case 'BDAT': {
      // RFC 3030 §2: "BDAT" SP chunk-size [SP end-marker]
      const m = /^(\d{1,15})(?: (LAST))?$/i.exec(arg);
      if (!m) return fail(replies.syntax('BDAT size [LAST]'));
      return { ok: true, command: { verb, size: Number(m[1]), last: m[2] !== undefined } };
    }
  }
}

/** Parameters after a path: nothing, or SP-separated esmtp-params. */
function parseParams(rest: string): EsmtpParam[] | null {
  if (rest === '') return [];
  if (!rest.startsWith(' ')) return null;
  return splitParams(rest);
}
