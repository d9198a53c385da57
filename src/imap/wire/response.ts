// Status responses (RFC 9051 §7.1): OK / NO / BAD / BYE / PREAUTH with an optional response code.
// Built as values and thrown by handlers: `throw no('No such mailbox').code('NONEXISTENT')`; the dispatcher
// encodes them with the command's tag (`response.encode(tag)`, null for untagged).

import { ImapParseError } from './errors.ts';
import { encodeValues, type ImapValue } from './encode.ts';

export type StatusKind = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

/** Response codes of RFC 9051 §7.1 and the extensions Posthorn speaks; other atoms are allowed too. */
export type ResponseCodeName =
  | 'ALERT'
  | 'ALREADYEXISTS'
  | 'APPENDUID'
  | 'AUTHENTICATIONFAILED'
  | 'AUTHORIZATIONFAILED'
  | 'BADCHARSET'
  | 'CANNOT'
  | 'CAPABILITY'
  | 'CLIENTBUG'
  | 'CLOSED'
  | 'CONTACTADMIN'
  | 'COPYUID'
  | 'CORRUPTION'
  | 'EXPIRED'
  | 'EXPUNGEISSUED'
  | 'HASCHILDREN'
  | 'HIGHESTMODSEQ'
  | 'INUSE'
  | 'LIMIT'
  | 'MODIFIED'
  | 'NOMODSEQ'
  | 'NONEXISTENT'
  | 'NOPERM'
  | 'OVERQUOTA'
  | 'PARSE'
  | 'PERMANENTFLAGS'
  | 'PRIVACYREQUIRED'
  | 'READ-ONLY'
  | 'READ-WRITE'
  | 'SERVERBUG'
  | 'TOOBIG'
  | 'TRYCREATE'
  | 'UIDNEXT'
  | 'UIDNOTSTICKY'
  | 'UIDVALIDITY'
  | 'UNAVAILABLE'
  | 'UNKNOWN-CTE'
  | 'UNSEEN'
  | 'USEATTR';

/**
 * Response code data. A string is an atom (numbers as text, sets like "1:5,7"); a string array is a
 * parenthesised list of atoms (PERMANENTFLAGS (\Seen \*), BADCHARSET (UTF-8), CAPABILITY is flat atoms).
 */
export type CodeArg = string | number | readonly string[];

export class StatusResponse extends Error {
  override name = 'StatusResponse';
  readonly status: StatusKind;
  readonly text: string;
  responseCode: { name: string; args: CodeArg[] } | null = null;

  constructor(status: StatusKind, text: string) {
    super(`${status} ${text}`);
    this.status = status;
    this.text = text;
  }

  /** Sets the response code, e.g. .code('APPENDUID', 38505, 3955) or .code('PERMANENTFLAGS', ['\\Seen']). */
  code(name: ResponseCodeName | (string & {}), ...args: CodeArg[]): this {
    this.responseCode = { name, args };
    return this;
  }

  /** The response line: `tag STATUS [CODE args] text CRLF`, tag null for `*`. */
  encode(tag: string | null): Buffer {
    let line = `${tag ?? '*'} ${this.status} `;
    if (this.responseCode) line += `[${formatCode(this.responseCode.name, this.responseCode.args)}] `;
    line += cleanText(this.text) + '\r\n';
    return Buffer.from(line, 'utf8');
  }
}

function formatCode(name: string, args: CodeArg[]): string {
  const parts = [name];
  for (const arg of args) {
    if (typeof arg === 'number') parts.push(String(arg));
    else if (typeof arg === 'string') parts.push(arg);
    else parts.push(`(${arg.join(' ')})`);
  }
  return parts.join(' ');
}

/** resp-text: no CR/LF; never empty (some clients need text); must not start with "[" when no code. */
function cleanText(text: string): string {
  const t = text.replace(/[\r\n\0]+/g, ' ').trim();
  if (t === '') return 'done';
  return t.startsWith('[') ? ' ' + t : t;
}

export const ok = (text = 'completed'): StatusResponse => new StatusResponse('OK', text);
export const no = (text: string): StatusResponse => new StatusResponse('NO', text);
export const bad = (text: string): StatusResponse => new StatusResponse('BAD', text);
export const bye = (text: string): StatusResponse => new StatusResponse('BYE', text);
export const preauth = (text: string): StatusResponse => new StatusResponse('PREAUTH', text);

/** The answer to a parse error: BAD (or NO for BADCHARSET/TOOBIG), tagged when the tag was read. */
export function parseErrorResponse(err: ImapParseError): { tag: string | null; response: StatusResponse } {
  const response = new StatusResponse(err.status, err.message);
  if (err.code) response.code(err.code.name, ...err.code.args);
  return { tag: err.tag, response };
}

/** A continuation request `+ text CRLF` (literal, AUTHENTICATE challenge as base64, IDLE). */
export function continuation(text = 'Ready'): Buffer {
  return Buffer.from(`+ ${text.replace(/[\r\n]+/g, ' ')}\r\n`, 'utf8');
}

/** `* ` + values + CRLF as Buffer chunks (see untagged.ts for the named responses). */
export function untaggedValues(values: readonly ImapValue[], utf8 = false): Buffer {
  return Buffer.concat([Buffer.from('* '), encodeValues(values, { utf8 }), Buffer.from('\r\n')]);
}
