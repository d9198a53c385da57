// Parsers for the message commands on a selected mailbox: FETCH, STORE, COPY, MOVE, UID EXPUNGE
// (each also as a UID command). Called with the reader just after the command name.

import type { ModSeq } from '../../storage/ports.ts';
import type { Command, FetchAttribute, FetchPartial, Section, StoreOp } from './command-types.ts';
import { ImapParseError } from './errors.ts';
import {
  dedupeFlags,
  flag,
  flagList,
  mailbox,
  modSeq,
  parenList,
  sequenceSet,
  text,
  type ParseContext,
} from './parse-common.ts';
import { isAtomChar } from './tokenizer.ts';

const MAX_PART_DEPTH = 64;
const MAX_HEADER_FIELDS = 500;
const MAX_FETCH_ATTRIBUTES = 200;

const isFetchNameChar = (c: number) => isAtomChar(c) && c !== 0x5b && c !== 0x3c; // stop at "[" and "<"
const isSectionChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e;

const MACROS: Record<string, FetchAttribute[]> = {
  ALL: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }],
  FAST: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }],
  FULL: [
    { kind: 'FLAGS' },
    { kind: 'INTERNALDATE' },
    { kind: 'RFC822.SIZE' },
    { kind: 'ENVELOPE' },
    { kind: 'BODY' },
  ],
};

const SIMPLE = new Set([
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'UID',
  'MODSEQ',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
]);

// RFC 9051 §6.4.5, RFC 7162 §3.1.4 / §3.2.6 (fetch-modifiers)
export function parseFetch(ctx: ParseContext, uid: boolean): Command {
  const r = ctx.r;
  r.sp();
  const set = sequenceSet(ctx);
  r.sp();
  let attributes: FetchAttribute[];
  if (r.peek() === 0x28) {
    attributes = [];
    parenList(ctx, 'fetch attributes', () => {
      if (attributes.length >= MAX_FETCH_ATTRIBUTES) throw new ImapParseError('too many fetch attributes');
      attributes.push(fetchAttribute(ctx));
    });
    if (attributes.length === 0) throw new ImapParseError('empty fetch attribute list');
  } else {
    const name = r.token('fetch attribute', isFetchNameChar).toUpperCase();
    const macro = MACROS[name];
    attributes = macro ? macro.map((a) => ({ ...a })) : [fetchAttributeNamed(ctx, name)];
  }
  let changedSince: ModSeq | null = null;
  let vanished = false;
  if (r.acceptSp()) {
    parenList(ctx, 'fetch modifiers', () => {
      const word = r.keyword('fetch modifier');
      if (word === 'CHANGEDSINCE' && changedSince === null) {
        r.sp();
        changedSince = modSeq(ctx, false, 'CHANGEDSINCE mod-sequence');
      } else if (word === 'VANISHED' && !vanished) vanished = true;
      else throw new ImapParseError(`unknown or repeated fetch modifier ${word}`);
    });
  }
  r.end();
  if (vanished && !uid) throw new ImapParseError('VANISHED is only allowed with UID FETCH');
  if (vanished && changedSince === null) throw new ImapParseError('VANISHED requires CHANGEDSINCE');
  if (changedSince !== null && !attributes.some((a) => a.kind === 'MODSEQ'))
    attributes.push({ kind: 'MODSEQ' });
  return { name: 'FETCH', uid, set, attributes, changedSince, vanished };
}

function fetchAttribute(ctx: ParseContext): FetchAttribute {
  return fetchAttributeNamed(ctx, ctx.r.token('fetch attribute', isFetchNameChar).toUpperCase());
}

function fetchAttributeNamed(ctx: ParseContext, name: string): FetchAttribute {
  const r = ctx.r;
  const hasSection = r.peek() === 0x5b;
  if (!hasSection) {
    if (SIMPLE.has(name)) return { kind: name } as FetchAttribute;
    if (name in MACROS) throw new ImapParseError(`${name} is a macro and must be used alone`);
    throw new ImapParseError(`unknown fetch attribute ${name}`);
  }
  switch (name) {
    case 'BODY':
    case 'BODY.PEEK': {
      const section = bodySection(ctx);
      return { kind: 'BODY[]', section, partial: partial(ctx), peek: name === 'BODY.PEEK' };
    }
    case 'BINARY':
    case 'BINARY.PEEK': {
      const part = binarySection(ctx);
      return { kind: 'BINARY[]', part, partial: partial(ctx), peek: name === 'BINARY.PEEK' };
    }
    case 'BINARY.SIZE':
      return { kind: 'BINARY.SIZE', part: binarySection(ctx) };
    default:
      throw new ImapParseError(`${name} takes no section`);
  }
}

/** section = "[" [section-spec] "]" */
function bodySection(ctx: ParseContext): Section {
  const r = ctx.r;
  r.expect(0x5b, '[');
  if (r.accept(0x5d)) return { part: [], text: null };
  const spec = r.token('section', isSectionChar);
  const words = spec.split('.');
  const part: number[] = [];
  while (words.length > 0 && /^[0-9]/.test(words[0]!)) part.push(partNumber(words.shift()!));
  const rest = words.join('.').toUpperCase();
  let sectionText: Section['text'];
  if (rest === '') sectionText = null;
  else if (rest === 'HEADER' || rest === 'TEXT') sectionText = rest;
  else if (rest === 'MIME') {
    if (part.length === 0) throw new ImapParseError('MIME requires a part number');
    sectionText = 'MIME';
  } else if (rest === 'HEADER.FIELDS' || rest === 'HEADER.FIELDS.NOT') {
    r.sp();
    sectionText = { fields: headerList(ctx), not: rest === 'HEADER.FIELDS.NOT' };
  } else throw new ImapParseError(`invalid section "${spec.slice(0, 40)}"`);
  if (part.length > MAX_PART_DEPTH) throw new ImapParseError('section part path too deep');
  r.expect(0x5d, '] to close the section');
  return { part, text: sectionText };
}

function partNumber(word: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(word) || Number(word) > 0xffffffff) {
    throw new ImapParseError(`invalid section part number "${word.slice(0, 12)}"`);
  }
  return Number(word);
}

// header-list = "(" header-fld-name *(SP header-fld-name) ")"; field names are RFC 5322 ftext.
function headerList(ctx: ParseContext): string[] {
  const fields: string[] = [];
  parenList(ctx, 'header field list', () => {
    if (fields.length >= MAX_HEADER_FIELDS) throw new ImapParseError('too many header fields');
    const name = text(ctx.r.astring('header field name'), 'header field name');
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
      throw new ImapParseError(`invalid header field name "${name}"`);
    fields.push(name);
  });
  if (fields.length === 0) throw new ImapParseError('empty header field list');
  return fields;
}

/** section-binary = "[" [section-part] "]" */
function binarySection(ctx: ParseContext): number[] {
  const r = ctx.r;
  r.expect(0x5b, '[');
  if (r.accept(0x5d)) return [];
  const spec = r.token('binary section', isSectionChar);
  const part = spec.split('.').map(partNumber);
  if (part.length > MAX_PART_DEPTH) throw new ImapParseError('section part path too deep');
  r.expect(0x5d, '] to close the section');
  return part;
}

/** partial = "<" number64 "." nz-number64 ">" */
function partial(ctx: ParseContext): FetchPartial | null {
  const r = ctx.r;
  if (!r.accept(0x3c)) return null;
  const offset = r.number64('partial offset');
  r.expect(0x2e, '. in partial');
  const length = r.number64('partial length');
  if (length === 0) throw new ImapParseError('partial length must not be 0');
  r.expect(0x3e, '> to close partial');
  return { offset, length };
}

// RFC 9051 §6.4.6, RFC 7162 §3.1.3 (UNCHANGEDSINCE)
export function parseStore(ctx: ParseContext, uid: boolean): Command {
  const r = ctx.r;
  r.sp();
  const set = sequenceSet(ctx);
  r.sp();
  let unchangedSince: ModSeq | null = null;
  if (r.peek() === 0x28) {
    parenList(ctx, 'store modifiers', () => {
      const word = r.keyword('store modifier');
      if (word !== 'UNCHANGEDSINCE' || unchangedSince !== null) {
        throw new ImapParseError(`unknown or repeated store modifier ${word}`);
      }
      r.sp();
      unchangedSince = modSeq(ctx, true, 'UNCHANGEDSINCE mod-sequence');
    });
    r.sp();
  }
  let op: StoreOp = 'set';
  if (r.accept(0x2b)) op = 'add';
  else if (r.accept(0x2d)) op = 'remove';
  const item = r.keyword('FLAGS');
  if (item !== 'FLAGS' && item !== 'FLAGS.SILENT')
    throw new ImapParseError(`expected FLAGS or FLAGS.SILENT, found ${item}`);
  r.sp();
  let flags: string[];
  if (r.peek() === 0x28) flags = flagList(ctx);
  else {
    flags = [];
    do flags.push(flag(ctx));
    while (r.acceptSp());
    flags = dedupeFlags(flags);
  }
  r.end();
  return { name: 'STORE', uid, set, op, silent: item === 'FLAGS.SILENT', flags, unchangedSince };
}

// RFC 9051 §6.4.7 COPY, RFC 6851 MOVE
export function parseCopyMove(name: 'COPY' | 'MOVE'): (ctx: ParseContext, uid: boolean) => Command {
  return (ctx, uid) => {
    ctx.r.sp();
    const set = sequenceSet(ctx);
    ctx.r.sp();
    const box = mailbox(ctx);
    ctx.r.end();
    return { name, uid, set, mailbox: box };
  };
}

// RFC 4315 §2.1 / RFC 9051 §6.4.9
export function parseUidExpunge(ctx: ParseContext): Command {
  ctx.r.sp();
  const set = sequenceSet(ctx);
  ctx.r.end();
  return { name: 'UID EXPUNGE', set };
}
