// Mailbox rows in PostgreSQL: creation with a fresh UIDVALIDITY (a sequence), lookup, rename with children,
// delete, counts and subscriptions. "INBOX" is case-insensitive (RFC 9051 §5.1) and always stored as "INBOX".

import { canonicalMailboxName } from '../sqlite/mailboxes.ts';
import {
  AlreadyExists,
  NotFound,
  type AccountId,
  type Mailbox,
  type MailboxCounts,
  type MailboxId,
  type ModSeq,
  type SpecialUse,
  type Uid,
} from '../ports.ts';
import { collectBlobsQuietly, publish, type PgContext } from './context.ts';
import type { Tx } from './database.ts';

export { canonicalMailboxName };

export interface MailboxRow {
  id: number;
  account_id: number;
  name: string;
  special_use: string | null;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  created_at: Date;
}

export const MAILBOX_COLUMNS =
  'id, account_id, name, special_use, uid_validity, uid_next, highest_modseq, created_at';
const HIERARCHY_DELIMITER = '/';

export function toMailbox(row: MailboxRow): Mailbox {
  return {
    id: row.id as MailboxId,
    accountId: row.account_id as AccountId,
    name: row.name,
    specialUse: row.special_use as SpecialUse | null,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next as Uid,
    highestModSeq: row.highest_modseq as ModSeq,
    createdAt: row.created_at,
  };
}

/** Inserts a mailbox inside the caller's transaction. */
export async function insertMailbox(
  ctx: PgContext,
  tx: Tx,
  accountId: AccountId,
  name: string,
  specialUse: SpecialUse | null,
): Promise<MailboxRow> {
  const canonical = canonicalMailboxName(name);
  if (!(await tx.row('SELECT 1 FROM accounts WHERE id = $1', [accountId]))) {
    throw new NotFound(`no account ${accountId}`);
  }
  if (await tx.row('SELECT 1 FROM mailboxes WHERE account_id = $1 AND name = $2', [accountId, canonical])) {
    throw new AlreadyExists(`mailbox ${canonical} exists`);
  }
  // A concurrent creation of the same name fails on the unique constraint (AlreadyExists).
  return (await tx.row<MailboxRow>(
    `INSERT INTO mailboxes (account_id, name, special_use, uid_validity, created_at)
     VALUES ($1, $2, $3, nextval('uid_validity_seq'), $4)
     RETURNING ${MAILBOX_COLUMNS}`,
    [accountId, canonical, specialUse, ctx.now()],
  ))!;
}

/** The mailbox row, inside the caller's transaction; NotFound when it does not exist. */
export async function requireMailbox(tx: Tx, id: MailboxId): Promise<MailboxRow> {
  const row = await tx.row<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = $1`, [id]);
  if (!row) throw new NotFound(`no mailbox ${id}`);
  return row;
}

/**
 * Locks the mailbox rows (in id order, so two transactions never wait for each other in a circle) for the
 * rest of the transaction: every writer of a mailbox's messages goes through here, which serialises UID
 * and MODSEQ assignment per mailbox across connections and nodes. NotFound when one does not exist.
 */
export async function lockMailboxes(tx: Tx, ids: readonly MailboxId[]): Promise<Map<MailboxId, MailboxRow>> {
  const unique = [...new Set(ids)].sort((a, b) => a - b);
  const rows = await tx.rows<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
    [unique],
  );
  const byId = new Map(rows.map((row) => [row.id as MailboxId, row]));
  for (const id of unique) if (!byId.has(id)) throw new NotFound(`no mailbox ${id}`);
  return byId;
}

/** The mailbox row by name, locked like lockMailboxes for the rest of the transaction; undefined when missing. */
export async function lockMailboxByName(
  tx: Tx,
  accountId: AccountId,
  name: string,
): Promise<MailboxRow | undefined> {
  return tx.row<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2 FOR UPDATE`,
    [accountId, canonicalMailboxName(name)],
  );
}

export async function createMailbox(
  ctx: PgContext,
  accountId: AccountId,
  name: string,
  specialUse: SpecialUse | null,
): Promise<Mailbox> {
  return ctx.db.write(async (tx) => {
    const row = await insertMailbox(ctx, tx, accountId, name, specialUse);
    await publish(ctx, tx, { kind: 'mailboxes', accountId });
    return toMailbox(row);
  });
}

export async function getMailbox(
  ctx: PgContext,
  accountId: AccountId,
  name: string,
): Promise<Mailbox | null> {
  const row = await ctx.db.row<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2`,
    [accountId, canonicalMailboxName(name)],
  );
  return row ? toMailbox(row) : null;
}

export async function getMailboxById(ctx: PgContext, id: MailboxId): Promise<Mailbox | null> {
  const row = await ctx.db.row<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = $1`, [id]);
  return row ? toMailbox(row) : null;
}

/** INBOX first, then by name (byte order). */
export async function listMailboxes(ctx: PgContext, accountId: AccountId): Promise<Mailbox[]> {
  const rows = await ctx.db.rows<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 ORDER BY name <> 'INBOX', name`,
    [accountId],
  );
  return rows.map(toMailbox);
}

// RFC 9051 §6.3.6: inferior hierarchical names are renamed too; UIDVALIDITY and messages stay.
export async function renameMailbox(
  ctx: PgContext,
  accountId: AccountId,
  from: string,
  to: string,
): Promise<void> {
  const source = canonicalMailboxName(from);
  const target = canonicalMailboxName(to);
  await ctx.db.write(async (tx) => {
    const rows = await tx.rows<{ id: number; name: string }>(
      `SELECT id, name FROM mailboxes
        WHERE account_id = $1 AND (name = $2 OR starts_with(name, $3))
        ORDER BY id FOR UPDATE`,
      [accountId, source, source + HIERARCHY_DELIMITER],
    );
    if (!rows.some((row) => row.name === source)) throw new NotFound(`no mailbox ${source}`);
    if (source === target) throw new AlreadyExists(`mailbox ${target} exists`);
    const moving = new Set(rows.map((row) => row.id));
    const newNames = rows.map((row) => target + row.name.slice(source.length));
    const clashes = await tx.rows<{ id: number; name: string }>(
      'SELECT id, name FROM mailboxes WHERE account_id = $1 AND name = ANY($2::text[])',
      [accountId, newNames],
    );
    const clash = clashes.find((row) => !moving.has(row.id));
    if (clash) throw new AlreadyExists(`mailbox ${clash.name} exists`);
    // One statement with the name constraint deferred, so renaming into the moved subtree ("a" -> "a/b")
    // never clashes half-way.
    await tx.run('SET CONSTRAINTS mailboxes_account_name DEFERRED');
    await tx.run(
      `UPDATE mailboxes m SET name = r.name
         FROM unnest($1::bigint[], $2::text[]) AS r (id, name)
        WHERE m.id = r.id`,
      [rows.map((row) => row.id), newNames],
    );
    await publish(ctx, tx, { kind: 'mailboxes', accountId });
  });
}

export async function deleteMailbox(ctx: PgContext, accountId: AccountId, name: string): Promise<void> {
  await ctx.db.write(async (tx) => {
    const row = await tx.row<{ id: number }>(
      'SELECT id FROM mailboxes WHERE account_id = $1 AND name = $2 FOR UPDATE',
      [accountId, canonicalMailboxName(name)],
    );
    if (!row) throw new NotFound(`no mailbox ${name}`);
    // Messages and expunge records go by cascade.
    await tx.run('DELETE FROM mailboxes WHERE id = $1', [row.id]);
    await publish(ctx, tx, { kind: 'mailboxes', accountId });
  });
  await collectBlobsQuietly(ctx);
}

export async function counts(ctx: PgContext, mailboxId: MailboxId): Promise<MailboxCounts> {
  return ctx.db.read(async (tx) => {
    await requireMailbox(tx, mailboxId);
    const row = (await tx.row<MailboxCounts>(
      `SELECT count(*) AS messages,
              count(*) FILTER (WHERE strpos(' ' || flags || ' ', $2) = 0) AS unseen,
              count(*) FILTER (WHERE strpos(' ' || flags || ' ', $3) > 0) AS deleted,
              coalesce(sum(size), 0)::bigint AS size
         FROM messages WHERE mailbox_id = $1`,
      [mailboxId, ' \\Seen ', ' \\Deleted '],
    ))!;
    return { messages: row.messages, unseen: row.unseen, deleted: row.deleted, size: row.size };
  });
}

export async function setSubscribed(
  ctx: PgContext,
  accountId: AccountId,
  name: string,
  subscribed: boolean,
): Promise<void> {
  const canonical = canonicalMailboxName(name);
  await ctx.db.write(async (tx) => {
    if (!(await tx.row('SELECT 1 FROM accounts WHERE id = $1', [accountId]))) {
      throw new NotFound(`no account ${accountId}`);
    }
    if (subscribed) {
      await tx.run('INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        accountId,
        canonical,
      ]);
    } else {
      await tx.run('DELETE FROM subscriptions WHERE account_id = $1 AND name = $2', [accountId, canonical]);
    }
  });
}

export async function listSubscriptions(ctx: PgContext, accountId: AccountId): Promise<string[]> {
  const rows = await ctx.db.rows<{ name: string }>(
    "SELECT name FROM subscriptions WHERE account_id = $1 ORDER BY name <> 'INBOX', name",
    [accountId],
  );
  return rows.map((row) => row.name);
}
