// Mailbox rows: creation with a fresh UIDVALIDITY, lookup, rename with children, delete, counts and
// subscriptions. "INBOX" is case-insensitive (RFC 9051 §5.1) and always stored as "INBOX".

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
import { collectBlobs, publishAfterCommit, type SqliteContext } from './context.ts';

export interface MailboxRow {
  id: number;
  account_id: number;
  name: string;
  special_use: string | null;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  created_at: number;
}

export const MAILBOX_COLUMNS =
  'id, account_id, name, special_use, uid_validity, uid_next, highest_modseq, created_at';
const HIERARCHY_DELIMITER = '/';
const MAX_UID_VALIDITY = 0xffffffff;

export function toMailbox(row: MailboxRow): Mailbox {
  return {
    id: row.id as MailboxId,
    accountId: row.account_id as AccountId,
    name: row.name,
    specialUse: row.special_use as SpecialUse | null,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next as Uid,
    highestModSeq: row.highest_modseq as ModSeq,
    createdAt: new Date(row.created_at),
  };
}

/** "inbox" and "Inbox/sub" are spelled "INBOX" and "INBOX/sub". */
export function canonicalMailboxName(name: string): string {
  const head = name.slice(0, 5);
  if (head.toUpperCase() !== 'INBOX') return name;
  if (name.length === 5 || name[5] === HIERARCHY_DELIMITER) return 'INBOX' + name.slice(5);
  return name;
}

/**
 * A UIDVALIDITY never handed out before by this store: the current time in seconds, or one more than the
 * last one when several mailboxes are created within a second (or the clock went back).
 */
function nextUidValidity(ctx: SqliteContext): number {
  const last = ctx.db.get<{ value: number }>("SELECT value FROM meta WHERE key = 'last_uid_validity'")!.value;
  let next = Math.max(last + 1, Math.floor(ctx.now().getTime() / 1000));
  if (next > MAX_UID_VALIDITY) next = last + 1 > MAX_UID_VALIDITY ? 1 : last + 1;
  ctx.db.run("UPDATE meta SET value = ? WHERE key = 'last_uid_validity'", next);
  return next;
}

/** Inserts a mailbox inside the caller's transaction. */
export function insertMailbox(
  ctx: SqliteContext,
  accountId: AccountId,
  name: string,
  specialUse: SpecialUse | null,
): MailboxRow {
  const { db } = ctx;
  const canonical = canonicalMailboxName(name);
  if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId))
    throw new NotFound(`no account ${accountId}`);
  if (db.get('SELECT 1 FROM mailboxes WHERE account_id = ? AND name = ?', accountId, canonical)) {
    throw new AlreadyExists(`mailbox ${canonical} exists`);
  }
  const { lastInsertRowid } = db.run(
    'INSERT INTO mailboxes (account_id, name, special_use, uid_validity, created_at) VALUES (?, ?, ?, ?, ?)',
    accountId,
    canonical,
    specialUse,
    nextUidValidity(ctx),
    ctx.now().getTime(),
  );
  return db.get<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?`, lastInsertRowid)!;
}

/** The mailbox row, inside the caller's transaction; NotFound when it does not exist. */
export function requireMailbox(ctx: SqliteContext, id: MailboxId): MailboxRow {
  const row = ctx.db.get<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?`, id);
  if (!row) throw new NotFound(`no mailbox ${id}`);
  return row;
}

export function createMailbox(
  ctx: SqliteContext,
  accountId: AccountId,
  name: string,
  specialUse: SpecialUse | null,
): Mailbox {
  return ctx.db.write(() => {
    const row = insertMailbox(ctx, accountId, name, specialUse);
    publishAfterCommit(ctx, { kind: 'mailboxes', accountId });
    return toMailbox(row);
  });
}

/** The mailbox row by name, inside the caller's transaction (or on its own); undefined when missing. */
export function findMailboxRow(
  ctx: SqliteContext,
  accountId: AccountId,
  name: string,
): MailboxRow | undefined {
  return ctx.db.get<MailboxRow>(
    `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? AND name = ?`,
    accountId,
    canonicalMailboxName(name),
  );
}

export function getMailbox(ctx: SqliteContext, accountId: AccountId, name: string): Mailbox | null {
  const row = ctx.db.read(() => findMailboxRow(ctx, accountId, name));
  return row ? toMailbox(row) : null;
}

export function getMailboxById(ctx: SqliteContext, id: MailboxId): Mailbox | null {
  const row = ctx.db.read(() =>
    ctx.db.get<MailboxRow>(`SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE id = ?`, id),
  );
  return row ? toMailbox(row) : null;
}

/** INBOX first, then by name. */
export function listMailboxes(ctx: SqliteContext, accountId: AccountId): Mailbox[] {
  return ctx.db
    .read(() =>
      ctx.db.all<MailboxRow>(
        `SELECT ${MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = ? ORDER BY name <> 'INBOX', name`,
        accountId,
      ),
    )
    .map(toMailbox);
}

// RFC 9051 §6.3.6: inferior hierarchical names are renamed too; UIDVALIDITY and messages stay.
export function renameMailbox(ctx: SqliteContext, accountId: AccountId, from: string, to: string): void {
  const { db } = ctx;
  const source = canonicalMailboxName(from);
  const target = canonicalMailboxName(to);
  db.write(() => {
    const rows = db.all<{ id: number; name: string }>(
      'SELECT id, name FROM mailboxes WHERE account_id = ? AND (name = ? OR substr(name, 1, ?) = ?)',
      accountId,
      source,
      source.length + 1,
      source + HIERARCHY_DELIMITER,
    );
    if (!rows.some((row) => row.name === source)) throw new NotFound(`no mailbox ${source}`);
    if (source === target) throw new AlreadyExists(`mailbox ${target} exists`);
    const moving = new Set(rows.map((row) => row.id));
    const renames = rows.map((row) => ({ id: row.id, name: target + row.name.slice(source.length) }));
    for (const rename of renames) {
      const clash = db.get<{ id: number }>(
        'SELECT id FROM mailboxes WHERE account_id = ? AND name = ?',
        accountId,
        rename.name,
      );
      if (clash && !moving.has(clash.id)) throw new AlreadyExists(`mailbox ${rename.name} exists`);
    }
    // Two steps so that renaming into the moved subtree ("a" -> "a/b") never clashes half-way.
    for (const rename of renames) db.run('UPDATE mailboxes SET name = char(0) || id WHERE id = ?', rename.id);
    for (const rename of renames)
      db.run('UPDATE mailboxes SET name = ? WHERE id = ?', rename.name, rename.id);
    publishAfterCommit(ctx, { kind: 'mailboxes', accountId });
  });
}

export function deleteMailbox(ctx: SqliteContext, accountId: AccountId, name: string): void {
  const { db } = ctx;
  db.write(() => {
    const row = db.get<{ id: number }>(
      'SELECT id FROM mailboxes WHERE account_id = ? AND name = ?',
      accountId,
      canonicalMailboxName(name),
    );
    if (!row) throw new NotFound(`no mailbox ${name}`);
    db.run('DELETE FROM messages WHERE mailbox_id = ?', row.id);
    db.run('DELETE FROM mailboxes WHERE id = ?', row.id);
    collectBlobs(ctx);
    publishAfterCommit(ctx, { kind: 'mailboxes', accountId });
  });
}

export function counts(ctx: SqliteContext, mailboxId: MailboxId): MailboxCounts {
  const { db } = ctx;
  return db.read(() => {
    requireMailbox(ctx, mailboxId);
    const row = db.get<{
      messages: number;
      unseen: number | null;
      deleted: number | null;
      size: number | null;
    }>(
      `SELECT count(*) AS messages,
              sum(instr(' ' || flags || ' ', ' \\Seen ') = 0) AS unseen,
              sum(instr(' ' || flags || ' ', ' \\Deleted ') > 0) AS deleted,
              sum(size) AS size
         FROM messages WHERE mailbox_id = ?`,
      mailboxId,
    )!;
    return {
      messages: row.messages,
      unseen: row.unseen ?? 0,
      deleted: row.deleted ?? 0,
      size: row.size ?? 0,
    };
  });
}

export function setSubscribed(
  ctx: SqliteContext,
  accountId: AccountId,
  name: string,
  subscribed: boolean,
): void {
  const { db } = ctx;
  const canonical = canonicalMailboxName(name);
  db.write(() => {
    if (!db.get('SELECT 1 FROM accounts WHERE id = ?', accountId))
      throw new NotFound(`no account ${accountId}`);
    if (subscribed)
      db.run('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)', accountId, canonical);
    else db.run('DELETE FROM subscriptions WHERE account_id = ? AND name = ?', accountId, canonical);
  });
}

export function listSubscriptions(ctx: SqliteContext, accountId: AccountId): string[] {
  return ctx.db
    .read(() =>
      ctx.db.all<{ name: string }>(
        "SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name <> 'INBOX', name",
        accountId,
      ),
    )
    .map((row) => row.name);
}
