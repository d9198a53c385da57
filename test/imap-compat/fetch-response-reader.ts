// Reads an untagged FETCH response (`* N FETCH (NAME value …)` CRLF, literals inline as on the wire) into typed
// ENVELOPE / BODYSTRUCTURE / BODY values, independently of the server's own encoder, so that Dovecot's recorded
// answers and ours can be compared field by field.
//
// The reader is lenient about spacing but records every place where the spacing departs from the RFC 3501 §9 /
// RFC 9051 §9 grammar (SP between list elements, except none between the addresses of an env-* list and none
// between the bodies of a body-type-mpart) in `grammarErrors`, so spacing bugs stay visible.
// Strings stay as octets (Buffer): what the octets mean is a comparison rule's business, not the reader's.

export type Token = null | number | { kind: 'string'; bytes: Buffer } | TokenList;
export interface TokenList {
  kind: 'list';
  items: Token[];
  /** separators[i] is the text between items[i] and items[i + 1] ('' or ' '). */
  separators: string[];
}

export interface Address {
  name: Buffer | null;
  adl: Buffer | null;
  mailbox: Buffer | null;
  host: Buffer | null;
}

export interface Envelope {
  date: Buffer | null;
  subject: Buffer | null;
  from: Address[] | null;
  sender: Address[] | null;
  replyTo: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
  inReplyTo: Buffer | null;
  messageId: Buffer | null;
}

export type Params = Array<[name: Buffer, value: Buffer]> | null;
export interface Disposition {
  type: Buffer;
  params: Params;
}

export interface LeafBody {
  kind: 'leaf';
  type: Buffer;
  subtype: Buffer;
  params: Params;
  id: Buffer | null;
  description: Buffer | null;
  encoding: Buffer;
  size: number;
  /** message/rfc822 and message/global only. */
  message?: { envelope: Envelope; body: Body };
  /** text/* and message/rfc822 only. */
  lines?: number;
  /** BODYSTRUCTURE only. */
  ext?: { md5: Buffer | null; disposition: Disposition | null; language: Token; location: Token };
}

export interface MultipartBody {
  kind: 'multipart';
  children: Body[];
  subtype: Buffer;
  /** BODYSTRUCTURE only. */
  ext?: { params: Params; disposition: Disposition | null; language: Token; location: Token };
}

export type Body = LeafBody | MultipartBody;

export interface FetchItems {
  seq: number;
  envelope: Envelope;
  bodyStructure: Body;
  body: Body;
  grammarErrors: string[];
}

/** Tokenises one value starting at `pos`; returns the token and the position after it. */
function readToken(buf: Buffer, pos: number): [Token, number] {
  const c = buf[pos];
  if (c === 0x28 /* ( */) {
    const list: TokenList = { kind: 'list', items: [], separators: [] };
    let p = pos + 1;
    let separator = '';
    while (buf[p] !== 0x29 /* ) */) {
      if (p >= buf.length) throw new Error('unterminated list');
      if (buf[p] === 0x20) {
        separator += ' ';
        p++;
        continue;
      }
      if (list.items.length > 0) list.separators.push(separator);
      else if (separator !== '') list.separators.push(`leading:${separator}`);
      const [token, next] = readToken(buf, p);
      list.items.push(token);
      p = next;
      separator = '';
    }
    if (separator !== '') list.separators.push(`trailing:${separator}`);
    return [list, p + 1];
  }
  if (c === 0x22 /* " */) {
    const out: number[] = [];
    let p = pos + 1;
    while (buf[p] !== 0x22) {
      if (p >= buf.length) throw new Error('unterminated quoted string');
      if (buf[p] === 0x5c /* \ */) p++;
      out.push(buf[p]!);
      p++;
    }
    return [{ kind: 'string', bytes: Buffer.from(out) }, p + 1];
  }
  if (c === 0x7b /* { */) {
    const close = buf.indexOf('}\r\n', pos);
    const length = Number(buf.toString('latin1', pos + 1, close));
    const start = close + 3;
    return [{ kind: 'string', bytes: Buffer.from(buf.subarray(start, start + length)) }, start + length];
  }
  let end = pos;
  while (end < buf.length && ![0x20, 0x28, 0x29, 0x0d].includes(buf[end]!)) end++;
  const text = buf.toString('latin1', pos, end);
  if (text === 'NIL') return [null, end];
  if (/^\d+$/.test(text)) return [Number(text), end];
  throw new Error(`unexpected atom ${JSON.stringify(text)} at ${pos}`);
}

/** Decodes the whole response into its named items. */
export function readFetchResponse(response: Buffer): FetchItems {
  const head = /^\* (\d+) FETCH \(/.exec(response.toString('latin1', 0, 40));
  if (!head) throw new Error('not a FETCH response');
  // `(` NAME SP value *(SP NAME SP value) `)`: names are atoms (read here), values are tokens.
  const named = new Map<string, Token>();
  let p = head[0].length;
  while (response[p] !== 0x29) {
    if (named.size > 0) {
      if (response[p] !== 0x20) throw new Error(`no SP before item at ${p}`);
      p++;
    }
    const space = response.indexOf(0x20, p);
    const name = response.toString('latin1', p, space);
    const [value, next] = readToken(response, space + 1);
    named.set(name, value);
    p = next;
  }
  if (response.toString('latin1', p + 1) !== '\r\n') throw new Error('garbage after the FETCH list');
  const get = (name: string): Token => {
    if (!named.has(name)) throw new Error(`no ${name} item`);
    return named.get(name) ?? null;
  };
  const reader = new ItemReader();
  return {
    seq: Number(head[1]),
    envelope: reader.envelope(get('ENVELOPE'), 'ENVELOPE'),
    bodyStructure: reader.body(get('BODYSTRUCTURE'), true, 'BODYSTRUCTURE'),
    body: reader.body(get('BODY'), false, 'BODY'),
    grammarErrors: reader.grammarErrors,
  };
}

class ItemReader {
  readonly grammarErrors: string[] = [];

  #list(token: Token, where: string, separator = ' '): TokenList {
    if (token === null || typeof token === 'number' || token.kind !== 'list')
      throw new Error(`${where}: no list`);
    token.separators.forEach((s, i) => {
      if (s !== separator)
        this.grammarErrors.push(
          `${where}: ${JSON.stringify(s)} between elements ${i + 1} and ${i + 2}, expected ${JSON.stringify(separator)}`,
        );
    });
    return token;
  }

  #nstring(token: Token | undefined, where: string): Buffer | null {
    if (token === null) return null;
    return this.#string(token, where);
  }

  #string(token: Token | undefined, where: string): Buffer {
    if (token === undefined || token === null || typeof token === 'number' || token.kind !== 'string')
      throw new Error(`${where}: no string`);
    return token.bytes;
  }

  #number(token: Token | undefined, where: string): number {
    if (typeof token !== 'number') throw new Error(`${where}: no number`);
    return token;
  }

  /** RFC 9051 §9: env-from = "(" 1*address ")" / nil — no SP between the addresses. */
  #addresses(token: Token | undefined, where: string): Address[] | null {
    if (token === null || token === undefined) return null;
    return this.#list(token, where, '').items.map((a, i) => {
      const at = `${where} address ${i + 1}`;
      const [name, adl, mailbox, host] = this.#list(a, at).items;
      return {
        name: this.#nstring(name, at),
        adl: this.#nstring(adl, at),
        mailbox: this.#nstring(mailbox, at),
        host: this.#nstring(host, at),
      };
    });
  }

  envelope(token: Token, where: string): Envelope {
    const f = this.#list(token, where).items;
    if (f.length !== 10) throw new Error(`${where}: ${f.length} envelope fields`);
    return {
      date: this.#nstring(f[0], `${where} date`),
      subject: this.#nstring(f[1], `${where} subject`),
      from: this.#addresses(f[2], `${where} from`),
      sender: this.#addresses(f[3], `${where} sender`),
      replyTo: this.#addresses(f[4], `${where} reply-to`),
      to: this.#addresses(f[5], `${where} to`),
      cc: this.#addresses(f[6], `${where} cc`),
      bcc: this.#addresses(f[7], `${where} bcc`),
      inReplyTo: this.#nstring(f[8], `${where} in-reply-to`),
      messageId: this.#nstring(f[9], `${where} message-id`),
    };
  }

  #params(token: Token | undefined, where: string): Params {
    if (token === null || token === undefined) return null;
    const items = this.#list(token, where).items;
    const out: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < items.length; i += 2)
      out.push([this.#string(items[i], where), this.#string(items[i + 1], where)]);
    return out;
  }

  #disposition(token: Token | undefined, where: string): Disposition | null {
    if (token === null || token === undefined) return null;
    const [type, params] = this.#list(token, where).items;
    return { type: this.#string(type, where), params: this.#params(params, `${where} params`) };
  }

  body(token: Token, extensible: boolean, where: string): Body {
    if (token === null || typeof token === 'number' || token.kind !== 'list')
      throw new Error(`${where}: no list`);
    const first = token.items[0];
    const isMultipart = first !== null && typeof first === 'object' && first.kind === 'list';
    return isMultipart ? this.#multipart(token, extensible, where) : this.#leaf(token, extensible, where);
  }

  /** body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]: no SP between the bodies. */
  #multipart(token: Token, extensible: boolean, where: string): MultipartBody {
    const list = token as TokenList;
    const childCount = list.items.findIndex((t) => t === null || typeof t === 'number' || t.kind !== 'list');
    if (childCount < 1) throw new Error(`${where}: multipart without media-subtype`);
    list.separators.forEach((s, i) => {
      const expected = i < childCount - 1 ? '' : ' ';
      if (s !== expected)
        this.grammarErrors.push(
          `${where}: ${JSON.stringify(s)} after element ${i + 1}, expected ${JSON.stringify(expected)}`,
        );
    });
    const children = list.items
      .slice(0, childCount)
      .map((c, i) => this.body(c, extensible, `${where}.${i + 1}`));
    const rest = list.items.slice(childCount);
    const out: MultipartBody = {
      kind: 'multipart',
      children,
      subtype: this.#string(rest[0], `${where} subtype`),
    };
    if (extensible && rest.length > 1)
      out.ext = {
        params: this.#params(rest[1], `${where} params`),
        disposition: this.#disposition(rest[2], `${where} disposition`),
        language: rest[3] ?? null,
        location: rest[4] ?? null,
      };
    else if (!extensible && rest.length > 1) this.grammarErrors.push(`${where}: extension data in BODY`);
    return out;
  }

  #leaf(token: Token, extensible: boolean, where: string): LeafBody {
    const f = this.#list(token, where).items;
    const out: LeafBody = {
      kind: 'leaf',
      type: this.#string(f[0], `${where} type`),
      subtype: this.#string(f[1], `${where} subtype`),
      params: this.#params(f[2], `${where} params`),
      id: this.#nstring(f[3], `${where} id`),
      description: this.#nstring(f[4], `${where} description`),
      encoding: this.#string(f[5], `${where} encoding`),
      size: this.#number(f[6], `${where} size`),
    };
    const type = out.type.toString('latin1').toLowerCase();
    const subtype = out.subtype.toString('latin1').toLowerCase();
    let next = 7;
    if (type === 'message' && (subtype === 'rfc822' || subtype === 'global')) {
      out.message = {
        envelope: this.envelope(f[7] ?? null, `${where} envelope`),
        body: this.body(f[8] ?? null, extensible, `${where}.body`),
      };
      out.lines = this.#number(f[9], `${where} lines`);
      next = 10;
    } else if (type === 'text') {
      out.lines = this.#number(f[7], `${where} lines`);
      next = 8;
    }
    if (extensible && f.length > next)
      out.ext = {
        md5: this.#nstring(f[next], `${where} md5`),
        disposition: this.#disposition(f[next + 1], `${where} disposition`),
        language: f[next + 2] ?? null,
        location: f[next + 3] ?? null,
      };
    else if (!extensible && f.length > next) this.grammarErrors.push(`${where}: extension data in BODY`);
    return out;
  }
}
