// Content-Type / Content-Disposition values with parameters (RFC 2045 §5.1, RFC 2183, RFC 2231).
// Parameter names come out lower-cased; RFC 2231 continuations (name*0*=, name*1=) are joined and their
// charset'language'%XX encoding decoded to UTF-8; an RFC 2231 value wins over a plain one of the same name.
// Broken input is read best-effort: unquoted values with spaces, stray semicolons, comments, and RFC 2047
// encoded words inside quoted values (non-standard, but what many mailers send for file names).
import { decodeCharset, decodeUnlabelled } from './charset.ts';
import { decodeEncodedWords } from './encoded-words.ts';

export interface HeaderValueWithParams {
  /** The value before the first ';', comments removed, lower-cased (e.g. "text/plain", "attachment"). */
  value: string;
  params: Record<string, string>;
}

export interface ContentType {
  type: string;
  subtype: string;
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
// Parameters never decoded as encoded words: their exact bytes matter.
const LITERAL_PARAMS = new Set(['boundary']);

interface RawParam {
  name: string;
  value: string;
}

/** Splits `value; a=b; c="d"` into the leading value and decoded parameters. Never throws. */
export function parseHeaderValueWithParams(raw: string): HeaderValueWithParams {
  const reader = new ValueReader(raw);
  const value = reader.readUntilSemicolon().trim().toLowerCase();
  const rawParams: RawParam[] = [];
  while (!reader.atEnd()) {
    reader.skip(); // the ';'
    const param = reader.readParam();
    if (param) rawParams.push(param);
  }
  return { value, params: combineParams(rawParams) };
}

/** Parses a Content-Type value; null when absent or not a valid type/subtype (caller applies defaults). */
export function parseContentType(raw: string | null): ContentType | null {
  if (raw === null) return null;
  const { value, params } = parseHeaderValueWithParams(raw);
  const slash = value.indexOf('/');
  if (slash < 0) return null;
  const type = value.slice(0, slash).trim();
  const subtype = value.slice(slash + 1).trim();
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  return { type, subtype, params };
}

/** Parses Content-Disposition (RFC 2183); null when absent or without a disposition token. */
export function parseContentDisposition(
  raw: string | null,
): { type: string; params: Record<string, string> } | null {
  if (raw === null) return null;
  const { value, params } = parseHeaderValueWithParams(raw);
  if (!TOKEN.test(value)) return null;
  return { type: value, params };
}

interface Extended {
  segments: Map<number, { value: string; encoded: boolean }>;
}

function combineParams(rawParams: RawParam[]): Record<string, string> {
  const plain = new Map<string, string>();
  const extended = new Map<string, Extended>();
  for (const { name, value } of rawParams) {
    // RFC 2231 §3-4: name*=, name*0=, name*0*=, name*1=, ...
    const m = /^(.+?)\*(?:(\d{1,4})\*?)?$/.exec(name) ?? null;
    if (m && m[1] !== undefined) {
      const base = m[1];
      const index = m[2] === undefined ? 0 : Number(m[2]);
      const encoded = m[2] === undefined || name.endsWith('*');
      let entry = extended.get(base);
      if (!entry) extended.set(base, (entry = { segments: new Map() }));
      if (!entry.segments.has(index)) entry.segments.set(index, { value, encoded });
      continue;
    }
    if (plain.has(name)) continue;
    plain.set(name, LITERAL_PARAMS.has(name) ? value : decodeEncodedWords(value));
  }
  const result = new Map(plain);
  for (const [base, entry] of extended) result.set(base, joinExtended(entry));
  return Object.fromEntries(result);
}

function joinExtended(entry: Extended): string {
  const indexes = [...entry.segments.keys()].sort((a, b) => a - b);
  let charset: string | null = null;
  const chunks: Buffer[] = [];
  for (const index of indexes) {
    const segment = entry.segments.get(index);
    if (!segment) continue;
    let text = segment.value;
    if (segment.encoded) {
      if (index === indexes[0]) {
        // charset'language'value; both may be empty, a missing prefix is tolerated.
        const m = /^([^']*)'([^']*)'(.*)$/s.exec(text);
        if (m) {
          charset = m[1] || null;
          text = m[3] ?? '';
        }
      }
      chunks.push(percentDecode(text));
    } else {
      chunks.push(Buffer.from(text, 'utf8'));
    }
  }
  const bytes = Buffer.concat(chunks);
  return charset === null ? decodeUnlabelled(bytes) : decodeCharset(bytes, charset);
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(text[i] ?? '', 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes);
}

/** A cursor over a header value that knows quoted strings and (nested) comments. */
class ValueReader {
  private pos = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skip(): void {
    this.pos++;
  }

  /** Text up to the next top-level ';' with comments dropped and quoted strings unquoted. */
  readUntilSemicolon(): string {
    let out = '';
    while (!this.atEnd()) {
      const ch = this.text[this.pos];
      if (ch === ';') break;
      if (ch === '(') this.skipComment();
      else if (ch === '"') out += this.readQuoted();
      else {
        out += ch;
        this.pos++;
      }
    }
    return out;
  }

  readParam(): RawParam | null {
    this.skipCfws();
    let name = '';
    while (!this.atEnd() && !'=;'.includes(this.text[this.pos] ?? '')) {
      if (this.text[this.pos] === '(') this.skipComment();
      else name += this.text[this.pos++];
    }
    name = name.trim().toLowerCase();
    if (this.atEnd() || this.text[this.pos] === ';') return null; // a name without '=' carries nothing
    this.pos++; // '='
    this.skipCfws();
    let value: string;
    if (this.text[this.pos] === '"') {
      value = this.readQuoted();
      this.readUntilSemicolon(); // junk after the closing quote
    } else {
      value = this.readUnquotedValue();
    }
    if (name === '' || /[\s"]/.test(name)) return null;
    return { name, value };
  }

  /** A token, read leniently up to ';' (broken mailers send `name=my file (1).pdf`); a trailing
   *  comment after whitespace is dropped. */
  private readUnquotedValue(): string {
    const end = this.text.indexOf(';', this.pos);
    const raw = this.text.slice(this.pos, end < 0 ? this.text.length : end);
    this.pos = end < 0 ? this.text.length : end;
    return stripTrailingComment(raw.trim());
  }

  private skipCfws(): void {
    while (!this.atEnd()) {
      const ch = this.text[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') this.pos++;
      else if (ch === '(') this.skipComment();
      else break;
    }
  }

  private readQuoted(): string {
    let out = '';
    this.pos++; // opening quote
    while (!this.atEnd()) {
      const ch = this.text[this.pos++];
      if (ch === '"') return out;
      if (ch === '\\' && !this.atEnd()) out += this.text[this.pos++];
      else if (ch !== '\r' && ch !== '\n') out += ch;
    }
    return out; // unterminated: take the rest
  }

  private skipComment(): void {
    let depth = 0;
    while (!this.atEnd()) {
      const ch = this.text[this.pos++];
      if (ch === '\\') this.pos++;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return;
    }
  }
}

/** Drops a final "(comment)" that follows whitespace: `x.pdf (the report)` -> `x.pdf`. */
function stripTrailingComment(value: string): string {
  if (!value.endsWith(')')) return value;
  const open = value.lastIndexOf('(');
  if (open <= 0 || value.slice(open + 1, -1).includes(')')) return value;
  const before = value[open - 1];
  return before === ' ' || before === '\t' ? value.slice(0, open).trim() : value;
}
