// StoreTransfer for SQLite (src/storage/ports-copy.ts): bulk export and import for `posthorn storage copy`.
// Written against the schema in migrations.ts; keep the two in step. Imports write ids and counters as
// given; importCounters raises the UIDVALIDITY counter (meta) and the AUTOINCREMENT high marks
// (sqlite_sequence) past everything imported.

import { encodeFlags, normalizeFlags } from '../flags.ts';
import {
  NotFound,
  type Account,
  type AccountId,
  type Domain,
  type Mailbox,
  type MailboxId,
  type ModSeq,
  type QueueEntry,
  type Uid,
} from '../ports.ts';
import type {
  ExpungedRecord,
  ImportedMessage,
  StoreCounters,
  StoreCounts,
  StoreTransfer,
} from '../ports-copy.ts';
import type { SqliteDatabase } from './database.ts';

export class SqliteStoreTransfer implements StoreTransfer {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async isEmpty(): Promise<boolean> {
    const row = this.#db.get<{ busy: number }>(
      `SELECT EXISTS (SELECT 1 FROM domains) OR EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM aliases)
              OR EXISTS (SELECT 1 FROM blobs) OR EXISTS (SELECT 1 FROM queue_entries) AS busy`,
    );
    return row!.busy === 0;
  }

  async counts(): Promise<StoreCounts> {
    return this.#db.read(() =>
      this.#db.get<StoreCounts>(
        `SELECT (SELECT count(*) FROM domains) AS domains,
                  (SELECT count(*) FROM accounts) AS accounts,
                  (SELECT count(*) FROM aliases) AS aliases,
                  (SELECT count(*) FROM mailboxes) AS mailboxes,
                  (SELECT count(*) FROM subscriptions) AS subscriptions,
                  (SELECT count(*) FROM messages) AS messages,
                  (SELECT count(*) FROM expunged) AS expunged,
                  (SELECT count(*) FROM blobs b WHERE EXISTS (SELECT 1 FROM messages m WHERE m.blob_id = b.id)
                     OR EXISTS (SELECT 1 FROM queue_entries q WHERE q.blob_id = b.id)) AS blobs,
                  (SELECT count(*) FROM queue_entries) AS queueEntries,
                  (SELECT count(*) FROM queue_recipients) AS queueRecipients`,
      )!,
    );
  }

  async exportCounters(): Promise<StoreCounters> {
    return this.#db.read(() => {
      const sequence = (table: string) =>
        this.#db.get<{ seq: number }>('SELECT seq FROM sqlite_sequence WHERE name = ?', table)?.seq ?? 0;
      const lastUidValidity = this.#db.get<{ value: number }>(
        "SELECT value FROM meta WHERE key = 'last_uid_validity'",
      )!.value;
      return {
        lastUidValidity,
        lastAccountId: sequence('accounts'),
        lastMailboxId: sequence('mailboxes'),
      };
    });
  }

  async exportExpunged(mailboxId: MailboxId): Promise<ExpungedRecord[]> {
    return this.#db
      .read(() =>
        this.#db.all<{ uid: number; modseq: number }>(
          'SELECT uid, modseq FROM expunged WHERE mailbox_id = ? ORDER BY uid',
          mailboxId,
        ),
      )
      .map((row) => ({ uid: row.uid as Uid, modSeq: row.modseq as ModSeq }));
  }

  async importDomain(domain: Domain): Promise<void> {
    this.#db.write(() => {
      this.#db.run(
        'INSERT INTO domains (name, created_at) VALUES (?, ?)',
        domain.name.toLowerCase(),
        domain.createdAt.getTime(),
      );
    });
  }

  async importAccount(account: Account): Promise<void> {
    this.#db.write(() => {
      this.#db.run(
        `INSERT INTO accounts (id, address, address_key, domain, password_hash, created_at, disabled)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        account.id,
        account.address,
        account.address.toLowerCase(),
        account.domain,
        account.passwordHash,
        account.createdAt.getTime(),
        account.disabled ? 1 : 0,
      );
    });
  }

  async importMailbox(mailbox: Mailbox): Promise<void> {
    this.#db.write(() => {
      this.#db.run(
        `INSERT INTO mailboxes (id, account_id, name, special_use, uid_validity, uid_next, highest_modseq, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        mailbox.id,
        mailbox.accountId,
        mailbox.name,
        mailbox.specialUse,
        mailbox.uidValidity,
        mailbox.uidNext,
        mailbox.highestModSeq,
        mailbox.createdAt.getTime(),
      );
    });
  }

  async importSubscriptions(accountId: AccountId, names: string[]): Promise<void> {
    this.#db.write(() => {
      for (const name of names) {
        this.#db.run('INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)', accountId, name);
      }
    });
  }

  async importMessages(mailboxId: MailboxId, messages: ImportedMessage[]): Promise<void> {
    this.#db.write(() => {
      for (const message of messages) {
        const blob = this.#db.get<{ size: number }>('SELECT size FROM blobs WHERE id = ?', message.blobId);
        if (!blob) throw new NotFound(`no blob ${message.blobId}`);
        this.#db.run(
          `INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, size, modseq)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          mailboxId,
          message.uid,
          message.blobId,
          encodeFlags(normalizeFlags(message.flags)),
          message.internalDate.getTime(),
          blob.size,
          message.modSeq,
        );
      }
    });
  }

  async importExpunged(mailboxId: MailboxId, records: ExpungedRecord[]): Promise<void> {
    this.#db.write(() => {
      for (const record of records) {
        this.#db.run(
          'INSERT INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)',
          mailboxId,
          record.uid,
          record.modSeq,
        );
      }
    });
  }

  async importQueueEntry(entry: QueueEntry): Promise<void> {
    const db = this.#db;
    db.write(() => {
      if (!db.get('SELECT 1 FROM blobs WHERE id = ?', entry.blobId))
        throw new NotFound(`no blob ${entry.blobId}`);
      const { lastInsertRowid: seq } = db.run(
        `INSERT INTO queue_entries (id, blob_id, sender, size, env_id, ret, smtputf8, eight_bit, created_at,
                                    next_attempt_at, attempts, held, last_error, lease_owner, lease_until,
                                    delay_warned)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        entry.id,
        entry.blobId,
        entry.sender,
        entry.size,
        entry.envId,
        entry.ret,
        entry.smtputf8 ? 1 : 0,
        entry.eightBit ? 1 : 0,
        entry.createdAt.getTime(),
        entry.nextAttemptAt.getTime(),
        entry.attempts,
        entry.held ? 1 : 0,
        entry.lastError,
        entry.leaseOwner,
        entry.leaseUntil === null ? null : entry.leaseUntil.getTime(),
        entry.delayWarned ? 1 : 0,
      );
      entry.recipients.forEach((recipient, position) => {
        db.run(
          `INSERT INTO queue_recipients (entry_seq, position, address, orcpt, notify, state, attempts, last_error,
                                         final_reply, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          seq,
          position,
          recipient.address,
          recipient.orcpt,
          recipient.notify.join(','),
          recipient.state,
          recipient.attempts,
          recipient.lastError,
          recipient.finalReply,
          recipient.updatedAt.getTime(),
        );
      });
    });
  }

  async importCounters(counters: StoreCounters): Promise<void> {
    const db = this.#db;
    db.write(() => {
      db.run(
        `UPDATE meta SET value = max(value, ?, (SELECT coalesce(max(uid_validity), 0) FROM mailboxes))
          WHERE key = 'last_uid_validity'`,
        counters.lastUidValidity,
      );
      for (const [table, mark] of [
        ['accounts', counters.lastAccountId],
        ['mailboxes', counters.lastMailboxId],
      ] as const) {
        const high = Math.max(
          mark,
          db.get<{ id: number | null }>(`SELECT max(id) AS id FROM ${table}`)!.id ?? 0,
        );
        if (
          db.run('UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?', high, table).changes === 0
        ) {
          db.run('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', table, high);
        }
      }
    });
  }
}
