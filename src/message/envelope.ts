// ENVELOPE data (RFC 9051 §7.5.2) from one entity's header fields.
// Strings are the raw header values, unfolded and not decoded, as Dovecot sends them; the first occurrence
// of a field counts. Address lists are parsed (display names decoded); an absent or empty list is null.
// "If the Sender or Reply-To fields are absent in the [RFC-5322] header, or are present but empty, the
// server sets the corresponding member of the envelope to be the same value as the from member" — done here
// so every consumer gets the IMAP view.
import { parseAddressList } from './address-list.ts';
import type { Envelope, EnvelopeAddress } from './types.ts';

/** Looks up the raw (unfolded, undecoded) value of the first field with this lower-case name. */
export type FieldLookup = (key: string) => string | null;

export function buildEnvelope(field: FieldLookup): Envelope {
  const from = addresses(field('from'));
  return {
    date: field('date'),
    subject: field('subject'),
    from,
    sender: addresses(field('sender')) ?? copy(from),
    replyTo: addresses(field('reply-to')) ?? copy(from),
    to: addresses(field('to')),
    cc: addresses(field('cc')),
    bcc: addresses(field('bcc')),
    inReplyTo: field('in-reply-to'),
    messageId: field('message-id'),
  };
}

export function emptyEnvelope(): Envelope {
  return buildEnvelope(() => null);
}

function addresses(raw: string | null): EnvelopeAddress[] | null {
  if (raw === null) return null;
  const list = parseAddressList(raw);
  return list.length === 0 ? null : list;
}

function copy(list: EnvelopeAddress[] | null): EnvelopeAddress[] | null {
  return list === null ? null : list.map((address) => ({ ...address }));
}
