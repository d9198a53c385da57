// Messages in mailboxes on PostgreSQL: append, flags, expunge, copy, move and CONDSTORE/QRESYNC changes.
// Every writer first locks the mailbox row (lockMailboxes), so UIDs and MODSEQs are assigned one
// transaction at a time per mailbox, also across nodes: each change takes the mailbox's next MODSEQ (one per
// operation, shared by the rows it changes, RFC 7162 §3.1) and every new row the next UID; both only grow.

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
  MailboxChange,
  MailboxId,
  MessageRecord,
  ModSeq,
  NewMessage,
  Uid,
} from '../ports.ts';
import { prepareBlob, type PreparedBlob } from '../prepared-blob.ts';
import { lockBlobSizes, storeReferencedBlob } from './blobs.ts';
import type { Watermark } from './change-feed.ts';
import { collectBlobsQuietly, publish, type PgContext } from './context.ts';
import type { Tx } from './database.ts';
import {
  insertMailbox,
  lockMailboxByName,
  lockMailboxes,
  requireMailbox,
  type MailboxRow,
} from './mailboxes.ts';

// Read as arrays with the date in epoch milliseconds: parsing timestamptz text and building row objects
// dominated listing a large mailbox (SELECT of 100,000 messages).
const MESSAGE_COLUMNS =
  "uid, blob_id, flags, (date_part('epoch', internal_date) * 1000)::int8 AS internal_date, size, modseq";

/** The requested rows that exist, ascending UID; inside the caller's transaction. */
async function selectMessages(tx: Tx, mailboxId: MailboxId, uids: readonly Uid[]): Promise<MessageRecord[]> {
  if (uids.length === 0) return [];
  const rows = await tx.arrays(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) ORDER BY uid`,
    [mailboxId, [...uids]],
  );
  return toRecords(mailboxId, rows);
}

async function setMailboxCounters(
  tx: Tx,
  mailboxId: MailboxId,
  uidNext: number,
  modSeq: number,
): Promise<void> {
  await tx.run('UPDATE mailboxes SET uid_next = $2, highest_modseq = $3 WHERE id = $1', [
    mailboxId,
    uidNext,
    modSeq,
  ]);
}

interface NewRows {
  uids: number[];
  blobIds: number[];
  flags: string[];
  dates: Date[];
  sizes: number[];
}

/** One INSERT for all rows, whatever their number. */
async function insertMessages(tx: Tx, mailboxId: MailboxId, rows: NewRows, modSeq: number): Promise<void> {
  await tx.run(
    `INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, size, modseq)
     SELECT $1, r.uid, r.blob_id, r.flags, r.internal_date, r.size, $7
       FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[], $6::integer[])
            AS r (uid, blob_id, flags, internal_date, size)`,
    [mailboxId, rows.uids, rows.blobIds, rows.flags, rows.dates, rows.sizes, modSeq],
  );
}

/** A new message with its flags encoded and its body hashed, ready for the transaction. */
interface PreparedMessage {
  flags: string;
  internalDate: Date;
  body: BlobId | PreparedBlob;
}

function prepareMessages(messages: readonly NewMessage[]): PreparedMessage[] {
  return messages.map((message) => ({
    flags: encodeFlags(normalizeFlags(message.flags)),
    internalDate: message.internalDate,
    body: 'blobId' in message ? message.blobId : prepareBlob(message.bytes, message.parsed),
  }));
}

/**
 * Stores new bodies and inserts the rows inside the caller's transaction, which holds the mailbox row's lock;
 * UIDs in the order given.
 */
async function appendRows(
  ctx: PgContext,
  tx: Tx,
  mailbox: MailboxRow,
  messages: readonly PreparedMessage[],
): Promise<AppendResult[]> {
  if (messages.length === 0) return [];
  const mailboxId = mailbox.id as MailboxId;
  const stored = messages.flatMap((message) => (typeof message.body === 'number' ? [message.body] : []));
  const sizes = stored.length > 0 ? await lockBlobSizes(tx, stored) : new Map<BlobId, number>();
  // New bodies in content order, so two transactions storing the same ones never wait for each other in a
  // circle; the same content twice in one call is stored once.
  const newBodies = new Map<string, PreparedBlob>();
  for (const message of messages) {
    if (typeof message.body !== 'number') newBodies.set(message.body.sha256.toString('hex'), message.body);
  }
  const bodyIds = new Map<string, BlobId>();
  for (const key of [...newBodies.keys()].sort()) {
    bodyIds.set(key, await storeReferencedBlob(ctx, tx, newBodies.get(key)!));
  }
  const modSeq = mailbox.highest_modseq + 1;
  const first = mailbox.uid_next;
  const rows: NewRows = { uids: [], blobIds: [], flags: [], dates: [], sizes: [] };
  messages.forEach((message, index) => {
    const body = message.body;
    rows.uids.push(first + index);
    if (typeof body === 'number') {
      rows.blobIds.push(body);
      rows.sizes.push(sizes.get(body)!);
    } else {
      rows.blobIds.push(bodyIds.get(body.sha256.toString('hex'))!);
      rows.sizes.push(body.bytes.length);
    }
    rows.flags.push(message.flags);
    rows.dates.push(message.internalDate);
  });
  await insertMessages(tx, mailboxId, rows, modSeq);
  await setMailboxCounters(tx, mailboxId, first + messages.length, modSeq);
  const uids = rows.uids as Uid[];
  await publish(ctx, tx, { kind: 'added', mailboxId, uids, modSeq: modSeq as ModSeq });
  return uids.map((uid) => ({ uid, modSeq: modSeq as ModSeq, uidValidity: mailbox.uid_validity }));
}

export async function append(
  ctx: PgContext,
  mailboxId: MailboxId,
  messages: NewMessage[],
): Promise<AppendResult[]> {
  const prepared = prepareMessages(messages);
  return ctx.db.write(async (tx) => {
    const mailbox = (await lockMailboxes(tx, [mailboxId])).get(mailboxId)!;
    return appendRows(ctx, tx, mailbox, prepared);
  });
}

/** Local delivery: mailbox lookup and lock (re-created if missing), body and row in one transaction. */
export async function deliver(
  ctx: PgContext,
  target: DeliveryTarget,
  message: NewMessage,
): Promise<AppendResult & { mailboxId: MailboxId }> {
  const prepared = prepareMessages([message]);
  return ctx.db.write(async (tx) => {
    let mailbox = await lockMailboxByName(tx, target.accountId, target.mailbox);
    if (!mailbox) {
      mailbox = await insertMailbox(ctx, tx, target.accountId, target.mailbox, target.specialUse);
      await publish(ctx, tx, { kind: 'mailboxes', accountId: target.accountId });
    }
    const [result] = await appendRows(ctx, tx, mailbox, prepared);
    return { ...result!, mailboxId: mailbox.id as MailboxId };
  });
}

function watermark(mailbox: MailboxRow): Watermark {
  return {
    mailboxId: mailbox.id as MailboxId,
    accountId: mailbox.account_id as Watermark['accountId'],
    modSeq: mailbox.highest_modseq,
    uidNext: mailbox.uid_next,
  };
}

export async function listMessages(ctx: PgContext, mailboxId: MailboxId): Promise<MessageRecord[]> {
  const { mailbox, records } = await ctx.db.read(async (tx) => {
    const mailbox = await requireMailbox(tx, mailboxId);
    const rows = await tx.arrays(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = $1 ORDER BY uid`,
      [mailboxId],
    );
    return { mailbox, records: toRecords(mailboxId, rows) };
  });
  // The state a session now holds: what the change feed catches up from after a lost connection.
  ctx.feed.observe(watermark(mailbox));
  return records;
}

export async function getMessages(
  ctx: PgContext,
  mailboxId: MailboxId,
  uids: Uid[],
): Promise<MessageRecord[]> {
  return ctx.db.read(async (tx) => {
    await requireMailbox(tx, mailboxId);
    return selectMessages(tx, mailboxId, uids);
  });
}

// RFC 9051 §6.4.6 STORE; RFC 7162 §3.1.3 UNCHANGEDSINCE.
export async function updateFlags(
  ctx: PgContext,
  mailboxId: MailboxId,
  uids: Uid[],
  update: FlagUpdate,
): Promise<FlagUpdateResult> {
  return ctx.db.write(async (tx) => {
    const mailbox = (await lockMailboxes(tx, [mailboxId])).get(mailboxId)!;
    const newModSeq = (mailbox.highest_modseq + 1) as ModSeq;
    const updated: MessageRecord[] = [];
    const modified: Uid[] = [];
    const changed: MessageRecord[] = [];
    for (const record of await selectMessages(tx, mailboxId, uids)) {
      if (update.unchangedSince !== undefined && record.modSeq > update.unchangedSince) {
        modified.push(record.uid);
        continue;
      }
      const flags = applyFlagOp(record.flags, update.op, update.flags);
      if (sameFlags(flags, record.flags)) {
        updated.push(record);
        continue;
      }
      const next = { ...record, flags, modSeq: newModSeq };
      updated.push(next);
      changed.push(next);
    }
    if (changed.length > 0) {
      await tx.run(
        `UPDATE messages m SET flags = r.flags, modseq = $2
           FROM unnest($3::bigint[], $4::text[]) AS r (uid, flags)
          WHERE m.mailbox_id = $1 AND m.uid = r.uid`,
        [mailboxId, newModSeq, changed.map((r) => r.uid), changed.map((r) => encodeFlags(r.flags))],
      );
      await setMailboxCounters(tx, mailboxId, mailbox.uid_next, newModSeq);
      const changedUids = changed.map((r) => r.uid);
      await publish(ctx, tx, { kind: 'flags', mailboxId, uids: changedUids, modSeq: newModSeq });
    }
    return { updated, modified };
  });
}

/** Deletes the rows inside the caller's transaction (mailbox locked) and records them for QRESYNC. */
async function expungeRows(
  ctx: PgContext,
  tx: Tx,
  mailbox: MailboxRow,
  uids: readonly Uid[],
): Promise<{ expunged: Uid[]; modSeq: ModSeq }> {
  const mailboxId = mailbox.id as MailboxId;
  if (uids.length === 0) return { expunged: [], modSeq: mailbox.highest_modseq as ModSeq };
  const modSeq = mailbox.highest_modseq + 1;
  const gone = (
    await tx.rows<{ uid: number }>(
      'DELETE FROM messages WHERE mailbox_id = $1 AND uid = ANY($2::bigint[]) RETURNING uid',
      [mailboxId, [...uids]],
    )
  )
    .map((row) => row.uid as Uid)
    .sort((a, b) => a - b);
  if (gone.length === 0) return { expunged: [], modSeq: mailbox.highest_modseq as ModSeq };
  await tx.run(
    `INSERT INTO expunged (mailbox_id, uid, modseq) SELECT $1, uid, $2 FROM unnest($3::bigint[]) AS uid
     ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = excluded.modseq`,
    [mailboxId, modSeq, gone],
  );
  await setMailboxCounters(tx, mailboxId, mailbox.uid_next, modSeq);
  await publish(ctx, tx, { kind: 'expunged', mailboxId, uids: gone, modSeq: modSeq as ModSeq });
  return { expunged: gone, modSeq: modSeq as ModSeq };
}

export async function expunge(
  ctx: PgContext,
  mailboxId: MailboxId,
  uids: Uid[],
): Promise<{ expunged: Uid[]; modSeq: ModSeq }> {
  const result = await ctx.db.write(async (tx) => {
    const mailbox = (await lockMailboxes(tx, [mailboxId])).get(mailboxId)!;
    return expungeRows(ctx, tx, mailbox, uids);
  });
  if (result.expunged.length > 0) await collectBlobsQuietly(ctx);
  return result;
}

/** Copies inside the caller's transaction (both mailboxes locked); mapping in ascending source UID order. */
async function copyRows(
  ctx: PgContext,
  tx: Tx,
  from: MailboxId,
  uids: readonly Uid[],
  destination: MailboxRow,
): Promise<CopyResult> {
  const to = destination.id as MailboxId;
  const sources = await selectMessages(tx, from, uids);
  if (sources.length === 0) return { uidValidity: destination.uid_validity, mapping: [] };
  const modSeq = destination.highest_modseq + 1;
  const first = destination.uid_next;
  const rows: NewRows = { uids: [], blobIds: [], flags: [], dates: [], sizes: [] };
  const mapping: CopyResult['mapping'] = [];
  sources.forEach((source, index) => {
    rows.uids.push(first + index);
    rows.blobIds.push(source.blobId);
    rows.flags.push(encodeFlags(source.flags));
    rows.dates.push(source.internalDate);
    rows.sizes.push(source.size);
    mapping.push({ from: source.uid, to: (first + index) as Uid });
  });
  await insertMessages(tx, to, rows, modSeq);
  await setMailboxCounters(tx, to, first + sources.length, modSeq);
  await publish(ctx, tx, {
    kind: 'added',
    mailboxId: to,
    uids: mapping.map((m) => m.to),
    modSeq: modSeq as ModSeq,
  });
  return { uidValidity: destination.uid_validity, mapping };
}

// RFC 9051 §6.4.7 COPY.
export async function copy(ctx: PgContext, from: MailboxId, uids: Uid[], to: MailboxId): Promise<CopyResult> {
  return ctx.db.write(async (tx) => {
    const locked = await lockMailboxes(tx, [from, to]);
    return copyRows(ctx, tx, from, uids, locked.get(to)!);
  });
}

// RFC 6851 MOVE: copy and expunge in one transaction.
export async function move(
  ctx: PgContext,
  from: MailboxId,
  uids: Uid[],
  to: MailboxId,
): Promise<CopyResult & { modSeq: ModSeq }> {
  const result = await ctx.db.write(async (tx) => {
    const locked = await lockMailboxes(tx, [from, to]);
    const copied = await copyRows(ctx, tx, from, uids, locked.get(to)!);
    // Re-read the source: when from = to, the copy has just moved its counters.
    const source = await requireMailbox(tx, from);
    const { modSeq } = await expungeRows(
      ctx,
      tx,
      source,
      copied.mapping.map((m) => m.from),
    );
    return { ...copied, modSeq };
  });
  if (result.mapping.length > 0) await collectBlobsQuietly(ctx);
  return result;
}

/** The changes after `since`, inside the caller's transaction. */
async function selectChanges(tx: Tx, mailbox: MailboxRow, since: number): Promise<ChangesSince> {
  const mailboxId = mailbox.id as MailboxId;
  // Every append, flag change and expunge raises HIGHESTMODSEQ in its own transaction (RFC 7162 §3.1.2):
  // nothing above it means nothing changed, without looking at the messages (the common answer).
  if (mailbox.highest_modseq <= since)
    return { changed: [], vanished: [], highestModSeq: mailbox.highest_modseq as ModSeq };
  const changed = toRecords(
    mailboxId,
    await tx.arrays(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid`,
      [mailboxId, since],
    ),
  );
  const vanished = (
    await tx.rows<{ uid: number }>(
      'SELECT uid FROM expunged WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid',
      [mailboxId, since],
    )
  ).map((row) => row.uid as Uid);
  return { changed, vanished, highestModSeq: mailbox.highest_modseq as ModSeq };
}

// RFC 7162 §3.1.4.1 CHANGEDSINCE and §3.2.5.1 VANISHED.
export async function changesSince(
  ctx: PgContext,
  mailboxId: MailboxId,
  since: ModSeq,
): Promise<ChangesSince> {
  return ctx.db.read(async (tx) => selectChanges(tx, await requireMailbox(tx, mailboxId), since));
}

/** What changed after each watermark: the change feed's catch-up after it lost its LISTEN connection. */
export async function changesAfterWatermarks(ctx: PgContext, marks: Watermark[]): Promise<MailboxChange[]> {
  const events: MailboxChange[] = [];
  if (marks.length === 0) return events;
  const gone = new Set<number>();
  await ctx.db.read(async (tx) => {
    const rows = await tx.rows<MailboxRow>(
      `SELECT id, account_id, name, special_use, uid_validity, uid_next, highest_modseq, created_at
         FROM mailboxes WHERE id = ANY($1::bigint[])`,
      [marks.map((mark) => mark.mailboxId)],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const mark of marks) {
      const mailbox = byId.get(mark.mailboxId);
      if (!mailbox) {
        // Deleted meanwhile: sessions that have it selected check and end.
        if (!gone.has(mark.accountId)) events.push({ kind: 'mailboxes', accountId: mark.accountId });
        gone.add(mark.accountId);
        continue;
      }
      if (mailbox.highest_modseq <= mark.modSeq) continue;
      const changes = await selectChanges(tx, mailbox, mark.modSeq);
      const modSeq = changes.highestModSeq;
      const mailboxId = mark.mailboxId;
      if (changes.vanished.length > 0)
        events.push({ kind: 'expunged', mailboxId, uids: changes.vanished, modSeq });
      const added = changes.changed.filter((r) => r.uid >= mark.uidNext).map((r) => r.uid);
      const flagged = changes.changed.filter((r) => r.uid < mark.uidNext).map((r) => r.uid);
      if (added.length > 0) events.push({ kind: 'added', mailboxId, uids: added, modSeq });
      if (flagged.length > 0) events.push({ kind: 'flags', mailboxId, uids: flagged, modSeq });
    }
  });
  return events;
}
