// Response value encoding (RFC 9051 §4, §9): NIL, numbers, strings (quoted or literal as needed), atoms,
// astrings, literals and literal8, parenthesised lists. Output is Buffer chunks so large literals are not
// copied; join them with Buffer.concat only for small responses or tests.

import { isAstringChar } from './tokenizer.ts';

/** A bare token written as is (trusted server text: keywords, flags, section names, sets). */
export interface AtomValue {
  readonly $: 'atom';
  readonly text: string;
}
/** An astring: bare when it is a valid atom (and not NIL), else a string. Mailbox names, header names. */
export interface AstringValue {
  readonly $: 'astring';
  readonly text: string;
}
/** Octets sent as a literal `{n}`, or as literal8 `~{n}` when `binary` and they contain NUL (RFC 3516). */
export interface LiteralValue {
  readonly $: 'literal';
  readonly data: Buffer;
  readonly binary: boolean;
}

/** Values written back to back with no SP between them (the children of a multipart BODYSTRUCTURE). */
export interface ConcatValue {
  readonly $: 'concat';
  readonly items: readonly ImapValue[];
}

/**
 * null = NIL; number = number; string = IMAP `string` (quoted when possible, else literal); Buffer = literal;
 * array = parenthesised list (elements separated by SP).
 */
export type ImapValue =
  | null
  | number
  | string
  | Buffer
  | AtomValue
  | AstringValue
  | LiteralValue
  | ConcatValue
  | readonly ImapValue[];

export const atom = (text: string): AtomValue => ({ $: 'atom', text });
export const astring = (text: string): AstringValue => ({ $: 'astring', text });
export const literal = (data: Buffer | string): LiteralValue => ({
  $: 'literal',
  data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
  binary: false,
});
export const concat = (items: readonly ImapValue[]): ConcatValue => ({ $: 'concat', items });
export const binaryLiteral = (data: Buffer): LiteralValue => ({ $: 'literal', data, binary: true });

export interface EncodeOptions {
  /** The client accepts UTF-8 in quoted strings (IMAP4rev2 or UTF8=ACCEPT enabled). Default false. */
  utf8?: boolean;
}

/** Strings longer than this go as literals even when they could be quoted (kind to clients' line limits). */
const MAX_QUOTED = 4096;

/** Appends encoded values to chunks; text is batched and turned into a Buffer only before a literal. */
export class ResponseWriter {
  readonly #chunks: Buffer[] = [];
  #text = '';
  readonly #utf8: boolean;

  constructor(options: EncodeOptions = {}) {
    this.#utf8 = options.utf8 ?? false;
  }

  /** Raw text (must be valid protocol text; no CRLF unless ending the response). */
  raw(text: string): this {
    this.#text += text;
    return this;
  }

  value(v: ImapValue): this {
    if (v === null) this.#text += 'NIL';
    else if (typeof v === 'number') this.#text += numberText(v);
    else if (typeof v === 'string') this.#string(v);
    else if (Buffer.isBuffer(v)) this.#literal(v, false);
    else if (Array.isArray(v)) this.list(v);
    else {
      const token = v as AtomValue | AstringValue | LiteralValue | ConcatValue;
      if (token.$ === 'atom') this.#text += token.text;
      else if (token.$ === 'concat') for (const item of token.items) this.value(item);
      else if (token.$ === 'astring') {
        if (isAtom(token.text)) this.#text += token.text;
        else this.#string(token.text);
      } else this.#literal(token.data, token.binary);
    }
    return this;
  }

  /** Values separated by SP, without parentheses. */
  values(vs: readonly ImapValue[]): this {
    vs.forEach((v, i) => {
      if (i > 0) this.#text += ' ';
      this.value(v);
    });
    return this;
  }

  list(vs: readonly ImapValue[]): this {
    this.#text += '(';
    this.values(vs);
    this.#text += ')';
    return this;
  }

  /** The chunks written so far (call once, at the end). */
  finish(): Buffer[] {
    if (this.#text) this.#chunks.push(Buffer.from(this.#text, 'utf8'));
    this.#text = '';
    return this.#chunks;
  }

  #string(s: string): void {
    if (canQuote(s, this.#utf8)) this.#text += quote(s);
    else this.#literal(Buffer.from(s, 'utf8'), false);
  }

  #literal(data: Buffer, binary: boolean): void {
    const marker = binary && data.includes(0) ? '~{' : '{';
    this.#text += `${marker}${data.length}}\r\n`;
    this.#chunks.push(Buffer.from(this.#text, 'utf8'));
    this.#text = '';
    if (data.length > 0) this.#chunks.push(data);
  }
}

function numberText(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not an IMAP number: ${n}`);
  return String(n);
}

/** True when s can be sent as an atom (astring chars only, not empty, not NIL). */
export function isAtom(s: string): boolean {
  if (s.length === 0 || s.length > 1024 || s.toUpperCase() === 'NIL') return false;
  for (let i = 0; i < s.length; i++) if (!isAstringChar(s.charCodeAt(i))) return false;
  return true;
}

/** True when s can be a quoted string: no NUL/CR/LF; 8-bit only for UTF-8 clients (RFC 9051 QUOTED-CHAR). */
export function canQuote(s: string, utf8: boolean): boolean {
  if (s.length > MAX_QUOTED) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
    if (c >= 0x80 && !utf8) return false;
    if (c >= 0xd800 && c <= 0xdfff && !wellFormedAt(s, i)) return false;
  }
  return true;
}

function wellFormedAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  const b = s.charCodeAt(i - 1);
  return b >= 0xd800 && b <= 0xdbff;
}

export function quote(s: string): string {
  // Most strings need no escape: two native scans are cheaper than a regular expression replace.
  if (!s.includes('"') && !s.includes('\\')) return '"' + s + '"';
  return '"' + s.replace(/["\\]/g, '\\$&') + '"';
}

/** Encodes values separated by SP into one Buffer (tests, small responses). */
export function encodeValues(vs: readonly ImapValue[], options: EncodeOptions = {}): Buffer {
  return Buffer.concat(new ResponseWriter(options).values(vs).finish());
}
