// Copies a whole store into an empty one (SQLite -> PostgreSQL, PostgreSQL -> SQLite, or same to same):
// domains, accounts, mailboxes with their UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ, messages with their UIDs,
// MODSEQs, flags, keywords and dates, QRESYNC expunge records, subscriptions, aliases, the outgoing queue
// with its per-recipient state, and the counters that must never repeat. IMAP clients see the same
// mailboxes afterwards and resynchronise nothing. Bodies are copied once each (blobs are shared).
//
// Reads go through the Store port; what it cannot say or write goes through the StoreTransfer port
// (ports-copy.ts). The source must not change while copying: stop the servers first. The copy is not one
// transaction: when it fails half-way, empty the target and run it again.

import type { StoreCounts, StoreTransfer } from './ports-copy.ts';
import {
  StorageError,
  type AccountId,
  type BlobId,
  type MessageRecord,
  type QueueEntry,
  type Store,
} from './ports.ts';
import { PgStoreTransfer } from './postgres/export-import.ts';
import { PostgresStore } from './postgres/store.ts';
import { SqliteStoreTransfer } from './sqlite/export-import.ts';
import { SqliteStore } from './sqlite/store.ts';

export interface CopyEnd {
  store: Store;
  transfer: StoreTransfer;
}

export interface CopyOptions {
  /** One line per step, for the operator. */
  onProgress?: (message: string) => void;
  /** Messages per import transaction; default 500. */
  batchSize?: number;
}

export interface CopyReport {
  source: StoreCounts;
  target: StoreCounts;
  /** Differences found by the verification; empty when the copy is faithful. */
  mismatches: string[];
}

/** The bulk export/import side of a store opened by this process. */
export function transferOf(store: Store): StoreTransfer {
  if (store instanceof SqliteStore) return new SqliteStoreTransfer(store.database);
  if (store instanceof PostgresStore) return new PgStoreTransfer(store.database);
  throw new StorageError(`cannot copy ${store.description}: no bulk export/import for this backend`);
}

export function copyEnd(store: Store): CopyEnd {
  return { store, transfer: transferOf(store) };
}

/** Source blob id -> target blob id; copies each body the first time a message or queue entry needs it. */
class BlobMap {
  readonly #ids = new Map<BlobId, BlobId>();
  readonly #from: Store;
  readonly #to: Store;

  constructor(from: Store, to: Store) {
    this.#from = from;
    this.#to = to;
  }

  get size(): number {
    return this.#ids.size;
  }

  async map(ids: readonly BlobId[]): Promise<Map<BlobId, BlobId>> {
    const missing = [...new Set(ids)].filter((id) => !this.#ids.has(id));
    if (missing.length > 0) {
      const parsed = await this.#from.mail.getBlobs(missing);
      for (const id of missing) {
        const blob = parsed.get(id);
        if (!blob) throw new StorageError(`source blob ${id} is missing`);
        const bytes = await this.#from.mail.getBlobBytes(id);
        this.#ids.set(id, await this.#to.mail.putBlob(bytes, blob.parsed));
      }
    }
    return this.#ids;
  }
}

export async function copyStore(from: CopyEnd, to: CopyEnd, options: CopyOptions = {}): Promise<CopyReport> {
  const say = options.onProgress ?? (() => {});
  const batchSize = options.batchSize ?? 500;
  if (!(await to.transfer.isEmpty())) {
    throw new StorageError(`${to.store.description} is not empty: copy only into a new, empty store`);
  }
  const blobs = new BlobMap(from.store, to.store);

  const domains = await from.store.accounts.listDomains();
  for (const domain of domains) await to.transfer.importDomain(domain);
  say(`domains: ${domains.length}`);

  const accounts = await from.store.accounts.listAccounts();
  for (const [index, account] of accounts.entries()) {
    await to.transfer.importAccount(account);
    await to.transfer.importSubscriptions(account.id, await from.store.mail.listSubscriptions(account.id));
    const mailboxes = await from.store.mail.listMailboxes(account.id);
    let messages = 0;
    for (const mailbox of mailboxes) {
      await to.transfer.importMailbox(mailbox);
      const records = await from.store.mail.listMessages(mailbox.id);
      for (let i = 0; i < records.length; i += batchSize) {
        const batch = records.slice(i, i + batchSize);
        const ids = await blobs.map(batch.map((m) => m.blobId));
        await to.transfer.importMessages(
          mailbox.id,
          batch.map((m) => ({
            uid: m.uid,
            blobId: ids.get(m.blobId)!,
            flags: m.flags,
            internalDate: m.internalDate,
            modSeq: m.modSeq,
          })),
        );
      }
      await to.transfer.importExpunged(mailbox.id, await from.transfer.exportExpunged(mailbox.id));
      messages += records.length;
    }
    say(
      `account ${index + 1}/${accounts.length} ${account.address}: ${mailboxes.length} mailboxes, ` +
        `${messages} messages`,
    );
  }

  const aliases = await from.store.accounts.listAliases();
  for (const alias of aliases) await to.store.accounts.addAlias(alias.address, alias.targets);
  say(`aliases: ${aliases.length}`);

  const entries = await from.store.queue.list();
  for (const entry of entries) {
    const ids = await blobs.map([entry.blobId]);
    await to.transfer.importQueueEntry({ ...entry, blobId: ids.get(entry.blobId)! });
  }
  say(`queue entries: ${entries.length}`);
  say(`message bodies: ${blobs.size}`);

  await to.transfer.importCounters(await from.transfer.exportCounters());
  say('verifying');
  return verify(
    from,
    to,
    accounts.map((a) => a.id),
  );
}

function sameRecord(a: MessageRecord, b: MessageRecord): boolean {
  return (
    a.uid === b.uid &&
    a.modSeq === b.modSeq &&
    a.size === b.size &&
    a.internalDate.getTime() === b.internalDate.getTime() &&
    a.flags.join(' ') === b.flags.join(' ')
  );
}

/** Compares counts, every mailbox's counters and every message's UID, MODSEQ, flags, size and date. */
export async function verify(
  from: CopyEnd,
  to: CopyEnd,
  accountIds: readonly AccountId[],
): Promise<CopyReport> {
  const [source, target] = await Promise.all([from.transfer.counts(), to.transfer.counts()]);
  const mismatches: string[] = [];
  for (const key of Object.keys(source) as Array<keyof StoreCounts>) {
    if (source[key] !== target[key]) mismatches.push(`${key}: source ${source[key]}, target ${target[key]}`);
  }
  for (const accountId of accountIds) {
    for (const mailbox of await from.store.mail.listMailboxes(accountId)) {
      const copied = await to.store.mail.getMailboxById(mailbox.id);
      const where = `mailbox ${mailbox.id} (${mailbox.name})`;
      if (!copied) {
        mismatches.push(`${where}: missing`);
        continue;
      }
      for (const key of ['name', 'uidValidity', 'uidNext', 'highestModSeq', 'specialUse'] as const) {
        if (copied[key] !== mailbox[key])
          mismatches.push(`${where}: ${key} ${mailbox[key]} -> ${copied[key]}`);
      }
      const [a, b] = await Promise.all([
        from.store.mail.listMessages(mailbox.id),
        to.store.mail.listMessages(mailbox.id),
      ]);
      const differing = a.filter((record, i) => !b[i] || !sameRecord(record, b[i]));
      if (a.length !== b.length || differing.length > 0) {
        mismatches.push(
          `${where}: ${differing.length} of ${a.length} messages differ (target has ${b.length})`,
        );
      }
    }
  }
  const [queued, copiedQueue] = await Promise.all([from.store.queue.list(), to.store.queue.list()]);
  const differingEntries = queued.filter((entry, i) => !copiedQueue[i] || !sameEntry(entry, copiedQueue[i]));
  if (queued.length !== copiedQueue.length || differingEntries.length > 0) {
    mismatches.push(
      `queue: ${differingEntries.length} of ${queued.length} entries differ (target has ${copiedQueue.length})`,
    );
  }
  return { source, target, mismatches };
}

/** Everything but the blob id, which is the target's own. */
function sameEntry(a: QueueEntry, b: QueueEntry): boolean {
  return JSON.stringify({ ...a, blobId: 0 }) === JSON.stringify({ ...b, blobId: 0 });
}
