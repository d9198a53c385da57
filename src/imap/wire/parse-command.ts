// parseCommand(): one assembled command (line parts and literals, see command-assembler.ts) -> tag + typed
// Command. Throws only ImapParseError, with the tag and command name filled in when they could be read.

import type { Command, TaggedCommand } from './command-types.ts';
import { ImapParseError } from './errors.ts';
import { makeContext, parenList, text, type ParseContext, type ParseOptions } from './parse-common.ts';
import { parseCopyMove, parseFetch, parseStore, parseUidExpunge } from './parse-fetch.ts';
import { MAILBOX_PARSERS } from './parse-mailbox.ts';
import { parseSearch } from './parse-search.ts';
import { CommandReader, decodeUtf8, isTagChar } from './tokenizer.ts';

export type { ParseOptions } from './parse-common.ts';

type Parser = (ctx: ParseContext) => Command;
type UidParser = (ctx: ParseContext, uid: boolean) => Command;

function bare(name: Command['name']): Parser {
  return (ctx) => {
    ctx.r.end();
    return { name } as Command;
  };
}

// RFC 9051 §6.2.2, RFC 4959 (SASL-IR): AUTHENTICATE SP auth-type [SP (base64 / "=")]
const authenticate: Parser = (ctx) => {
  const r = ctx.r;
  r.sp();
  const mechanism = r.keyword('SASL mechanism');
  let initialResponse: Buffer | null = null;
  if (r.acceptSp()) {
    const token = r.atom('initial response', (c) => c !== 0x20 && c > 0x20 && c < 0x7f);
    initialResponse = decodeBase64(token);
  }
  r.end();
  return { name: 'AUTHENTICATE', mechanism, initialResponse };
};

/** base64 as in RFC 9051 §9 (padding required) or "=" for an empty response. */
export function decodeBase64(token: string): Buffer {
  if (token === '=') return Buffer.alloc(0);
  if (token.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(token)) {
    throw new ImapParseError('invalid base64');
  }
  return Buffer.from(token, 'base64');
}

/**
 * A client line answering an AUTHENTICATE challenge (RFC 9051 §6.2.2): base64 data, or "*" to cancel.
 * Throws ImapParseError for invalid base64 (answer the AUTHENTICATE with BAD).
 */
export function parseSaslResponse(line: Buffer): { cancel: true } | { cancel: false; data: Buffer } {
  const token = line.toString('latin1');
  if (token === '*') return { cancel: true };
  if (token === '') return { cancel: false, data: Buffer.alloc(0) };
  return { cancel: false, data: decodeBase64(token) };
}

// RFC 9051 §6.2.3
const login: Parser = (ctx) => {
  const r = ctx.r;
  r.sp();
  const userid = decodeUtf8(r.astring('user name').bytes, 'user name');
  r.sp();
  const password = decodeUtf8(r.astring('password').bytes, 'password');
  r.end();
  return { name: 'LOGIN', userid, password };
};

// RFC 5161: ENABLE 1*(SP capability)
const enable: Parser = (ctx) => {
  const r = ctx.r;
  const capabilities: string[] = [];
  while (r.acceptSp()) {
    if (capabilities.length >= 100) throw new ImapParseError('too many capabilities');
    capabilities.push(r.keyword('capability'));
  }
  if (capabilities.length === 0) throw new ImapParseError('ENABLE needs at least one capability');
  r.end();
  return { name: 'ENABLE', capabilities };
};

// RFC 2971 §3.3: at most 30 pairs, fields of at most 30 octets, values of at most 1024 octets.
const id: Parser = (ctx) => {
  const r = ctx.r;
  r.sp();
  if (r.acceptWord('NIL')) {
    r.end();
    return { name: 'ID', params: null };
  }
  const params: Array<[string, string | null]> = [];
  parenList(ctx, 'ID parameters', () => {
    if (params.length >= 30) throw new ImapParseError('more than 30 ID fields');
    const field = text(r.string('ID field'), 'ID field');
    if (Buffer.byteLength(field) > 30) throw new ImapParseError('ID field longer than 30 octets');
    r.sp();
    const value = r.nstring('ID value');
    if (value && value.bytes.length > 1024) throw new ImapParseError('ID value longer than 1024 octets');
    params.push([field, value ? text(value, 'ID value') : null]);
  });
  r.end();
  return { name: 'ID', params };
};

const PARSERS: Readonly<Record<string, Parser>> = {
  CAPABILITY: bare('CAPABILITY'),
  NOOP: bare('NOOP'),
  LOGOUT: bare('LOGOUT'),
  STARTTLS: bare('STARTTLS'),
  NAMESPACE: bare('NAMESPACE'),
  IDLE: bare('IDLE'),
  CHECK: bare('CHECK'),
  CLOSE: bare('CLOSE'),
  UNSELECT: bare('UNSELECT'),
  EXPUNGE: bare('EXPUNGE'),
  AUTHENTICATE: authenticate,
  LOGIN: login,
  ENABLE: enable,
  ID: id,
  ...MAILBOX_PARSERS,
};

const UID_PARSERS: Readonly<Record<string, UidParser>> = {
  FETCH: parseFetch,
  STORE: parseStore,
  COPY: parseCopyMove('COPY'),
  MOVE: parseCopyMove('MOVE'),
  SEARCH: parseSearch,
};

/**
 * Parses one complete command. `parts` alternate line / literal / line … (odd length), lines without CRLF.
 * Throws ImapParseError: `tag` is null when no tag could be read; `command` names the command when known.
 */
export function parseCommand(parts: readonly Buffer[], options: ParseOptions = {}): TaggedCommand {
  let tag: string | null = null;
  let name: string | null = null;
  try {
    const r = new CommandReader(parts);
    const ctx = makeContext(r, options);
    tag = readTag(r);
    r.sp();
    name = r.keyword('command name');
    if (name === 'UID') {
      r.sp();
      const sub = r.keyword('UID command');
      name = `UID ${sub}`;
      if (sub === 'EXPUNGE') return { tag, command: parseUidExpunge(ctx) };
      const uidParser = Object.hasOwn(UID_PARSERS, sub) ? UID_PARSERS[sub] : undefined;
      if (!uidParser) throw new ImapParseError(`unknown UID command ${sub}`);
      return { tag, command: uidParser(ctx, true) };
    }
    const uidParser = Object.hasOwn(UID_PARSERS, name) ? UID_PARSERS[name] : undefined;
    if (uidParser) return { tag, command: uidParser(ctx, false) };
    const parser = Object.hasOwn(PARSERS, name) ? PARSERS[name] : undefined;
    if (!parser) throw new ImapParseError(`unknown command ${name}`);
    return { tag, command: parser(ctx) };
  } catch (err) {
    if (err instanceof ImapParseError) {
      err.tag ??= tag;
      err.command ??= name;
    }
    throw err; // anything else is a parser bug: let it surface (the session answers NO [SERVERBUG])
  }
}

function readTag(r: CommandReader): string {
  if (r.peek() === -1) throw new ImapParseError('empty command line');
  return r.atom('tag', isTagChar);
}
