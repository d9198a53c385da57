// Message parsing: RFC 5322 messages and MIME (RFC 2045-2049) into the ParsedMessage index stored beside each
// body (types.ts), plus the pieces other layers reuse: address lists, parameters, dates, encoded words, part
// lookup by IMAP section number, body decoding, and trace-header prepending for SMTP.
// Invariants (see parse.ts): parsing never throws; part offsets are exact byte offsets into the stored message
// so IMAP serves BODY[...] by slicing; multipart parts always have children and message/rfc822 parts a message.
export type { Envelope, EnvelopeAddress, MimePart, ParsedMessage } from './types.ts';
export { parseMessage, DEFAULT_PARSE_LIMITS, type ParseLimits } from './parse.ts';
export {
  parseAddressList,
  formatAddress,
  formatAddressList,
  plainAddresses,
  isGroupStart,
  isGroupEnd,
  MISSING_MAILBOX,
  MISSING_DOMAIN,
} from './address-list.ts';
export {
  parseHeaderValueWithParams,
  parseContentType,
  parseContentDisposition,
  type ContentType,
  type HeaderValueWithParams,
} from './params.ts';
export { parseDate, parseDateFields, type DateFields } from './date.ts';
export { decodeEncodedWords } from './encoded-words.ts';
export { decodeCharset, decodeUnlabelled, isKnownCharset } from './charset.ts';
export {
  readHeaderBlock,
  headerFieldsIn,
  rawFieldValue,
  type HeaderField,
  type HeaderBlock,
} from './header-block.ts';
export { buildEnvelope } from './envelope.ts';
export { partAt } from './sections.ts';
export { decodeTransferEncoding, decodeQuotedPrintable, partBody, partText } from './body-decode.ts';
export { prependHeaders, foldField } from './trace-headers.ts';
