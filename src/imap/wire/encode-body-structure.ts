// ENVELOPE, BODYSTRUCTURE and BODY values (RFC 9051 §7.5.2) from the parsed message index
// (src/message/types.ts). The results are ImapValue lists for fetchResponse().

import type { Envelope, EnvelopeAddress, MimePart } from '../../message/types.ts';
import { concat, type EncodeOptions, type ImapValue } from './encode.ts';

/**
 * Display names are stored decoded (UTF-8). Clients that did not enable UTF-8 get non-ASCII names back as an
 * RFC 2047 encoded word, as they would appear in the header.
 */
function displayName(name: string | null, utf8: boolean): string | null {
  if (name === null || utf8 || !/[^\x00-\x7f]/.test(name)) return name;
  return `=?utf-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
}

function addressList(list: EnvelopeAddress[] | null, utf8: boolean): ImapValue {
  if (list === null || list.length === 0) return null;
  // RFC 9051 §9: env-from = "(" 1*address ")": the addresses follow each other with no SP between them.
  return [concat(list.map((a) => [displayName(a.name, utf8), a.adl, a.mailbox, a.host]))];
}

/** ENVELOPE (RFC 9051 §7.5.2): sender and reply-to default to from when absent. */
export function envelopeValue(env: Envelope, options: EncodeOptions = {}): ImapValue[] {
  const utf8 = options.utf8 ?? false;
  const from = addressList(env.from, utf8);
  const sender = env.sender && env.sender.length > 0 ? addressList(env.sender, utf8) : from;
  const replyTo = env.replyTo && env.replyTo.length > 0 ? addressList(env.replyTo, utf8) : from;
  return [
    env.date,
    env.subject,
    from,
    sender,
    replyTo,
    addressList(env.to, utf8),
    addressList(env.cc, utf8),
    addressList(env.bcc, utf8),
    env.inReplyTo,
    env.messageId,
  ];
}

const EMPTY_ENVELOPE: Envelope = {
  date: null,
  subject: null,
  from: null,
  sender: null,
  replyTo: null,
  to: null,
  cc: null,
  bcc: null,
  inReplyTo: null,
  messageId: null,
};

/** body-fld-param: ("NAME" "value" …) or NIL; names upper-cased, values as stored. */
function params(p: Record<string, string>): ImapValue {
  const entries = Object.entries(p);
  if (entries.length === 0) return null;
  return entries.flatMap(([k, v]) => [k.toUpperCase(), v]);
}

function disposition(part: MimePart): ImapValue {
  if (!part.disposition) return null;
  return [part.disposition.type.toUpperCase(), params(part.disposition.params)];
}

function language(part: MimePart): ImapValue {
  if (!part.language || part.language.length === 0) return null;
  return part.language.length === 1 ? part.language[0]! : part.language;
}

// A multipart needs at least one child (body-type-mpart = 1*body); an empty one gets an empty text part.
const EMPTY_TEXT_PART: MimePart = {
  headerStart: 0,
  bodyStart: 0,
  bodyEnd: 0,
  type: 'text',
  subtype: 'plain',
  params: { charset: 'us-ascii' },
  id: null,
  description: null,
  encoding: '7BIT',
  size: 0,
  lines: 0,
  md5: null,
  disposition: null,
  language: null,
  location: null,
  children: [],
  message: null,
};

const isMessagePart = (part: MimePart) =>
  part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global');

/**
 * BODYSTRUCTURE (extensible = true) or BODY (false) of a MIME part (RFC 9051 §7.5.2 body grammar).
 * Depth is bounded by the message parser's limits, so recursion is safe.
 */
export function bodyStructureValue(
  part: MimePart,
  extensible: boolean,
  options: EncodeOptions = {},
): ImapValue[] {
  if (part.type === 'multipart') {
    const children = part.children.length > 0 ? part.children : [EMPTY_TEXT_PART];
    // body-type-mpart = 1*body SP media-subtype: no SP between the children.
    const out: ImapValue[] = [multipartChildren(children, extensible, options), part.subtype.toUpperCase()];
    if (extensible) out.push(params(part.params), disposition(part), language(part), part.location);
    return out;
  }
  const out: ImapValue[] = [
    part.type.toUpperCase(),
    part.subtype.toUpperCase(),
    params(part.params),
    part.id,
    part.description,
    part.encoding.toUpperCase(),
    part.size,
  ];
  if (isMessagePart(part)) {
    const inner = part.message ?? { envelope: EMPTY_ENVELOPE, body: EMPTY_TEXT_PART };
    out.push(
      envelopeValue(inner.envelope, options),
      bodyStructureValue(inner.body, extensible, options),
      part.lines,
    );
  } else if (part.type === 'text') out.push(part.lines);
  if (extensible) out.push(part.md5, disposition(part), language(part), part.location);
  return out;
}

/** The children of a multipart, written "(…)(…)" with no SP between them. */
function multipartChildren(children: MimePart[], extensible: boolean, options: EncodeOptions): ImapValue {
  return concat(children.map((c) => bodyStructureValue(c, extensible, options)));
}
