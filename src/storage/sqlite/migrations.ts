// Versioned schema migrations. PRAGMA user_version holds the number of migrations applied; each migration
// runs in its own transaction at open, so a crash leaves the database at a whole version.
// Never edit a released migration: append a new one.

import { StorageError } from '../ports.ts';
import type { SqliteDatabase } from './database.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'accounts, mailboxes, messages, blobs, queue',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
      INSERT INTO meta (key, value) VALUES ('last_uid_validity', 0);

      CREATE TABLE domains (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL) STRICT;

      -- address_key: lower-cased address, the lookup key (local parts match case-insensitively).
      -- AUTOINCREMENT: ids of removed accounts, mailboxes and blobs are never handed out again, so a
      -- session or change event holding an old id cannot reach a new record.
      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        address TEXT NOT NULL,
        address_key TEXT NOT NULL UNIQUE,
        domain TEXT NOT NULL REFERENCES domains (name),
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX accounts_domain ON accounts (domain);

      CREATE TABLE aliases (
        id INTEGER PRIMARY KEY,
        address TEXT NOT NULL,
        address_key TEXT NOT NULL UNIQUE,
        domain TEXT NOT NULL REFERENCES domains (name),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX aliases_domain ON aliases (domain);

      CREATE TABLE alias_targets (
        alias_id INTEGER NOT NULL REFERENCES aliases (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        target TEXT NOT NULL,
        PRIMARY KEY (alias_id, position)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE mailboxes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        special_use TEXT,
        uid_validity INTEGER NOT NULL,
        uid_next INTEGER NOT NULL DEFAULT 1,
        highest_modseq INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        UNIQUE (account_id, name)
      ) STRICT;

      CREATE TABLE subscriptions (
        account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        PRIMARY KEY (account_id, name)
      ) STRICT, WITHOUT ROWID;

      -- One row per distinct content (sha256). refs counts mailbox messages and queue entries (triggers
      -- below); unreferenced blobs are deleted once untouched for a grace period, so a blob stored just
      -- before its append or enqueue is not collected in between.
      CREATE TABLE blobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sha256 BLOB NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        parsed TEXT NOT NULL,
        refs INTEGER NOT NULL DEFAULT 0,
        touched_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX blobs_unreferenced ON blobs (touched_at) WHERE refs = 0;

      -- Bytes apart from the metadata so reading parsed indexes never walks large overflow chains.
      CREATE TABLE blob_bytes (
        blob_id INTEGER PRIMARY KEY REFERENCES blobs (id) ON DELETE CASCADE,
        bytes BLOB NOT NULL
      ) STRICT;

      -- flags: space-separated (see storage/flags.ts).
      CREATE TABLE messages (
        mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        blob_id INTEGER NOT NULL REFERENCES blobs (id),
        flags TEXT NOT NULL,
        internal_date INTEGER NOT NULL,
        size INTEGER NOT NULL,
        modseq INTEGER NOT NULL,
        PRIMARY KEY (mailbox_id, uid)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);
      CREATE INDEX messages_blob ON messages (blob_id);

      -- QRESYNC VANISHED (RFC 7162 §3.2.5.1).
      CREATE TABLE expunged (
        mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        modseq INTEGER NOT NULL,
        PRIMARY KEY (mailbox_id, uid)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX expunged_modseq ON expunged (mailbox_id, modseq);

      CREATE TABLE queue_entries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        blob_id INTEGER NOT NULL REFERENCES blobs (id),
        sender TEXT NOT NULL,
        size INTEGER NOT NULL,
        env_id TEXT,
        ret TEXT CHECK (ret IN ('FULL', 'HDRS')),
        smtputf8 INTEGER NOT NULL,
        eight_bit INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        held INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        lease_owner TEXT,
        lease_until INTEGER,
        delay_warned INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX queue_entries_due ON queue_entries (next_attempt_at) WHERE held = 0;
      CREATE INDEX queue_entries_arrival ON queue_entries (created_at, seq);
      CREATE INDEX queue_entries_blob ON queue_entries (blob_id);

      -- One row per (entry, recipient): replaying a delivery cannot duplicate a recipient (DESIGN.md §4.3).
      CREATE TABLE queue_recipients (
        entry_seq INTEGER NOT NULL REFERENCES queue_entries (seq) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        address TEXT NOT NULL,
        orcpt TEXT,
        notify TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'expired')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        final_reply TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (entry_seq, position),
        UNIQUE (entry_seq, address)
      ) STRICT, WITHOUT ROWID;

      CREATE TRIGGER messages_blob_ref AFTER INSERT ON messages
        BEGIN UPDATE blobs SET refs = refs + 1 WHERE id = NEW.blob_id; END;
      CREATE TRIGGER messages_blob_unref AFTER DELETE ON messages
        BEGIN UPDATE blobs SET refs = refs - 1 WHERE id = OLD.blob_id; END;
      CREATE TRIGGER queue_blob_ref AFTER INSERT ON queue_entries
        BEGIN UPDATE blobs SET refs = refs + 1 WHERE id = NEW.blob_id; END;
      CREATE TRIGGER queue_blob_unref AFTER DELETE ON queue_entries
        BEGIN UPDATE blobs SET refs = refs - 1 WHERE id = OLD.blob_id; END;
    `,
  },
];

export function schemaVersion(db: SqliteDatabase): number {
  const row = db.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

/** Applies the migrations not yet applied; refuses a database written by a newer Posthorn. */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new StorageError(
      `${db.path}: database schema version ${current} is newer than this Posthorn supports (${latest})`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.write(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    });
  }
  return schemaVersion(db);
}
