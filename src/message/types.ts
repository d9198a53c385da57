// The parsed index of a message, made once when the message is stored (RFC 5322, MIME RFC 2045-2049).
// IMAP answers ENVELOPE, BODYSTRUCTURE, BODY[section] and header SEARCH from it without reparsing.
// It is stored as JSON beside the body, so it holds only plain data (no Date, no Buffer).

/** RFC 9051 §7.5.2 ENVELOPE address: [name, adl, mailbox, host]; a group is start/end markers. */
export interface EnvelopeAddress {
  name: string | null; // decoded display name (RFC 2047), UTF-8
  adl: null;
  mailbox: string | null; // local part; group name for a group start, null for a group end
  host: string | null; // domain; null for group start/end markers
}

/** RFC 9051 §7.5.2 ENVELOPE fields; strings are raw header values unfolded (not decoded), as IMAP sends them. */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: EnvelopeAddress[] | null;
  sender: EnvelopeAddress[] | null;
  replyTo: EnvelopeAddress[] | null;
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** One MIME entity with byte offsets into the stored message. */
export interface MimePart {
  /** Offsets into the whole message: header starts, body starts (after the blank line), body ends. */
  headerStart: number;
  bodyStart: number;
  bodyEnd: number;
  /** Lower-case "text", "plain", etc. Defaults per RFC 2045 §5.2 (text/plain; or message/rfc822 in digest). */
  type: string;
  subtype: string;
  /** Content-Type parameters, names lower-cased, RFC 2231 continuations joined and decoded. */
  params: Record<string, string>;
  id: string | null;
  description: string | null;
  /** Content-Transfer-Encoding, upper-cased as received ("7BIT" when absent). */
  encoding: string;
  /** Body size in octets (bodyEnd - bodyStart). */
  size: number;
  /** Lines in the body, for text/* and message/rfc822. */
  lines: number;
  md5: string | null;
  disposition: { type: string; params: Record<string, string> } | null;
  language: string[] | null;
  location: string | null;
  /** Children of multipart/*; empty for leaf parts. */
  children: MimePart[];
  /** For message/rfc822 (and message/global): the encapsulated message. */
  message: { envelope: Envelope; body: MimePart } | null;
}

export interface ParsedMessage {
  /** Size of the whole message in octets (RFC822.SIZE). */
  size: number;
  envelope: Envelope;
  /** The top-level entity (the message's own header + body). */
  body: MimePart;
  /** Decoded, searchable header values: lower-case field name -> values in order (RFC 2047 decoded, UTF-8). */
  headers: Array<[string, string]>;
  /** Date header parsed to epoch ms, or null (SEARCH SENTBEFORE etc.). */
  sentDate: number | null;
  /** True when any header or body byte is outside ASCII. */
  eightBit: boolean;
  /** Limits hit while parsing (depth, parts, header size); the structure is still usable. */
  warnings: string[];
}
