// A cursor over one assembled command: line parts and the literal bytes between them
// ([line, literal, line, ..., line], each line without CRLF, a literal following the `{n}` that ends a line).
// Grammar-directed: the command parsers ask for the token they expect (atom, astring, number…).
// Every method either returns a value or throws ImapParseError; nothing else escapes.

import { ImapParseError } from './errors.ts';

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

// ATOM-CHAR: CHAR (%x01-7F) except atom-specials: ( ) { SP CTL % * " \ ] (RFC 9051 §9)
const ATOM_CHAR = new Uint8Array(256);
for (let c = 0x21; c < 0x7f; c++) ATOM_CHAR[c] = 1;
for (const c of '(){%*"\\]') ATOM_CHAR[c.charCodeAt(0)] = 0;

export const isAtomChar = (c: number): boolean => ATOM_CHAR[c] === 1;
/** ASTRING-CHAR = ATOM-CHAR / resp-specials ("]"). */
export const isAstringChar = (c: number): boolean => ATOM_CHAR[c] === 1 || c === 0x5d;
/** tag = 1*<any ASTRING-CHAR except "+"> */
export const isTagChar = (c: number): boolean => isAstringChar(c) && c !== 0x2b;
/** list-char = ATOM-CHAR / list-wildcards / resp-specials. */
export const isListChar = (c: number): boolean => isAstringChar(c) || c === 0x25 || c === 0x2a;

export type StringForm = 'atom' | 'quoted' | 'literal';

/** A string token as read; `bytes` are the raw octets (quoted escapes removed). */
export interface StringToken {
  bytes: Buffer;
  form: StringForm;
  /** Literal8 `~{n}` (RFC 3516). */
  binary: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ImapParseError(`${what}: invalid UTF-8`);
  }
}

export class CommandReader {
  readonly #parts: readonly Buffer[];
  #index = 0; // index of the current line part (even)
  #pos = 0;

  constructor(parts: readonly Buffer[]) {
    if (parts.length % 2 !== 1)
      throw new ImapParseError('incomplete command (missing literal or final line)');
    this.#parts = parts;
  }

  get #line(): Buffer {
    return this.#parts[this.#index]!;
  }

  /** Next octet of the current line, or -1 at the end of the line part. */
  peek(): number {
    return this.#pos < this.#line.length ? this.#line[this.#pos]! : -1;
  }

  /** True at the end of the whole command. */
  atEnd(): boolean {
    return this.#index === this.#parts.length - 1 && this.#pos >= this.#line.length;
  }

  /** Expects the end of the command. */
  end(): void {
    if (!this.atEnd()) throw new ImapParseError(`unexpected ${this.#describeNext()} after the command`);
  }

  /** Consumes `c` if it is next. */
  accept(c: number): boolean {
    if (this.peek() !== c) return false;
    this.#pos++;
    return true;
  }

  expect(c: number, what: string): void {
    if (!this.accept(c)) throw new ImapParseError(`expected ${what}, found ${this.#describeNext()}`);
  }

  /** Exactly one SP. */
  sp(): void {
    this.expect(SP, 'SP');
  }

  /** True (and consumes it) when the next octet is SP. */
  acceptSp(): boolean {
    return this.accept(SP);
  }

  /** True if the next octets, case-insensitively, are `word` followed by a delimiter; consumes them then. */
  acceptWord(word: string): boolean {
    const line = this.#line;
    const n = word.length;
    if (this.#pos + n > line.length) return false;
    for (let k = 0; k < n; k++) {
      const c = line[this.#pos + k]!;
      const w = word.charCodeAt(k);
      if (c !== w && !(w >= 0x41 && w <= 0x5a && c === w + 0x20)) return false;
    }
    const after = this.#pos + n < line.length ? line[this.#pos + n]! : -1;
    if (after !== -1 && isAtomChar(after) && isAtomChar(word.charCodeAt(n - 1))) return false;
    this.#pos += n;
    return true;
  }

  /** 1*ATOM-CHAR (or the given character class), as a string. `what` names it in errors. */
  atom(what = 'atom', charClass: (c: number) => boolean = isAtomChar): string {
    const line = this.#line;
    const start = this.#pos;
    while (this.#pos < line.length && charClass(line[this.#pos]!)) this.#pos++;
    if (this.#pos === start) {
      const c = this.peek();
      if (c >= 0x80) throw new ImapParseError(`8-bit octet where ${what} expected`);
      throw new ImapParseError(`expected ${what}, found ${this.#describeNext()}`);
    }
    const next = this.peek();
    if (next >= 0x80) throw new ImapParseError(`8-bit octet in ${what}`);
    return line.toString('latin1', start, this.#pos);
  }

  /** An atom upper-cased (keywords, command names). */
  keyword(what = 'keyword'): string {
    return this.atom(what).toUpperCase();
  }

  /** 1*DIGIT as text (at most 20 digits). */
  digits(what: string): string {
    const line = this.#line;
    const start = this.#pos;
    while (this.#pos < line.length && line[this.#pos]! >= 0x30 && line[this.#pos]! <= 0x39) this.#pos++;
    if (this.#pos === start) throw new ImapParseError(`expected ${what}, found ${this.#describeNext()}`);
    if (this.#pos - start > 20) throw new ImapParseError(`${what} too large`);
    return line.toString('latin1', start, this.#pos);
  }

  /** number (RFC 9051 §9): 1*DIGIT up to `max` (2^32-1 by default; 2^53-1 is the largest exact). */
  number(what = 'number', max = 0xffffffff): number {
    const value = Number(this.digits(what));
    if (value > max) throw new ImapParseError(`${what} too large`);
    return value;
  }

  /**
   * number64 (RFC 9051 §9, up to 2^63-1). Values above 2^53-1 are clamped to 2^53-1: Posthorn never hands out
   * such mod-sequences or sizes, so a larger value compares the same way as the clamped one.
   */
  number64(what = 'number'): number {
    const text = this.digits(what);
    if (text.length < 16) return Number(text);
    if (BigInt(text) > 0x7fffffffffffffffn) throw new ImapParseError(`${what} exceeds 2^63-1`);
    return Math.min(Number(text), Number.MAX_SAFE_INTEGER);
  }

  /** nz-number: like number but not 0. */
  nzNumber(what = 'number', max = 0xffffffff): number {
    const value = this.number(what, max);
    if (value === 0) throw new ImapParseError(`${what} must not be 0`);
    return value;
  }

  /**
   * string = quoted / literal (RFC 9051 §9). A literal8 `~{n}` is accepted only with allowBinary (APPEND data,
   * RFC 3516 §4.4): elsewhere it would smuggle NUL into names, passwords and search strings.
   */
  string(what = 'string', allowBinary = false): StringToken {
    const c = this.peek();
    if (c === DQUOTE) return { bytes: this.#quoted(what), form: 'quoted', binary: false };
    if (this.#atLiteral()) {
      if (c === 0x7e && !allowBinary)
        throw new ImapParseError(`${what}: literal8 (~{n}) is not allowed here`);
      return this.#literal(what);
    }
    throw new ImapParseError(`expected ${what} (quoted or literal), found ${this.#describeNext()}`);
  }

  /** astring = 1*ASTRING-CHAR / string. */
  astring(what = 'astring'): StringToken {
    if (this.peek() === DQUOTE || this.#atLiteral()) return this.string(what);
    return { bytes: Buffer.from(this.atom(what, isAstringChar), 'latin1'), form: 'atom', binary: false };
  }

  /** astring decoded as UTF-8 text. */
  astringText(what = 'astring'): string {
    return decodeUtf8(this.astring(what).bytes, what);
  }

  /** nstring = string / NIL; null for NIL. */
  nstring(what = 'nstring'): StringToken | null {
    if (this.acceptWord('NIL')) return null;
    return this.string(what);
  }

  /** list-mailbox = 1*list-char / string (LIST patterns). */
  listMailbox(what = 'mailbox pattern'): StringToken {
    if (this.peek() === DQUOTE || this.#atLiteral()) return this.string(what);
    return { bytes: Buffer.from(this.atom(what, isListChar), 'latin1'), form: 'atom', binary: false };
  }

  /** The raw octets up to the next SP, `)` or end of line (sequence sets, dates): restricted by charClass. */
  token(what: string, charClass: (c: number) => boolean): string {
    return this.atom(what, charClass);
  }

  /** True when a literal `{` or literal8 `~{` starts here. */
  atLiteral(): boolean {
    return this.#atLiteral();
  }

  #atLiteral(): boolean {
    const line = this.#line;
    const c = this.peek();
    return c === 0x7b || (c === 0x7e && line[this.#pos + 1] === 0x7b);
  }

  /** Describes the next input for error messages. */
  #describeNext(): string {
    const c = this.peek();
    if (c === -1) return this.#index === this.#parts.length - 1 ? 'end of command' : 'a literal';
    if (c === SP) return 'SP';
    if (c >= 0x21 && c < 0x7f) return `"${String.fromCharCode(c)}"`;
    return `octet 0x${c.toString(16).padStart(2, '0')}`;
  }

  // quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR excludes CR, LF, NUL; 8-bit only as valid UTF-8.
  #quoted(what: string): Buffer {
    const line = this.#line;
    this.#pos++; // opening quote
    const out: number[] = [];
    let eightBit = false;
    for (;;) {
      if (this.#pos >= line.length) throw new ImapParseError(`${what}: unterminated quoted string`);
      const c = line[this.#pos++]!;
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        const e = this.#pos < line.length ? line[this.#pos++]! : -1;
        if (e !== DQUOTE && e !== BACKSLASH)
          throw new ImapParseError(`${what}: invalid escape in quoted string`);
        out.push(e);
        continue;
      }
      if (c === 0) throw new ImapParseError(`${what}: NUL in quoted string`);
      if (c === 0x0d || c === 0x0a) throw new ImapParseError(`${what}: CR or LF in quoted string`);
      if (c >= 0x80) eightBit = true;
      out.push(c);
    }
    const bytes = Buffer.from(out);
    if (eightBit) decodeUtf8(bytes, what); // validates: 8-bit quoted text must be UTF-8 (RFC 9051 QUOTED-CHAR)
    return bytes;
  }

  // literal = "{" number64 ["+"] "}" CRLF *CHAR8; literal8 = "~{" number64 ["+"] "}" CRLF *OCTET
  #literal(what: string): StringToken {
    const line = this.#line;
    const binary = this.accept(0x7e);
    this.expect(0x7b, '{');
    const size = this.number('literal size', Number.MAX_SAFE_INTEGER);
    this.accept(0x2b); // LITERAL+ / LITERAL- (RFC 7888)
    this.expect(0x7d, '}');
    if (this.#pos !== line.length) throw new ImapParseError(`${what}: literal marker must end the line`);
    const data = this.#parts[this.#index + 1];
    if (data === undefined) throw new ImapParseError(`${what}: literal data missing`);
    if (data.length !== size) throw new ImapParseError(`${what}: literal size mismatch`);
    if (!binary && data.includes(0))
      throw new ImapParseError(`${what}: NUL in literal (only literal8 may hold NUL)`);
    this.#index += 2;
    this.#pos = 0;
    return { bytes: data, form: 'literal', binary };
  }
}
