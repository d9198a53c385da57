// RecordCache: the message records of one selected mailbox, kept in memory as compact columns (typed arrays,
// 40 octets a message) and brought up to date before each use with what changed in the store since
// (MailStore.changesSince: one query on the modseq index, usually answering nothing). FETCH and SEARCH then
// read from the store only the rows that changed, not every row of the mailbox each time. RFC 7162's MODSEQ
// makes this exact: every append, flag change and expunge gets a modseq above the HIGHESTMODSEQ before it.
//
// Invariants:
// - Positions 0..count-1 of the columns hold the messages in strictly ascending UID order.
// - The columns are the store's state at some moment whose HIGHESTMODSEQ was >= `#modSeq`: only changes with a
//   modseq above `#modSeq` can be missing, and refresh() asks for exactly those.
// - Complete: a message of the mailbox that the columns do not hold does not exist (any more).
// - Refreshes run one after another, each applied whole, so an older answer never overwrites a newer one.
// - Records handed out share their flag list with other records of the same flags: never modify it.

import type {
  BlobId,
  ChangesSince,
  MailboxId,
  MailStore,
  MessageRecord,
  ModSeq,
  Uid,
} from '../storage/ports.ts';

export class RecordCache {
  readonly #store: MailStore;
  readonly #mailboxId: MailboxId;
  #modSeq: ModSeq;
  #count = 0;
  #uids: Uint32Array;
  #blobIds: Float64Array;
  /** Index into #flagSets. */
  #flags: Uint32Array;
  #dates: Float64Array;
  #sizes: Float64Array;
  #modSeqs: Float64Array;
  /** Each distinct flag list once (a mailbox has few), so a message costs a number, not an array. */
  readonly #flagSets: string[][] = [];
  readonly #flagSetIndex = new Map<string, number>();
  #lastFlagSet = 0;
  #refreshing: Promise<unknown> = Promise.resolve();

  /**
   * `records`: all messages of the mailbox, ascending UID, read in one snapshot; `modSeq`: a HIGHESTMODSEQ
   * read no later than that snapshot (the mailbox as read before listing its messages).
   */
  constructor(store: MailStore, mailboxId: MailboxId, records: readonly MessageRecord[], modSeq: ModSeq) {
    this.#store = store;
    this.#mailboxId = mailboxId;
    const capacity = Math.max(16, records.length);
    this.#uids = new Uint32Array(capacity);
    this.#blobIds = new Float64Array(capacity);
    this.#flags = new Uint32Array(capacity);
    this.#dates = new Float64Array(capacity);
    this.#sizes = new Float64Array(capacity);
    this.#modSeqs = new Float64Array(capacity);
    let newest = 0;
    for (const record of records) {
      this.#set(this.#count++, record);
      if (record.modSeq > newest) newest = record.modSeq;
    }
    // Should the HIGHESTMODSEQ given be from after the snapshot, the snapshot's own rows bound it.
    this.#modSeq = (records.length > 0 ? Math.min(modSeq, newest) : modSeq) as ModSeq;
  }

  /** Messages held. */
  get size(): number {
    return this.#count;
  }

  /**
   * The records of `uids` (ascending) as the store has them now, ascending UID; UIDs of messages that no
   * longer exist are left out. One changesSince query; the rest comes from memory.
   */
  async records(uids: readonly Uid[]): Promise<MessageRecord[]> {
    await this.refresh();
    const out: MessageRecord[] = [];
    const known = this.#uids;
    const count = this.#count;
    let j = 0;
    for (let i = 0; i < uids.length && j < count; i++) {
      const uid = uids[i]!;
      // Requests are mostly runs of neighbours: step a little, then search.
      for (let step = 0; step < 8 && j < count && known[j]! < uid; step++) j++;
      if (j < count && known[j]! < uid) j = this.#lowerBound(uid, j);
      if (j < count && known[j] === uid) out.push(this.#record(j));
    }
    return out;
  }

  /** Applies the store's changes since the known modseq (one query). */
  refresh(): Promise<void> {
    const run = this.#refreshing.then(async () => {
      this.#apply(await this.#store.changesSince(this.#mailboxId, this.#modSeq));
    });
    this.#refreshing = run.catch(() => {});
    return run;
  }

  #apply(changes: ChangesSince): void {
    if (changes.vanished.length > 0) this.#remove(new Set(changes.vanished));
    const added: MessageRecord[] = [];
    for (const record of changes.changed) {
      const j = this.#lowerBound(record.uid, 0);
      if (j < this.#count && this.#uids[j] === record.uid) this.#set(j, record);
      else added.push(record);
    }
    if (added.length > 0) {
      this.#reserve(this.#count + added.length);
      if (this.#count === 0 || added[0]!.uid > this.#uids[this.#count - 1]!) {
        for (const record of added) this.#set(this.#count++, record);
      } else {
        // Below the highest UID held: only after a gap (never in practice); rebuild in UID order.
        const all = [...this.#all(), ...added].sort((a, b) => a.uid - b.uid);
        this.#count = 0;
        for (const record of all) this.#set(this.#count++, record);
      }
    }
    if (changes.highestModSeq > this.#modSeq) this.#modSeq = changes.highestModSeq;
  }

  #record(i: number): MessageRecord {
    return new KeptRecord(
      this.#mailboxId,
      this.#uids[i]! as Uid,
      this.#blobIds[i]! as BlobId,
      this.#flagSets[this.#flags[i]!]!,
      this.#dates[i]!,
      this.#sizes[i]!,
      this.#modSeqs[i]! as ModSeq,
    );
  }

  #all(): MessageRecord[] {
    const out = new Array<MessageRecord>(this.#count);
    for (let i = 0; i < out.length; i++) out[i] = this.#record(i);
    return out;
  }

  #set(i: number, record: MessageRecord): void {
    this.#uids[i] = record.uid;
    this.#blobIds[i] = record.blobId;
    this.#flags[i] = this.#flagSet(record.flags);
    this.#dates[i] = record.internalDate.getTime();
    this.#sizes[i] = record.size;
    this.#modSeqs[i] = record.modSeq;
  }

  #remove(gone: Set<number>): void {
    let k = 0;
    for (let i = 0; i < this.#count; i++) {
      if (gone.has(this.#uids[i]!)) continue;
      if (k !== i) {
        this.#uids[k] = this.#uids[i]!;
        this.#blobIds[k] = this.#blobIds[i]!;
        this.#flags[k] = this.#flags[i]!;
        this.#dates[k] = this.#dates[i]!;
        this.#sizes[k] = this.#sizes[i]!;
        this.#modSeqs[k] = this.#modSeqs[i]!;
      }
      k++;
    }
    this.#count = k;
  }

  /** Room for `needed` messages (capacity doubles, so appends stay amortised O(1)). */
  #reserve(needed: number): void {
    if (needed <= this.#uids.length) return;
    const capacity = Math.max(needed, this.#uids.length * 2);
    const grow = <T extends Uint32Array | Float64Array>(column: T, make: (n: number) => T): T => {
      const bigger = make(capacity);
      bigger.set(column.subarray(0, this.#count));
      return bigger;
    };
    this.#uids = grow(this.#uids, (n) => new Uint32Array(n));
    this.#blobIds = grow(this.#blobIds, (n) => new Float64Array(n));
    this.#flags = grow(this.#flags, (n) => new Uint32Array(n));
    this.#dates = grow(this.#dates, (n) => new Float64Array(n));
    this.#sizes = grow(this.#sizes, (n) => new Float64Array(n));
    this.#modSeqs = grow(this.#modSeqs, (n) => new Float64Array(n));
  }

  #flagSet(flags: readonly string[]): number {
    // Neighbours mostly have the same flags: comparing a few short strings beats hashing a new key.
    const last = this.#flagSets[this.#lastFlagSet];
    if (last && last.length === flags.length && last.every((flag, i) => flag === flags[i])) {
      return this.#lastFlagSet;
    }
    this.#lastFlagSet = this.#flagSetIndexOf(flags);
    return this.#lastFlagSet;
  }

  #flagSetIndexOf(flags: readonly string[]): number {
    const key = flags.length === 0 ? '' : flags.length === 1 ? flags[0]! : flags.join(' ');
    let index = this.#flagSetIndex.get(key);
    if (index === undefined) {
      index = this.#flagSets.length;
      this.#flagSets.push([...flags]);
      this.#flagSetIndex.set(key, index);
    }
    return index;
  }

  /** The first position >= from whose UID is >= uid. */
  #lowerBound(uid: number, from: number): number {
    let lo = from;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#uids[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A record built from the columns; INTERNALDATE becomes a Date only when asked for (FETCH FLAGS never does). */
class KeptRecord implements MessageRecord {
  readonly mailboxId: MailboxId;
  readonly uid: Uid;
  readonly blobId: BlobId;
  readonly flags: string[];
  readonly size: number;
  readonly modSeq: ModSeq;
  readonly #time: number;

  constructor(
    mailboxId: MailboxId,
    uid: Uid,
    blobId: BlobId,
    flags: string[],
    time: number,
    size: number,
    modSeq: ModSeq,
  ) {
    this.mailboxId = mailboxId;
    this.uid = uid;
    this.blobId = blobId;
    this.flags = flags;
    this.#time = time;
    this.size = size;
    this.modSeq = modSeq;
  }

  get internalDate(): Date {
    return new Date(this.#time);
  }
}
