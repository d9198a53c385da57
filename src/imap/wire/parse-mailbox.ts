// Parsers for the mailbox commands: SELECT/EXAMINE, CREATE, DELETE, RENAME, (UN)SUBSCRIBE, LIST, LSUB,
// STATUS, APPEND. Each is called after the command name; the reader is at the SP that follows it (or the end).

import type { SpecialUse } from '../../storage/ports.ts';
import type {
  AppendMessage,
  Command,
  ListReturnOptions,
  ListSelectOptions,
  QresyncParams,
  StatusItem,
} from './command-types.ts';
import { ImapParseError } from './errors.ts';
import {
  dateTime,
  decodeMailboxName,
  flagList,
  mailbox,
  modSeq,
  parenList,
  sequenceSet,
  type ParseContext,
} from './parse-common.ts';

type Parser = (ctx: ParseContext) => Command;

// RFC 9051 §6.3.2, RFC 7162 §3.1.8 / §3.2.5: select-params = "(" select-param *(SP select-param) ")"
function selectOrExamine(name: 'SELECT' | 'EXAMINE'): Parser {
  return (ctx) => {
    const r = ctx.r;
    r.sp();
    const box = mailbox(ctx);
    let condstore = false;
    let qresync: QresyncParams | null = null;
    if (r.acceptSp()) {
      parenList(ctx, 'select parameters', () => {
        const param = r.keyword('select parameter');
        if (param === 'CONDSTORE') condstore = true;
        else if (param === 'QRESYNC' && !qresync) {
          r.sp();
          qresync = qresyncParams(ctx);
        } else throw new ImapParseError(`unknown or repeated select parameter ${param}`);
      });
    }
    r.end();
    return { name, mailbox: box, condstore, qresync };
  };
}

// "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
function qresyncParams(ctx: ParseContext): QresyncParams {
  const r = ctx.r;
  r.expect(0x28, '( after QRESYNC');
  const uidValidity = r.nzNumber('uidvalidity');
  r.sp();
  const ms = modSeq(ctx, false);
  let knownUids = null;
  let seqMatch = null;
  const noStar = { allowStar: false, allowSaved: false };
  if (r.acceptSp()) {
    if (r.peek() !== 0x28) knownUids = sequenceSet(ctx, 'known UIDs', noStar);
    if (r.peek() === 0x28 || (knownUids && r.acceptSp())) {
      r.expect(0x28, '( to open seq-match-data');
      const seqs = sequenceSet(ctx, 'known sequence set', noStar);
      r.sp();
      const uids = sequenceSet(ctx, 'known UID set', noStar);
      r.expect(0x29, ') to close seq-match-data');
      seqMatch = { seqs, uids };
    }
  }
  r.expect(0x29, ') to close QRESYNC parameters');
  return { uidValidity, modSeq: ms, knownUids, seqMatch };
}

const SPECIAL_USES: readonly SpecialUse[] = [
  '\\Drafts',
  '\\Sent',
  '\\Archive',
  '\\Junk',
  '\\Trash',
  '\\All',
  '\\Flagged',
];

// RFC 9051 §6.3.4, RFC 4466 create-params, RFC 6154 §5.3: CREATE name (USE (\Drafts ...))
const create: Parser = (ctx) => {
  const r = ctx.r;
  r.sp();
  const box = mailbox(ctx);
  const specialUse: SpecialUse[] = [];
  if (r.acceptSp()) {
    parenList(ctx, 'create parameters', () => {
      const param = r.keyword('create parameter');
      if (param !== 'USE') throw new ImapParseError(`unknown create parameter ${param}`);
      r.sp();
      parenList(ctx, 'USE list', () => {
        r.expect(0x5c, '\\ to start a special-use attribute');
        const use = '\\' + r.atom('special-use attribute');
        const known = SPECIAL_USES.find((u) => u.toLowerCase() === use.toLowerCase());
        // RFC 6154 §5.3: an unknown attribute is refused with NO [USEATTR], not BAD.
        if (!known) {
          throw new ImapParseError(`unsupported special-use attribute ${use}`, {
            status: 'NO',
            code: { name: 'USEATTR', args: [] },
          });
        }
        if (!specialUse.includes(known)) specialUse.push(known);
      });
    });
  }
  r.end();
  return { name: 'CREATE', mailbox: box, specialUse };
};

function oneMailbox(name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE'): Parser {
  return (ctx) => {
    ctx.r.sp();
    const box = mailbox(ctx);
    ctx.r.end();
    return { name, mailbox: box };
  };
}

const rename: Parser = (ctx) => {
  ctx.r.sp();
  const from = mailbox(ctx, 'existing mailbox name');
  ctx.r.sp();
  const to = mailbox(ctx, 'new mailbox name');
  ctx.r.end();
  return { name: 'RENAME', from, to };
};

const STATUS_ITEMS: readonly StatusItem[] = [
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
];

/** "(" status-att *(SP status-att) ")", duplicates dropped. */
function statusItems(ctx: ParseContext): StatusItem[] {
  const items: StatusItem[] = [];
  let count = 0;
  parenList(ctx, 'status items', () => {
    const word = ctx.r.keyword('status item');
    const item = STATUS_ITEMS.find((s) => s === word);
    if (!item) throw new ImapParseError(`unknown status item ${word}`);
    if (!items.includes(item)) items.push(item);
    count++;
  });
  if (count === 0) throw new ImapParseError('empty status item list');
  return items;
}

// RFC 9051 §6.3.11
const status: Parser = (ctx) => {
  ctx.r.sp();
  const box = mailbox(ctx);
  ctx.r.sp();
  const items = statusItems(ctx);
  ctx.r.end();
  return { name: 'STATUS', mailbox: box, items };
};

function pattern(ctx: ParseContext): string {
  return decodeMailboxName(ctx.r.listMailbox().bytes, ctx.utf8Mailboxes);
}

// RFC 9051 §6.3.9 with RFC 5258 LIST-EXTENDED, RFC 6154, RFC 5819
const list: Parser = (ctx) => {
  const r = ctx.r;
  r.sp();
  const select: ListSelectOptions = {
    subscribed: false,
    remote: false,
    recursiveMatch: false,
    specialUse: false,
  };
  const ret: ListReturnOptions = { subscribed: false, children: false, specialUse: false, status: null };
  let extended = false;
  if (r.peek() === 0x28) {
    extended = true;
    parenList(ctx, 'selection options', () => {
      const opt = r.keyword('selection option');
      if (opt === 'SUBSCRIBED') select.subscribed = true;
      else if (opt === 'REMOTE') select.remote = true;
      else if (opt === 'RECURSIVEMATCH') select.recursiveMatch = true;
      else if (opt === 'SPECIAL-USE') select.specialUse = true;
      else throw new ImapParseError(`unknown LIST selection option ${opt}`);
    });
    // RFC 5258 §3.1: RECURSIVEMATCH needs another option it can modify.
    if (select.recursiveMatch && !select.subscribed && !select.specialUse) {
      throw new ImapParseError('RECURSIVEMATCH requires SUBSCRIBED or SPECIAL-USE');
    }
    r.sp();
  }
  const reference = mailbox(ctx, 'reference name');
  r.sp();
  const patterns: string[] = [];
  if (r.peek() === 0x28) {
    extended = true;
    parenList(ctx, 'patterns', () => {
      if (patterns.length >= 100) throw new ImapParseError('too many LIST patterns');
      patterns.push(pattern(ctx));
    });
    if (patterns.length === 0) throw new ImapParseError('empty LIST pattern list');
  } else patterns.push(pattern(ctx));
  if (r.acceptSp()) {
    extended = true;
    if (!r.acceptWord('RETURN')) throw new ImapParseError('expected RETURN after the LIST patterns');
    r.sp();
    parenList(ctx, 'return options', () => {
      const opt = r.keyword('return option');
      if (opt === 'SUBSCRIBED') ret.subscribed = true;
      else if (opt === 'CHILDREN') ret.children = true;
      else if (opt === 'SPECIAL-USE') ret.specialUse = true;
      else if (opt === 'STATUS' && ret.status === null) {
        r.sp();
        ret.status = statusItems(ctx);
      } else throw new ImapParseError(`unknown or repeated LIST return option ${opt}`);
    });
  }
  r.end();
  return { name: 'LIST', reference, patterns, select, return: ret, extended };
};

const lsub: Parser = (ctx) => {
  ctx.r.sp();
  const reference = mailbox(ctx, 'reference name');
  ctx.r.sp();
  const pat = pattern(ctx);
  ctx.r.end();
  return { name: 'LSUB', reference, pattern: pat };
};

const MAX_APPEND_MESSAGES = 1000;

// RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND, RFC 3516 literal8, RFC 6855 §4 UTF8 (literal8)
// append = "APPEND" SP mailbox 1*append-message; append-message = SP [flag-list SP] [date-time SP] append-data
const append: Parser = (ctx) => {
  const r = ctx.r;
  r.sp();
  const box = mailbox(ctx);
  const messages: AppendMessage[] = [];
  while (r.acceptSp()) {
    if (messages.length >= MAX_APPEND_MESSAGES) throw new ImapParseError('too many messages in one APPEND');
    let flags: string[] = [];
    let internalDate: Date | null = null;
    if (r.peek() === 0x28) {
      flags = flagList(ctx);
      r.sp();
    }
    if (r.peek() === 0x22) {
      internalDate = dateTime(ctx);
      r.sp();
    }
    let utf8 = false;
    if (r.acceptWord('UTF8')) {
      utf8 = true;
      r.sp();
      r.expect(0x28, '( after UTF8');
    }
    if (!r.atLiteral()) throw new ImapParseError('expected the message as a literal');
    const token = r.string('message', true);
    if (utf8) {
      if (!token.binary) throw new ImapParseError('UTF8 APPEND data must be a literal8 (~{n})');
      r.expect(0x29, ') to close UTF8 data');
    }
    messages.push({ flags, internalDate, data: token.bytes, binary: token.binary, utf8 });
  }
  if (messages.length === 0) throw new ImapParseError('APPEND needs a message');
  r.end();
  return { name: 'APPEND', mailbox: box, messages };
};

export const MAILBOX_PARSERS: Readonly<Record<string, Parser>> = {
  SELECT: selectOrExamine('SELECT'),
  EXAMINE: selectOrExamine('EXAMINE'),
  CREATE: create,
  DELETE: oneMailbox('DELETE'),
  SUBSCRIBE: oneMailbox('SUBSCRIBE'),
  UNSUBSCRIBE: oneMailbox('UNSUBSCRIBE'),
  RENAME: rename,
  STATUS: status,
  LIST: list,
  LSUB: lsub,
  APPEND: append,
};
