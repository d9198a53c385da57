// StoreTransfer for PostgreSQL (src/storage/ports-copy.ts): bulk export and import for `posthorn storage
// copy`. Imports write ids and counters as given; importCounters then moves the identity and UIDVALIDITY
// sequences past everything imported, so later records never reuse a value.

import { encodeFlags, normalizeFlags } from '../flags.ts';
import type {
  ExpungedRecord,
  ImportedMessage,
  StoreCounters,
  StoreCounts,
  StoreTransfer,
} from '../ports-copy.ts';
import type { Account, AccountId, Domain, Mailbox, MailboxId, ModSeq, QueueEntry, Uid } from '../ports.ts';
import { lockBlobSizes } from './blobs.ts';
import type { PgDatabase } from './database.ts';

export class PgStoreTransfer implements StoreTransfer {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async isEmpty(): Promise<boolean> {
    const row = await this.#db.row<{ empty: boolean }>(
      `SELECT NOT (EXISTS (SELECT 1 FROM domains) OR EXISTS (SELECT 1 FROM accounts)
                   OR EXISTS (SELECT 1 FROM aliases) OR EXISTS (SELECT 1 FROM blobs)
                   OR EXISTS (SELECT 1 FROM queue_entries)) AS empty`,
    );
    return row!.empty;
  }

  async counts(): Promise<StoreCounts> {
    return (await this.#db.row<StoreCounts>(
      `SELECT (SELECT count(*) FROM domains) AS domains,
              (SELECT count(*) FROM accounts) AS accounts,
              (SELECT count(*) FROM aliases) AS aliases,
              (SELECT count(*) FROM mailboxes) AS mailboxes,
              (SELECT count(*) FROM subscriptions) AS subscriptions,
              (SELECT count(*) FROM messages) AS messages,
              (SELECT count(*) FROM expunged) AS expunged,
              (SELECT count(*) FROM blobs b WHERE EXISTS (SELECT 1 FROM messages m WHERE m.blob_id = b.id)
                 OR EXISTS (SELECT 1 FROM queue_entries q WHERE q.blob_id = b.id)) AS blobs,
              (SELECT count(*) FROM queue_entries) AS "queueEntries",
              (SELECT count(*) FROM queue_recipients) AS "queueRecipients"`,
    ))!;
  }

  async exportCounters(): Promise<StoreCounters> {
    // last_value is the sequence's position (the start value before the first nextval): a safe high mark.
    return (await this.#db.row<StoreCounters>(
      `SELECT (SELECT last_value FROM uid_validity_seq) AS "lastUidValidity",
              GREATEST((SELECT last_value FROM accounts_id_seq), (SELECT coalesce(max(id), 0) FROM accounts))
                AS "lastAccountId",
              GREATEST((SELECT last_value FROM mailboxes_id_seq), (SELECT coalesce(max(id), 0) FROM mailboxes))
                AS "lastMailboxId"`,
    ))!;
  }

  async exportExpunged(mailboxId: MailboxId): Promise<ExpungedRecord[]> {
    const rows = await this.#db.rows<{ uid: number; modseq: number }>(
      'SELECT uid, modseq FROM expunged WHERE mailbox_id = $1 ORDER BY uid',
      [mailboxId],
    );
    return rows.map((row) => ({ uid: row.uid as Uid, modSeq: row.modseq as ModSeq }));
  }

  async importDomain(domain: Domain): Promise<void> {
    await this.#db.run('INSERT INTO domains (name, created_at) VALUES ($1, $2)', [
      domain.name.toLowerCase(),
      domain.createdAt,
    ]);
  }

  async importAccount(account: Account): Promise<void> {
    await this.#db.run(
      `INSERT INTO accounts (id, address, address_key, domain, password_hash, created_at, disabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        account.id,
        account.address,
        account.address.toLowerCase(),
        account.domain,
        account.passwordHash,
        account.createdAt,
        account.disabled,
      ],
    );
  }

  async importMailbox(mailbox: Mailbox): Promise<void> {
    await this.#db.run(
      `INSERT INTO mailboxes (id, account_id, name, special_use, uid_validity, uid_next, highest_modseq, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        mailbox.id,
        mailbox.accountId,
        mailbox.name,
        mailbox.specialUse,
        mailbox.uidValidity,
        mailbox.uidNext,
        mailbox.highestModSeq,
        mailbox.createdAt,
      ],
    );
  }

  async importSubscriptions(accountId: AccountId, names: string[]): Promise<void> {
    await this.#db.run(
      `INSERT INTO subscriptions (account_id, name) SELECT $1, name FROM unnest($2::text[]) AS name
       ON CONFLICT DO NOTHING`,
      [accountId, names],
    );
  }

  async importMessages(mailboxId: MailboxId, messages: ImportedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#db.write(async (tx) => {
      const sizes = await lockBlobSizes(
        tx,
        messages.map((m) => m.blobId),
      );
      await tx.run(
        `INSERT INTO messages (mailbox_id, uid, blob_id, flags, internal_date, size, modseq)
         SELECT $1, r.uid, r.blob_id, r.flags, r.internal_date, r.size, r.modseq
           FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[], $6::integer[], $7::bigint[])
                AS r (uid, blob_id, flags, internal_date, size, modseq)`,
        [
          mailboxId,
          messages.map((m) => m.uid),
          messages.map((m) => m.blobId),
          messages.map((m) => encodeFlags(normalizeFlags(m.flags))),
          messages.map((m) => m.internalDate),
          messages.map((m) => sizes.get(m.blobId)!),
          messages.map((m) => m.modSeq),
        ],
      );
    });
  }

  async importExpunged(mailboxId: MailboxId, records: ExpungedRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#db.run(
      `INSERT INTO expunged (mailbox_id, uid, modseq)
       SELECT $1, r.uid, r.modseq FROM unnest($2::bigint[], $3::bigint[]) AS r (uid, modseq)`,
      [mailboxId, records.map((r) => r.uid), records.map((r) => r.modSeq)],
    );
  }

  async importQueueEntry(entry: QueueEntry): Promise<void> {
    await this.#db.write(async (tx) => {
      await lockBlobSizes(tx, [entry.blobId]);
      const row = (await tx.row<{ seq: number }>(
        `INSERT INTO queue_entries (id, blob_id, sender, size, env_id, ret, smtputf8, eight_bit, created_at,
                                    next_attempt_at, attempts, held, last_error, lease_owner, lease_until,
                                    delay_warned)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING seq`,
        [
          entry.id,
          entry.blobId,
          entry.sender,
          entry.size,
          entry.envId,
          entry.ret,
          entry.smtputf8,
          entry.eightBit,
          entry.createdAt,
          entry.nextAttemptAt,
          entry.attempts,
          entry.held,
          entry.lastError,
          entry.leaseOwner,
          entry.leaseUntil,
          entry.delayWarned,
        ],
      ))!;
      const r = entry.recipients;
      await tx.run(
        `INSERT INTO queue_recipients (entry_seq, position, address, orcpt, notify, state, attempts, last_error,
                                       final_reply, updated_at)
         SELECT $1, r.position - 1, r.address, r.orcpt, r.notify, r.state, r.attempts, r.last_error,
                r.final_reply, r.updated_at
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[],
                       $9::timestamptz[])
                WITH ORDINALITY AS r (address, orcpt, notify, state, attempts, last_error, final_reply,
                                      updated_at, position)`,
        [
          row.seq,
          r.map((x) => x.address),
          r.map((x) => x.orcpt),
          r.map((x) => x.notify.join(',')),
          r.map((x) => x.state),
          r.map((x) => x.attempts),
          r.map((x) => x.lastError),
          r.map((x) => x.finalReply),
          r.map((x) => x.updatedAt),
        ],
      );
    });
  }

  async importCounters(counters: StoreCounters): Promise<void> {
    await this.#db.write(async (tx) => {
      await tx.run(
        `SELECT setval('uid_validity_seq', LEAST(4294967295, GREATEST(
           (SELECT last_value FROM uid_validity_seq), $1::bigint,
           (SELECT coalesce(max(uid_validity), 1) FROM mailboxes))))`,
        [counters.lastUidValidity],
      );
      await tx.run(
        `SELECT setval('accounts_id_seq', GREATEST(
           (SELECT last_value FROM accounts_id_seq), $1::bigint, (SELECT coalesce(max(id), 1) FROM accounts)))`,
        [counters.lastAccountId],
      );
      await tx.run(
        `SELECT setval('mailboxes_id_seq', GREATEST(
           (SELECT last_value FROM mailboxes_id_seq), $1::bigint, (SELECT coalesce(max(id), 1) FROM mailboxes)))`,
        [counters.lastMailboxId],
      );
    });
  }
}
