// The IMAP wire layer: pure functions and small state machines, no I/O. Bytes in, typed values out, and back.
// IMAP4rev2 (RFC 9051) with IMAP4rev1 (RFC 3501) compatibility and LITERAL+/-, BINARY, UIDPLUS, CONDSTORE,
// QRESYNC, ESEARCH, SEARCHRES, LIST-EXTENDED, LIST-STATUS, SPECIAL-USE, MOVE, ID, ENABLE, SASL-IR, UTF8=ACCEPT,
// MULTIAPPEND, STATUS=SIZE, APPENDLIMIT, WITHIN syntax.
//
// Reading a command (session side):
//   CommandAssembler.pushLine / pushLiteral / pushDiscarded  -> step: literal to read, discard, reject, or command
//   parseCommand(parts, { utf8Mailboxes })                   -> { tag, command: Command }  | throws ImapParseError
//   parseErrorResponse(err)                                  -> { tag, response } to write (BAD, or NO [TOOBIG] …)
//   parseSaslResponse(line)                                  -> AUTHENTICATE continuation data or cancel
// Selected-mailbox helpers: resolveSeqNumbers (or resolveSeqRanges) / resolveUids / toRanges + rangesContain;
// formatSequenceSet.
// Writing responses: ok/no/bad/bye/preauth(...).code(...).encode(tag); continuation(); the *Response builders
// in untagged.ts; fetchResponse + fetchItemName + envelopeValue / bodyStructureValue; formatDateTime.
//
// Invariants:
// - parseCommand and the tokenizer throw only ImapParseError for any input (property-tested); `tag` is set
//   whenever a tag could be read, `status` is BAD except for refusals the RFCs answer with NO (BADCHARSET,
//   TOOBIG, USEATTR).
// - Limits on everything the client controls: literal sizes (checked before `+` is sent), command size,
//   literal count, sequence-set ranges, SEARCH nesting depth, fetch attributes, header fields, ID fields.
// - Mailbox names leave the parser as UTF-8 with INBOX canonical; modified UTF-7 is decoded strictly
//   (canonical form only), so two wire names never denote the same mailbox.
// - Numbers: 32-bit where the grammar says number/nz-number; mod-sequences and 64-bit sizes up to 2^53-1.
// - Encoders never emit CR/LF inside a value except as literal content; strings become literals when they
//   cannot be quoted (CR, LF, NUL, or 8-bit for clients without UTF-8).

export * from './command-types.ts';
export * from './errors.ts';
export * from './sequence-set.ts';
export * from './mutf7.ts';
export * from './date-time.ts';
export * from './command-assembler.ts';
export { parseCommand, parseSaslResponse, decodeBase64 } from './parse-command.ts';
export { decodeMailboxName, type ParseOptions } from './parse-common.ts';
export { BASIC_CHARSETS } from './parse-search.ts';
export * from './encode.ts';
export * from './response.ts';
export * from './untagged.ts';
export * from './encode-body-structure.ts';
