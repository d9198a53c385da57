// The storage port: every service talks to storage through these interfaces only.
// Backends (sqlite/, postgres/) implement them and must pass test/contract/ unchanged.
//
// Invariants the backends keep (checked by the contract suite):
// - UIDs in a mailbox are strictly increasing and never reused, also after expunge and restart.
// - UIDVALIDITY of a mailbox never changes while the mailbox exists; a re-created name gets a new one.
// - MODSEQ per mailbox is monotonic: every change (append, flag change, expunge) gets a higher one.
// - A message body (blob) is stored once however many mailboxes or queue entries refer to it.
// - Every method that returns has committed its writes durably (commit before ack, DESIGN.md §4.1).

import type { ParsedMessage } from '../message/types.ts';

export type Uid = number & { readonly __brand: 'Uid' };
export type ModSeq = number & { readonly __brand: 'ModSeq' };
export type AccountId = number & { readonly __brand: 'AccountId' };
export type MailboxId = number & { readonly __brand: 'MailboxId' };
export type BlobId = number & { readonly __brand: 'BlobId' };

export type SpecialUse = '\\Drafts' | '\\Sent' | '\\Archive' | '\\Junk' | '\\Trash' | '\\All' | '\\Flagged';

/** The mailboxes every account is created with (RFC 6154 special-use). */
export const DEFAULT_MAILBOXES: ReadonlyArray<{ name: string; specialUse: SpecialUse | null }> = [
  { name: 'INBOX', specialUse: null },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Archive', specialUse: '\\Archive' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Trash', specialUse: '\\Trash' },
];

// ---------------------------------------------------------------- accounts

export interface Domain {
  name: string; // lower-case, ASCII (A-labels)
  createdAt: Date;
}

export interface Account {
  id: AccountId;
  /** Login name and primary address, lower-cased domain: "alice@crepes.fr". */
  address: string;
  domain: string;
  passwordHash: string; // PHC string, argon2id
  createdAt: Date;
  disabled: boolean;
}

/** `address` is "local@domain" or "@domain" (catch-all). Targets are addresses, local or remote. */
export interface Alias {
  address: string;
  targets: string[];
}

export interface AccountStore {
  addDomain(name: string): Promise<Domain>; // throws AlreadyExists
  listDomains(): Promise<Domain[]>;
  getDomain(name: string): Promise<Domain | null>;
  /** Refuses (throws NotEmpty) while accounts or aliases of the domain exist. */
  removeDomain(name: string): Promise<void>;

  /** Creates the account and its DEFAULT_MAILBOXES, subscribed, in one transaction. AlreadyExists / NotFound. */
  addAccount(address: string, passwordHash: string): Promise<Account>;
  getAccount(address: string): Promise<Account | null>;
  getAccountById(id: AccountId): Promise<Account | null>;
  listAccounts(domain?: string): Promise<Account[]>;
  setPasswordHash(address: string, passwordHash: string): Promise<void>;
  /** Removes the account with its mailboxes and messages. */
  removeAccount(address: string): Promise<void>;

  addAlias(address: string, targets: string[]): Promise<Alias>; // throws AlreadyExists
  getAlias(address: string): Promise<Alias | null>;
  listAliases(domain?: string): Promise<Alias[]>;
  removeAlias(address: string): Promise<void>;
}

// ---------------------------------------------------------------- mailboxes and messages

export interface Mailbox {
  id: MailboxId;
  accountId: AccountId;
  /** Full UTF-8 name, "/" as hierarchy delimiter; "INBOX" always spelled so. */
  name: string;
  specialUse: SpecialUse | null;
  uidValidity: number;
  uidNext: Uid;
  highestModSeq: ModSeq;
  createdAt: Date;
}

export interface MailboxCounts {
  messages: number;
  unseen: number;
  deleted: number;
  /** Sum of RFC822.SIZE of all messages (STATUS SIZE, RFC 8438). */
  size: number;
}

/** One message as it sits in one mailbox. */
export interface MessageRecord {
  mailboxId: MailboxId;
  uid: Uid;
  blobId: BlobId;
  /** System flags (\Seen, \Answered, \Flagged, \Deleted, \Draft) and keywords, as given by the client. */
  flags: string[];
  internalDate: Date;
  size: number;
  modSeq: ModSeq;
}

/**
 * A message to append: a blob stored before (`blobId`), or its bytes with their parse, which the append stores
 * (once per content, like putBlob) in its own transaction, so message and body commit together.
 */
export type NewMessage = { flags: string[]; internalDate: Date } & (
  { blobId: BlobId } | { bytes: Buffer; parsed: ParsedMessage }
);

/** Where `deliver` puts a message: the account's mailbox of this name, created with `specialUse` if missing. */
export interface DeliveryTarget {
  accountId: AccountId;
  mailbox: string;
  specialUse: SpecialUse | null;
}

export interface AppendResult {
  uid: Uid;
  modSeq: ModSeq;
  uidValidity: number;
}

export interface CopyResult {
  uidValidity: number; // of the destination
  mapping: Array<{ from: Uid; to: Uid }>; // in ascending source UID order
}

export type FlagOp = 'add' | 'remove' | 'set';

export interface FlagUpdate {
  op: FlagOp;
  flags: string[];
  /** CONDSTORE UNCHANGEDSINCE (RFC 7162 §3.1.3): rows with a higher modseq are not changed. */
  unchangedSince?: ModSeq;
}

export interface FlagUpdateResult {
  /** Rows whose flags changed (new modseq) or that were asked for and unchanged (same modseq). */
  updated: MessageRecord[];
  /** UIDs refused by UNCHANGEDSINCE. */
  modified: Uid[];
}

export interface ChangesSince {
  changed: MessageRecord[]; // rows with modSeq > since (added or flags changed)
  vanished: Uid[]; // expunged with modSeq > since (QRESYNC)
  highestModSeq: ModSeq;
}

/** A stored message body, once per content, with the parse made when it was stored. */
export interface StoredBlob {
  id: BlobId;
  size: number;
  parsed: ParsedMessage;
}

export interface MailStore {
  /** Stores the bytes once and returns its id; `parsed` is the index kept beside it (no reparsing later). */
  putBlob(bytes: Buffer, parsed: ParsedMessage): Promise<BlobId>;
  getBlobBytes(id: BlobId): Promise<Buffer>;
  getBlob(id: BlobId): Promise<StoredBlob>;
  /** Many at once, for FETCH ENVELOPE/BODYSTRUCTURE and SEARCH on headers over a whole mailbox. */
  getBlobs(ids: BlobId[]): Promise<Map<BlobId, StoredBlob>>;

  createMailbox(accountId: AccountId, name: string, specialUse?: SpecialUse | null): Promise<Mailbox>; // AlreadyExists
  getMailbox(accountId: AccountId, name: string): Promise<Mailbox | null>;
  getMailboxById(id: MailboxId): Promise<Mailbox | null>;
  listMailboxes(accountId: AccountId): Promise<Mailbox[]>;
  /** Renames the mailbox and every child ("a/b" with "a"), keeping UIDVALIDITY. NotFound / AlreadyExists. */
  renameMailbox(accountId: AccountId, from: string, to: string): Promise<void>;
  /** Deletes the mailbox and its messages (not its children). */
  deleteMailbox(accountId: AccountId, name: string): Promise<void>;
  counts(mailboxId: MailboxId): Promise<MailboxCounts>;

  /** Subscriptions are names, and may name mailboxes that do not exist (RFC 9051 §6.3.7). */
  setSubscribed(accountId: AccountId, name: string, subscribed: boolean): Promise<void>;
  listSubscriptions(accountId: AccountId): Promise<string[]>;

  /** Appends in one transaction; UIDs assigned in the order given. Throws NotFound. */
  append(mailboxId: MailboxId, messages: NewMessage[]): Promise<AppendResult[]>;
  /**
   * Local delivery in one transaction (one commit): looks the mailbox up by name, re-creates it if it was
   * removed, stores the body if given as bytes, and appends. Throws NotFound when the account does not exist.
   */
  deliver(target: DeliveryTarget, message: NewMessage): Promise<AppendResult & { mailboxId: MailboxId }>;
  /** All messages, ascending UID. */
  listMessages(mailboxId: MailboxId): Promise<MessageRecord[]>;
  /** Messages with the given UIDs (those that exist), ascending UID. */
  getMessages(mailboxId: MailboxId, uids: Uid[]): Promise<MessageRecord[]>;
  updateFlags(mailboxId: MailboxId, uids: Uid[], update: FlagUpdate): Promise<FlagUpdateResult>;
  /** Removes the messages; returns the UIDs actually removed and the modseq recorded for them. */
  expunge(mailboxId: MailboxId, uids: Uid[]): Promise<{ expunged: Uid[]; modSeq: ModSeq }>;
  copy(from: MailboxId, uids: Uid[], to: MailboxId): Promise<CopyResult>;
  /** Copy and expunge in one transaction (RFC 6851). */
  move(from: MailboxId, uids: Uid[], to: MailboxId): Promise<CopyResult & { modSeq: ModSeq }>;
  changesSince(mailboxId: MailboxId, modSeq: ModSeq): Promise<ChangesSince>;
}

// ---------------------------------------------------------------- outgoing queue

/** RFC 3461 NOTIFY values; empty array = default (FAILURE,DELAY as the MTA chooses). */
export type DsnNotify = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY';

export type RecipientState = 'pending' | 'delivered' | 'failed' | 'expired';

export interface QueueRecipient {
  address: string;
  /** RFC 3461 ORCPT, as "addr-type;xtext-decoded address", or null. */
  orcpt: string | null;
  notify: DsnNotify[];
  state: RecipientState;
  attempts: number;
  lastError: string | null;
  /** Remote reply or local note when final. */
  finalReply: string | null;
  updatedAt: Date;
}

export interface QueueEntry {
  id: string; // queue id shown in "250 2.0.0 Ok: queued as <id>" and every log line
  blobId: BlobId;
  /** Envelope sender; "" is the null sender <>. */
  sender: string;
  recipients: QueueRecipient[];
  size: number;
  /** RFC 3461 ENVID and RET. */
  envId: string | null;
  ret: 'FULL' | 'HDRS' | null;
  /** True when the message needs SMTPUTF8 from the next hop (RFC 6531). */
  smtputf8: boolean;
  /** 8BITMIME body (RFC 6152). */
  eightBit: boolean;
  createdAt: Date;
  nextAttemptAt: Date;
  /** Delivery attempts started; saved before each attempt (DESIGN.md §4.4). */
  attempts: number;
  held: boolean;
  lastError: string | null;
  /** Set while a worker (of any node) delivers it; null when free. */
  leaseOwner: string | null;
  leaseUntil: Date | null;
  delayWarned: boolean;
}

export interface NewQueueEntry {
  /**
   * The queue id to use (newQueueId), e.g. the one already written into the Received field; the store picks a
   * fresh one if it is taken. Absent: the store picks one.
   */
  id?: string;
  blobId: BlobId;
  sender: string;
  recipients: Array<{ address: string; orcpt: string | null; notify: DsnNotify[] }>;
  size: number;
  envId: string | null;
  ret: 'FULL' | 'HDRS' | null;
  smtputf8: boolean;
  eightBit: boolean;
  nextAttemptAt: Date;
}

export interface RecipientResult {
  address: string;
  state: RecipientState;
  error?: string | null;
  finalReply?: string | null;
}

export interface QueueStore {
  /** Persists the entry (durable when this resolves) and returns it with its new id. */
  enqueue(entry: NewQueueEntry): Promise<QueueEntry>;
  get(id: string): Promise<QueueEntry | null>;
  /** All entries in arrival order (FCFS), held ones included. */
  list(): Promise<QueueEntry[]>;
  /**
   * Takes up to `limit` due entries (not held, nextAttemptAt <= now, lease free or expired), oldest first,
   * sets a lease for `owner` until `leaseUntil`, increments `attempts`, and returns them. Exactly one
   * caller gets each entry, also across nodes (SKIP LOCKED on PostgreSQL).
   * `skipDomains` (lower-case): entries whose pending recipients are all at these domains (the part after
   * the last '@') are left alone, neither leased nor counted: a worker whose line for them is full.
   */
  claimDue(
    now: Date,
    limit: number,
    owner: string,
    leaseUntil: Date,
    options?: { skipDomains?: readonly string[] },
  ): Promise<QueueEntry[]>;
  /**
   * Records per-recipient results of an attempt, releases the lease, sets the next attempt time.
   * Adds one to the attempt count of each recipient listed (the queue's crash detection relies on it).
   * With `removeIfDone`, an entry whose recipients are all final afterwards is removed in the same
   * transaction (one commit per finished message; unreferenced blobs are collected after it): the answer
   * is then its last state, so it was removed exactly when none of its recipients is pending.
   */
  recordAttempt(
    id: string,
    results: RecipientResult[],
    next: { nextAttemptAt: Date; lastError: string | null },
    options?: { removeIfDone?: boolean },
  ): Promise<QueueEntry>;
  /**
   * Frees the leases held by earlier runs of this node (owners starting with `ownerPrefix`, other than `except`),
   * so a restarted node resumes the work it had claimed at once instead of waiting for the leases to expire.
   * Returns how many entries were freed.
   */
  releaseLeases(ownerPrefix: string, except: string): Promise<number>;
  /**
   * Extends the leases `owner` still holds on the given entries to `leaseUntil` (a worker renews them while it
   * delivers, so a long wait in its own line never lets another claimer in). Returns the ids still held; an id
   * missing from the answer was taken over or removed.
   */
  renewLeases(owner: string, ids: string[], leaseUntil: Date): Promise<string[]>;
  setHeld(id: string, held: boolean): Promise<void>;
  /** Makes the entry due now (retry). */
  reschedule(id: string, at: Date): Promise<void>;
  setDelayWarned(id: string): Promise<void>;
  /** Removes the entry (all recipients final, or deleted by the operator). */
  remove(id: string): Promise<void>;
}

// ---------------------------------------------------------------- the whole store

export interface Store {
  readonly accounts: AccountStore;
  readonly mail: MailStore;
  readonly queue: QueueStore;
  readonly changes: ChangeFeed;
  /** Human-readable description for logs, e.g. "sqlite:/var/lib/posthorn/posthorn.db". */
  readonly description: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- change feed (DESIGN.md §3.5)

export type MailboxChange =
  | { kind: 'added'; mailboxId: MailboxId; uids: Uid[]; modSeq: ModSeq }
  | { kind: 'flags'; mailboxId: MailboxId; uids: Uid[]; modSeq: ModSeq }
  | { kind: 'expunged'; mailboxId: MailboxId; uids: Uid[]; modSeq: ModSeq }
  | { kind: 'mailboxes'; accountId: AccountId }; // created, renamed or deleted

export interface ChangeFeed {
  /** Published by the backend after the change is committed. In-process for SQLite; LISTEN/NOTIFY for PostgreSQL. */
  subscribe(listener: (change: MailboxChange) => void): () => void;
}

// ---------------------------------------------------------------- errors

export class StorageError extends Error {
  override name = 'StorageError';
}
export class NotFound extends StorageError {
  override name = 'NotFound';
}
export class AlreadyExists extends StorageError {
  override name = 'AlreadyExists';
}
export class NotEmpty extends StorageError {
  override name = 'NotEmpty';
}
/** The database is unreachable or failed: protocols answer with a temporary error (451 4.3.0, NO [UNAVAILABLE]). */
export class StorageUnavailable extends StorageError {
  override name = 'StorageUnavailable';
}
