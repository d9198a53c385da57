// Messages in mailboxes: append, flags, expunge, copy, move and CONDSTORE/QRESYNC changes.
// Every change takes the mailbox's next MODSEQ (one per operation, shared by the rows it changes,
// RFC 7162 §3.1) and every new row the mailbox's next UID; both only grow.

import { applyFlagOp, encodeFlags, normalizeFlags, sameFlags } from '../flags.ts';
import { toRecords } from '../message-rows.ts';
import type {
  AppendResult,
  BlobId,
  ChangesSince,
  CopyResult,
  DeliveryTarget,
  FlagUpdate,
  FlagUpdateResult,
  MailboxId,
  MessageRecord,
  ModSeq,
  NewMessage,
  Uid,
} from '../ports.ts';
import { prepareBlob, type PreparedBlob } from '../prepared-blob.ts';
import { requireBlobSize, storeBlob } from './blobs.ts';
import { collectBlobs, publishAfterCommit, type SqliteContext } from './context.ts';
import { findMailboxRow, insertMailbox, requireMailbox, type MailboxRow } from './mailboxes.ts';

const MESSAGE_COLUMNS = 'uid, blob_id, flags, internal_date, size, modseq';

/** The requested rows that exist, ascending UID; inside the caller's transaction. */
function selectMessages(ctx: SqliteContext, mailboxId: MailboxId, uids: readonly Uid[]): MessageRecord[] {
  if (uids.length === 0) return [];
  const rows = ctx.db.rows(
    `SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`,
    mailboxId,
    JSON.stringify(uids),
  );
  return toRecords(mailboxId, rows);
}

function setMailboxCounters(ctx: SqliteContext, mailboxId: MailboxId, uidNext: number, modSeq: number): void {
  ctx.db.run(
    'UPDATE mailboxes SET uid_next = ?, highest_modseq = ? WHERE id = ?',
    uidNext,
    modSeq,
    mailboxId,
  );
}

/** A new message with its flags encoded and its body hashed, ready for the write transaction. */
interface PreparedMessage {
  flags: string;
  internalDate: number;
  body: BlobId | PreparedBlob;
}

function prepareMessages(messages: readonly NewMessage[]): PreparedMessage[] {
  return messages.map((message) => ({
    flags: encodeFlags(normalizeFlags(message.flags)),
    internalDate: message.internalDate.getTime(),
    body: 'blobId' in message ? message.blobId : prepareBlob(message.bytes, message.parsed),
  }));
}

/** Stores new bodies and inserts the rows inside the caller's write transaction; UIDs in the order given. */
function appendRows(ctx: SqliteContext, mailbox: MailboxRow, messages: PreparedMessage[]): AppendResult[] {
  if (messages.length === 0) return [];
  const { db } = ctx;
  const mailboxId = mailbox.id as MailboxId;
  const modSeq = mailbox.highest_modseq + 1;
  let uid = mailbox.uid_next;
  const results: AppendResult[] = [];
  for (const message of messages) {
    let blobId: BlobId;
    let size: number;
    if (typeof message.body === 'number') {
      blobId = message.body;
      size = requireBlobSize(ctx, blobId);
    } else {
      blobId = storeBlob(ctx, message.body);
      size = message.body.bytes.length;
    }
    db.run(
      'INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, size, modseq) VALUES (?, ?, ?, ?, ?, ?, ?)',
      mailboxId,
      uid,
      blobId,
      message.flags,
      message.internalDate,
      size,
      modSeq,
    );
    results.push({ uid: uid as Uid, modSeq: modSeq as ModSeq, uidValidity: mailbox.uid_validity });
    uid++;
  }
  setMailboxCounters(ctx, mailboxId, uid, modSeq);
  const uids = results.map((r) => r.uid);
  publishAfterCommit(ctx, { kind: 'added', mailboxId, uids, modSeq: modSeq as ModSeq });
  return results;
}

export function append(ctx: SqliteContext, mailboxId: MailboxId, messages: NewMessage[]): AppendResult[] {
  const prepared = prepareMessages(messages);
  return ctx.db.write(() => appendRows(ctx, requireMailbox(ctx, mailboxId), prepared));
}

/** Local delivery: mailbox lookup (re-created if missing), body and row in one write transaction. */
export function deliver(
  ctx: SqliteContext,
  target: DeliveryTarget,
  message: NewMessage,
): AppendResult & { mailboxId: MailboxId } {
  const prepared = prepareMessages([message]);
  return ctx.db.write(() => {
    let mailbox = findMailboxRow(ctx, target.accountId, target.mailbox);
    if (!mailbox) {
      mailbox = insertMailbox(ctx, target.accountId, target.mailbox, target.specialUse);
      publishAfterCommit(ctx, { kind: 'mailboxes', accountId: target.accountId });
    }
    const [result] = appendRows(ctx, mailbox, prepared);
    return { ...result!, mailboxId: mailbox.id as MailboxId };
  });
}

export function listMessages(ctx: SqliteContext, mailboxId: MailboxId): MessageRecord[] {
  return ctx.db.read(() => {
    requireMailbox(ctx, mailboxId);
    const rows = ctx.db.rows(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? ORDER BY uid`,
      mailboxId,
    );
    return toRecords(mailboxId, rows);
  });
}

export function getMessages(ctx: SqliteContext, mailboxId: MailboxId, uids: Uid[]): MessageRecord[] {
  return ctx.db.read(() => {
    requireMailbox(ctx, mailboxId);
    return selectMessages(ctx, mailboxId, uids);
  });
}

// RFC 9051 §6.4.6 STORE; RFC 7162 §3.1.3 UNCHANGEDSINCE.
export function updateFlags(
  ctx: SqliteContext,
  mailboxId: MailboxId,
  uids: Uid[],
  update: FlagUpdate,
): FlagUpdateResult {
  const { db } = ctx;
  return db.write(() => {
    const mailbox = requireMailbox(ctx, mailboxId);
    const newModSeq = (mailbox.highest_modseq + 1) as ModSeq;
    const updated: MessageRecord[] = [];
    const modified: Uid[] = [];
    const changed: Uid[] = [];
    for (const record of selectMessages(ctx, mailboxId, uids)) {
      if (update.unchangedSince !== undefined && record.modSeq > update.unchangedSince) {
        modified.push(record.uid);
        continue;
      }
      const flags = applyFlagOp(record.flags, update.op, update.flags);
      if (sameFlags(flags, record.flags)) {
        updated.push(record);
        continue;
      }
      db.run(
        'UPDATE messages SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?',
        encodeFlags(flags),
        newModSeq,
        mailboxId,
        record.uid,
      );
      updated.push({ ...record, flags, modSeq: newModSeq });
      changed.push(record.uid);
    }
    if (changed.length > 0) {
      setMailboxCounters(ctx, mailboxId, mailbox.uid_next, newModSeq);
      publishAfterCommit(ctx, { kind: 'flags', mailboxId, uids: changed, modSeq: newModSeq });
    }
    return { updated, modified };
  });
}

/** Deletes the rows inside the caller's transaction and records them for QRESYNC. */
function expungeRows(
  ctx: SqliteContext,
  mailboxId: MailboxId,
  uids: readonly Uid[],
): { expunged: Uid[]; modSeq: ModSeq } {
  const { db } = ctx;
  const mailbox = requireMailbox(ctx, mailboxId);
  const existing = uids.length === 0 ? [] : selectMessages(ctx, mailboxId, uids).map((record) => record.uid);
  if (existing.length === 0) return { expunged: [], modSeq: mailbox.highest_modseq as ModSeq };
  const modSeq = (mailbox.highest_modseq + 1) as ModSeq;
  for (const uid of existing) {
    db.run('DELETE FROM messages WHERE mailbox_id = ? AND uid = ?', mailboxId, uid);
    db.run(
      'INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)',
      mailboxId,
      uid,
      modSeq,
    );
  }
  setMailboxCounters(ctx, mailboxId, mailbox.uid_next, modSeq);
  collectBlobs(ctx);
  publishAfterCommit(ctx, { kind: 'expunged', mailboxId, uids: existing, modSeq });
  return { expunged: existing, modSeq };
}

export function expunge(
  ctx: SqliteContext,
  mailboxId: MailboxId,
  uids: Uid[],
): { expunged: Uid[]; modSeq: ModSeq } {
  return ctx.db.write(() => expungeRows(ctx, mailboxId, uids));
}

/** Copies inside the caller's transaction; returns the mapping in ascending source UID order. */
function copyRows(ctx: SqliteContext, from: MailboxId, uids: readonly Uid[], to: MailboxId): CopyResult {
  const { db } = ctx;
  requireMailbox(ctx, from);
  const destination = requireMailbox(ctx, to);
  const sources = selectMessages(ctx, from, uids);
  if (sources.length === 0) return { uidValidity: destination.uid_validity, mapping: [] };
  const modSeq = destination.highest_modseq + 1;
  let uid = destination.uid_next;
  const mapping: CopyResult['mapping'] = [];
  for (const source of sources) {
    db.run(
      'INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, size, modseq) VALUES (?, ?, ?, ?, ?, ?, ?)',
      to,
      uid,
      source.blobId,
      encodeFlags(source.flags),
      source.internalDate.getTime(),
      source.size,
      modSeq,
    );
    mapping.push({ from: source.uid, to: uid as Uid });
    uid++;
  }
  setMailboxCounters(ctx, to, uid, modSeq);
  publishAfterCommit(ctx, {
    kind: 'added',
    mailboxId: to,
    uids: mapping.map((m) => m.to),
    modSeq: modSeq as ModSeq,
  });
  return { uidValidity: destination.uid_validity, mapping };
}

// RFC 9051 §6.4.7 COPY.
export function copy(ctx: SqliteContext, from: MailboxId, uids: Uid[], to: MailboxId): CopyResult {
  return ctx.db.write(() => copyRows(ctx, from, uids, to));
}

// RFC 6851 MOVE: copy and expunge in one transaction.
export function move(
  ctx: SqliteContext,
  from: MailboxId,
  uids: Uid[],
  to: MailboxId,
): CopyResult & { modSeq: ModSeq } {
  return ctx.db.write(() => {
    const copied = copyRows(ctx, from, uids, to);
    const { modSeq } = expungeRows(
      ctx,
      from,
      copied.mapping.map((m) => m.from),
    );
    return { ...copied, modSeq };
  });
}

// RFC 7162 §3.1.4.1 CHANGEDSINCE and §3.2.5.1 VANISHED.
export function changesSince(ctx: SqliteContext, mailboxId: MailboxId, since: ModSeq): ChangesSince {
  const { db } = ctx;
  return db.read(() => {
    const mailbox = requireMailbox(ctx, mailboxId);
    // Every append, flag change and expunge raises HIGHESTMODSEQ in its own transaction (RFC 7162 §3.1.2):
    // nothing above it means nothing changed, without looking at the messages (the common answer).
    if (mailbox.highest_modseq <= since) {
      return { changed: [], vanished: [], highestModSeq: mailbox.highest_modseq as ModSeq };
    }
    const changed = toRecords(
      mailboxId,
      db.rows(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid`,
        mailboxId,
        since,
      ),
    );
    const vanished = db
      .rows('SELECT uid FROM expunged WHERE mailbox_id = ? AND modseq > ? ORDER BY uid', mailboxId, since)
      .map((row) => row[0] as Uid);
    return { changed, vanished, highestModSeq: mailbox.highest_modseq as ModSeq };
  });
}
