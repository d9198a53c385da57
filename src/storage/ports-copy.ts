// The bulk export/import port used by `posthorn storage copy` (src/storage/copy.ts): what a whole-store copy
// needs beyond the Store port, which reads everything else. Importing writes records exactly as given
// (ids, UIDVALIDITY, UIDs, MODSEQs, queue state) and publishes no change events; it is meant for an empty
// store that no server is using yet. Each backend implements it beside its Store (sqlite/export-import.ts,
// postgres/export-import.ts).

import type {
  Account,
  AccountId,
  BlobId,
  Domain,
  Mailbox,
  MailboxId,
  ModSeq,
  QueueEntry,
  Uid,
} from './ports.ts';

/** High-water marks of the counters that must never hand out a value twice, also after a copy. */
export interface StoreCounters {
  /** The last UIDVALIDITY handed out (also to mailboxes deleted since). */
  lastUidValidity: number;
  lastAccountId: number;
  lastMailboxId: number;
}

export interface ImportedMessage {
  uid: Uid;
  /** The blob in the target store. */
  blobId: BlobId;
  flags: string[];
  internalDate: Date;
  modSeq: ModSeq;
}

export interface ExpungedRecord {
  uid: Uid;
  modSeq: ModSeq;
}

/** Row counts compared after a copy. */
export interface StoreCounts {
  domains: number;
  accounts: number;
  aliases: number;
  mailboxes: number;
  subscriptions: number;
  messages: number;
  expunged: number;
  /** Blobs referenced by a message or a queue entry (a copy leaves unreferenced ones behind). */
  blobs: number;
  queueEntries: number;
  queueRecipients: number;
}

export interface StoreTransfer {
  /** True when the store holds no domain, account, alias, blob or queue entry. */
  isEmpty(): Promise<boolean>;
  counts(): Promise<StoreCounts>;
  exportCounters(): Promise<StoreCounters>;
  /** QRESYNC expunge records of a mailbox, ascending UID. */
  exportExpunged(mailboxId: MailboxId): Promise<ExpungedRecord[]>;

  /** The domain with its creation time. */
  importDomain(domain: Domain): Promise<void>;
  /** The account with its id, creation time and disabled flag; no default mailboxes. */
  importAccount(account: Account): Promise<void>;
  /** The mailbox with its id, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ. */
  importMailbox(mailbox: Mailbox): Promise<void>;
  importSubscriptions(accountId: AccountId, names: string[]): Promise<void>;
  /** Messages with their UIDs and MODSEQs, in one transaction; the mailbox counters stay as imported. */
  importMessages(mailboxId: MailboxId, messages: ImportedMessage[]): Promise<void>;
  importExpunged(mailboxId: MailboxId, records: ExpungedRecord[]): Promise<void>;
  /** The entry with its id, times, attempts, lease and recipient states; `blobId` is the target's. */
  importQueueEntry(entry: QueueEntry): Promise<void>;
  /** Raises the store's counters to at least these (and above every imported record). */
  importCounters(counters: StoreCounters): Promise<void>;
}
