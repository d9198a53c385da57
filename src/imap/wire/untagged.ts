// Untagged server responses (RFC 9051 §7.2-7.5 and extensions), each as ready-to-write bytes.
// Mailbox names are given in UTF-8 and encoded for the client (modified UTF-7 unless `utf8`).

import type { FetchAttribute, Section, StatusItem } from './command-types.ts';
import {
  astring,
  atom,
  isAtom,
  quote,
  ResponseWriter,
  type EncodeOptions,
  type ImapValue,
} from './encode.ts';
import { encodeMutf7 } from './mutf7.ts';
import { formatSequenceSet } from './sequence-set.ts';

const CRLF = '\r\n';

function line(build: (w: ResponseWriter) => void, options: EncodeOptions = {}): Buffer {
  const w = new ResponseWriter(options).raw('* ');
  build(w);
  w.raw(CRLF);
  return Buffer.concat(w.finish());
}

/** A mailbox name as the client expects it: UTF-8 (rev2 / UTF8=ACCEPT) or modified UTF-7, as an astring. */
export function mailboxName(name: string, utf8: boolean): ImapValue {
  return astring(utf8 ? name : encodeMutf7(name));
}

/** A flag list value for FETCH FLAGS: flags are atoms (keywords were validated as atoms when stored). */
export function flagsValue(flags: readonly string[]): ImapValue {
  return flags.map(atom);
}

/** `* CAPABILITY IMAP4rev2 …` */
export const capabilityResponse = (caps: readonly string[]) =>
  line((w) => w.raw(['CAPABILITY', ...caps].join(' ')));
/** `* ENABLED …` (RFC 5161) */
export const enabledResponse = (caps: readonly string[]) =>
  line((w) => w.raw(['ENABLED', ...caps].join(' ')));
export const existsResponse = (count: number) => line((w) => w.raw(`${count} EXISTS`));
/** IMAP4rev1 only (RFC 3501 §7.3.2). */
export const recentResponse = (count: number) => line((w) => w.raw(`${count} RECENT`));
export const expungeResponse = (seq: number) => line((w) => w.raw(`${seq} EXPUNGE`));
/** `* FLAGS (…)` (RFC 9051 §7.3.5) */
export const flagsResponse = (flags: readonly string[]) => line((w) => w.raw(`FLAGS (${flags.join(' ')})`));

/** `* VANISHED [(EARLIER)] uid-set` (RFC 7162 §3.2.10); uids must not be empty. */
export function vanishedResponse(uids: Iterable<number>, earlier: boolean): Buffer {
  return line((w) => w.raw(`VANISHED ${earlier ? '(EARLIER) ' : ''}${formatSequenceSet(uids)}`));
}

export interface ListEntry {
  /** Attributes with backslash: \HasChildren, \Noselect, \Subscribed, \Sent, … */
  attributes: readonly string[];
  /** Hierarchy delimiter, or null for NIL. */
  delimiter: string | null;
  name: string;
  /** mbox-list-extended items, e.g. CHILDINFO ("SUBSCRIBED") (RFC 5258 §3.5), OLDNAME (RFC 9051 §7.3.1). */
  extended?: ReadonlyArray<[string, ImapValue]>;
}

/** `* LIST (attrs) "/" name [(ext)]` or `* LSUB …` (RFC 9051 §7.3.1). */
export function listResponse(entry: ListEntry, utf8: boolean, kind: 'LIST' | 'LSUB' = 'LIST'): Buffer {
  return line(
    (w) => {
      w.raw(`${kind} (${entry.attributes.join(' ')}) `);
      w.value(entry.delimiter);
      w.raw(' ');
      w.value(mailboxName(entry.name, utf8));
      if (entry.extended && entry.extended.length > 0) {
        w.raw(' ');
        w.list(entry.extended.flatMap(([tag, v]) => [atom(tag), v]));
      }
    },
    { utf8 },
  );
}

/** `* STATUS name (MESSAGES 3 UIDNEXT 7 …)` (RFC 9051 §7.3.2). */
export function statusResponse(
  name: string,
  items: ReadonlyArray<[StatusItem, number]>,
  utf8: boolean,
): Buffer {
  return line(
    (w) => {
      w.raw('STATUS ');
      w.value(mailboxName(name, utf8));
      w.raw(` (${items.map(([k, v]) => `${k} ${v}`).join(' ')})`);
    },
    { utf8 },
  );
}

/** `* SEARCH 2 3 6 [(MODSEQ n)]` (IMAP4rev1; RFC 7162 §3.1.5 adds the MODSEQ when MODSEQ was searched). */
export function searchResponse(numbers: readonly number[], modSeq: number | null = null): Buffer {
  return line((w) => {
    w.raw(['SEARCH', ...numbers.map(String)].join(' '));
    if (modSeq !== null && numbers.length > 0) w.raw(` (MODSEQ ${modSeq})`);
  });
}

export interface EsearchResult {
  tag: string | null;
  uid: boolean;
  min?: number | null;
  max?: number | null;
  /** ALL as numbers (formatted into a compact set); omitted when empty, as RFC 4731 §3.1 requires. */
  all?: readonly number[] | null;
  count?: number | null;
  modSeq?: number | null;
}

/** `* ESEARCH (TAG "a1") UID MIN 2 MAX 9 ALL 2:4,9 COUNT 4` (RFC 4731 / RFC 9051 §7.3.4). */
export function esearchResponse(r: EsearchResult): Buffer {
  return line((w) => {
    w.raw('ESEARCH');
    if (r.tag !== null) {
      w.raw(' (TAG ');
      w.value(r.tag);
      w.raw(')');
    }
    if (r.uid) w.raw(' UID');
    if (r.min != null) w.raw(` MIN ${r.min}`);
    if (r.max != null) w.raw(` MAX ${r.max}`);
    if (r.all && r.all.length > 0) w.raw(` ALL ${formatSequenceSet(r.all)}`);
    if (r.count != null) w.raw(` COUNT ${r.count}`);
    if (r.modSeq != null) w.raw(` MODSEQ ${r.modSeq}`);
  });
}

export interface NamespaceDescriptor {
  prefix: string;
  delimiter: string | null;
}

/** `* NAMESPACE (("" "/")) NIL NIL` (RFC 9051 §7.3.3); null for NIL. */
export function namespaceResponse(
  personal: readonly NamespaceDescriptor[] | null,
  other: readonly NamespaceDescriptor[] | null,
  shared: readonly NamespaceDescriptor[] | null,
  utf8: boolean,
): Buffer {
  const ns = (list: readonly NamespaceDescriptor[] | null): ImapValue =>
    list && list.length > 0 ? list.map((d) => [utf8 ? d.prefix : encodeMutf7(d.prefix), d.delimiter]) : null;
  return line((w) => w.raw('NAMESPACE ').values([ns(personal), ns(other), ns(shared)]), { utf8 });
}

/** `* ID ("name" "Posthorn" …)` or `* ID NIL` (RFC 2971). */
export function idResponse(params: ReadonlyArray<[string, string | null]> | null): Buffer {
  return line((w) => w.raw('ID ').value(params && params.length > 0 ? params.flat() : null), { utf8: true });
}

/**
 * `* seq FETCH (name value …)` as chunks (literals are not copied). Names are written as given
 * (use fetchItemName for BODY[…] and friends); values are encoded as ImapValue.
 */
export function fetchResponse(
  seq: number,
  items: ReadonlyArray<readonly [string, ImapValue]>,
  options: EncodeOptions = {},
): Buffer[] {
  const w = new ResponseWriter(options).raw(`* ${seq} FETCH (`);
  items.forEach(([name, value], i) => {
    w.raw(i === 0 ? `${name} ` : ` ${name} `);
    w.value(value);
  });
  return w.raw(')' + CRLF).finish();
}

/** The section text inside brackets: "1.2.HEADER.FIELDS (From To)", "TEXT", "" … */
export function formatSection(section: Section): string {
  const parts = section.part.map(String);
  const t = section.text;
  if (t !== null) {
    if (typeof t === 'string') parts.push(t);
    else {
      const fields = t.fields.map((f) => (isAtom(f) ? f : quote(f))); // field names are ASCII ftext
      parts.push(`${t.not ? 'HEADER.FIELDS.NOT' : 'HEADER.FIELDS'} (${fields.join(' ')})`);
    }
  }
  return parts.join('.');
}

/**
 * The name under which a FETCH attribute is answered (RFC 9051 §7.5.2): BODY.PEEK[x] is answered as BODY[x],
 * a partial as `<offset>` only; BINARY.PEEK as BINARY.
 */
export function fetchItemName(attr: FetchAttribute): string {
  switch (attr.kind) {
    case 'BODY[]':
      return `BODY[${formatSection(attr.section)}]${attr.partial ? `<${attr.partial.offset}>` : ''}`;
    case 'BINARY[]':
      return `BINARY[${attr.part.join('.')}]${attr.partial ? `<${attr.partial.offset}>` : ''}`;
    case 'BINARY.SIZE':
      return `BINARY.SIZE[${attr.part.join('.')}]`;
    default:
      return attr.kind;
  }
}
