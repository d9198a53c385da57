// The typed IMAP commands produced by parseCommand(): one member of the `Command` union per command.
// Strings are decoded (mailbox names from modified UTF-7 unless UTF-8 mode; search strings from CHARSET).
// Grammar references are RFC 9051 §9 unless noted.

import type { ModSeq, SpecialUse } from '../../storage/ports.ts';
import type { SequenceSet } from './sequence-set.ts';

/** A calendar date as written in SEARCH (`date = dd-Mon-yyyy`), no time zone. */
export interface ImapDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

// ---------------------------------------------------------------- STATUS / LIST

/** STATUS data items (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE, RFC 7889 APPENDLIMIT). */
export type StatusItem =
  | 'MESSAGES'
  | 'UIDNEXT'
  | 'UIDVALIDITY'
  | 'UNSEEN'
  | 'DELETED'
  | 'SIZE'
  | 'RECENT'
  | 'HIGHESTMODSEQ'
  | 'APPENDLIMIT';

/** LIST-EXTENDED selection options (RFC 5258 §3.1, RFC 6154 §5.1 SPECIAL-USE). */
export interface ListSelectOptions {
  subscribed: boolean;
  remote: boolean;
  recursiveMatch: boolean;
  specialUse: boolean;
}

/** LIST-EXTENDED return options (RFC 5258 §3.2, RFC 6154 §5.2, RFC 5819 STATUS). */
export interface ListReturnOptions {
  subscribed: boolean;
  children: boolean;
  specialUse: boolean;
  /** RETURN (STATUS (...)): the items to send in an untagged STATUS per listed mailbox; null if absent. */
  status: StatusItem[] | null;
}

// ---------------------------------------------------------------- SEARCH

export type DateOp = 'before' | 'on' | 'since';

/**
 * A search criterion. Flag keys are normalised: ANSWERED -> {flag '\\Answered', set true}, UNSEEN ->
 * {flag '\\Seen', set false}, KEYWORD k -> {flag k, set true}, NEW -> and(\\Recent, not \\Seen), OLD -> not \\Recent.
 * BCC/CC/FROM/SUBJECT/TO become `header` keys with a lower-case field name.
 * A list of keys (top level or in parentheses) is an `and`.
 */
export type SearchKey =
  | { type: 'all' }
  | { type: 'and'; keys: SearchKey[] }
  | { type: 'or'; left: SearchKey; right: SearchKey }
  | { type: 'not'; key: SearchKey }
  | { type: 'seq'; set: SequenceSet } // message sequence numbers (or `$`, RFC 5182)
  | { type: 'uid'; set: SequenceSet }
  | { type: 'flag'; flag: string; set: boolean }
  | { type: 'header'; field: string; value: string } // field lower-case; value '' matches any message with the field
  | { type: 'body'; value: string }
  | { type: 'text'; value: string }
  | { type: 'internalDate'; op: DateOp; date: ImapDate }
  | { type: 'sentDate'; op: DateOp; date: ImapDate }
  | { type: 'size'; op: 'larger' | 'smaller'; size: number }
  | { type: 'modSeq'; modSeq: ModSeq; entry: { name: string; kind: 'priv' | 'shared' | 'all' } | null } // RFC 7162 §3.1.5
  | { type: 'age'; op: 'older' | 'younger'; seconds: number }; // RFC 5032 WITHIN

/** ESEARCH RETURN options (RFC 4731, RFC 5182 SAVE). All false after `RETURN ()` means ALL. */
export interface SearchReturn {
  min: boolean;
  max: boolean;
  all: boolean;
  count: boolean;
  save: boolean;
}

// ---------------------------------------------------------------- FETCH

/** A body section (RFC 9051 §6.4.5): part path ([] = whole message) and what of it. */
export interface Section {
  part: number[];
  /** null = the whole part (or message); fields = HEADER.FIELDS / HEADER.FIELDS.NOT (names as the client wrote them). */
  text: null | 'HEADER' | 'TEXT' | 'MIME' | { fields: string[]; not: boolean };
}

/** `<offset.length>` of BODY[]/BINARY[] (RFC 9051 §6.4.5); numbers above 2^53-1 are clamped to it. */
export interface FetchPartial {
  offset: number;
  length: number;
}

export type FetchAttribute =
  | { kind: 'FLAGS' }
  | { kind: 'INTERNALDATE' }
  | { kind: 'RFC822.SIZE' }
  | { kind: 'ENVELOPE' }
  | { kind: 'BODYSTRUCTURE' }
  | { kind: 'BODY' } // non-extensible BODYSTRUCTURE
  | { kind: 'UID' }
  | { kind: 'MODSEQ' } // RFC 7162
  | { kind: 'RFC822' } // = BODY[] (sets \Seen)
  | { kind: 'RFC822.HEADER' } // = BODY.PEEK[HEADER]
  | { kind: 'RFC822.TEXT' } // = BODY[TEXT] (sets \Seen)
  | { kind: 'BODY[]'; section: Section; partial: FetchPartial | null; peek: boolean }
  | { kind: 'BINARY[]'; part: number[]; partial: FetchPartial | null; peek: boolean } // RFC 3516 / RFC 9051
  | { kind: 'BINARY.SIZE'; part: number[] };

// ---------------------------------------------------------------- STORE / APPEND / SELECT

export type StoreOp = 'add' | 'remove' | 'set';

export interface AppendMessage {
  /** Flags as given (system flags in canonical case). */
  flags: string[];
  internalDate: Date | null;
  data: Buffer;
  /** Sent as a literal8 `~{n}` (RFC 3516): may contain NUL and any octet. */
  binary: boolean;
  /** The `UTF8 (literal8)` form of RFC 6855 §4 (message may contain UTF-8 headers). */
  utf8: boolean;
}

/** SELECT/EXAMINE QRESYNC parameter (RFC 7162 §3.2.5). */
export interface QresyncParams {
  uidValidity: number;
  modSeq: ModSeq;
  knownUids: SequenceSet | null;
  seqMatch: { seqs: SequenceSet; uids: SequenceSet } | null;
}

// ---------------------------------------------------------------- the command union

export type Command =
  | { name: 'CAPABILITY' }
  | { name: 'NOOP' }
  | { name: 'LOGOUT' }
  | { name: 'STARTTLS' }
  /** initialResponse: SASL-IR (RFC 4959) decoded; `=` gives an empty Buffer; null when absent. */
  | { name: 'AUTHENTICATE'; mechanism: string; initialResponse: Buffer | null }
  | { name: 'LOGIN'; userid: string; password: string }
  /** Capability names upper-cased (RFC 5161). */
  | { name: 'ENABLE'; capabilities: string[] }
  | { name: 'SELECT' | 'EXAMINE'; mailbox: string; condstore: boolean; qresync: QresyncParams | null }
  | { name: 'CREATE'; mailbox: string; specialUse: SpecialUse[] }
  | { name: 'DELETE'; mailbox: string }
  | { name: 'RENAME'; from: string; to: string }
  | { name: 'SUBSCRIBE'; mailbox: string }
  | { name: 'UNSUBSCRIBE'; mailbox: string }
  /** extended: selection/return options or several patterns were given (RFC 5258 LIST-EXTENDED syntax). */
  | {
      name: 'LIST';
      reference: string;
      patterns: string[];
      select: ListSelectOptions;
      return: ListReturnOptions;
      extended: boolean;
    }
  | { name: 'LSUB'; reference: string; pattern: string }
  | { name: 'NAMESPACE' }
  | { name: 'STATUS'; mailbox: string; items: StatusItem[] }
  /** messages: one, or several with MULTIAPPEND (RFC 3502). */
  | { name: 'APPEND'; mailbox: string; messages: AppendMessage[] }
  | { name: 'IDLE' }
  | { name: 'CHECK' }
  | { name: 'CLOSE' }
  | { name: 'UNSELECT' }
  | { name: 'EXPUNGE' }
  | { name: 'UID EXPUNGE'; set: SequenceSet } // RFC 4315
  /**
   * charset: upper-cased CHARSET argument or null; search strings are already decoded with it.
   * return: null for plain SEARCH; ESEARCH options when `RETURN (...)` was given (RFC 4731).
   */
  | { name: 'SEARCH'; uid: boolean; charset: string | null; criteria: SearchKey; return: SearchReturn | null }
  /**
   * Macros (ALL/FAST/FULL) are expanded. With CHANGEDSINCE, MODSEQ is added to `attributes` if missing
   * (RFC 7162 §3.1.4.1). vanished only with UID FETCH and CHANGEDSINCE (RFC 7162 §3.2.6).
   */
  | {
      name: 'FETCH';
      uid: boolean;
      set: SequenceSet;
      attributes: FetchAttribute[];
      changedSince: ModSeq | null;
      vanished: boolean;
    }
  | {
      name: 'STORE';
      uid: boolean;
      set: SequenceSet;
      op: StoreOp;
      silent: boolean;
      flags: string[];
      unchangedSince: ModSeq | null;
    }
  | { name: 'COPY' | 'MOVE'; uid: boolean; set: SequenceSet; mailbox: string }
  /** RFC 2971: null for `ID NIL`; field names as sent. */
  | { name: 'ID'; params: Array<[string, string | null]> | null };

export type CommandName = Command['name'];

export interface TaggedCommand {
  tag: string;
  command: Command;
}
