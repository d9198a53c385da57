// SelectedMailbox: one session's view of its selected mailbox (RFC 9051 §2.3.1.2, §5.5, §7.5).
//
// Invariants:
// - `uids` is the session's snapshot, strictly ascending; message sequence number = index + 1. It changes only
//   in sync(), so sequence numbers stay stable while a command runs.
// - Changes from other sessions (and our own, reported via applyLocal) wait in pending sets until the session
//   reaches a point where it may announce them. Expunges wait longer: never during FETCH, STORE or SEARCH by
//   sequence number (§7.5.1), so the caller says whether they may be applied.
// - A message appended and expunged before being announced is never announced at all.
// - Flag changes already shown to this session (its own STORE) are not repeated: `reported` keeps the modseq
//   last shown per UID.

import type {
  ChangeFeed,
  Mailbox,
  MailboxChange,
  MailStore,
  MessageRecord,
  ModSeq,
  Uid,
} from '../storage/ports.ts';
import { RecordCache } from './record-cache.ts';

export type SeqNum = number & { readonly __brand: 'SeqNum' };

export interface ViewUpdate {
  /** In the order to announce, with the sequence number each has at its EXPUNGE (ascending, already shifted). */
  expunged: Array<{ seq: SeqNum; uid: Uid }>;
  /** The new message count, when messages were added. */
  exists: number | null;
  /** Messages whose flags changed, ascending sequence number. */
  flags: Array<{ seq: SeqNum; record: MessageRecord }>;
  /** The mailbox was deleted (the session ends). */
  gone: boolean;
}

export class SelectedMailbox {
  readonly mailbox: Mailbox;
  readonly readOnly: boolean;
  readonly keywords: Set<string>;
  readonly #store: MailStore;
  #keywordsChanged = false;
  #uids: Uid[];
  readonly #reported = new Map<Uid, ModSeq>();
  #added = new Set<Uid>();
  #expunged = new Set<Uid>();
  #flagged = new Set<Uid>();
  #checkGone = false;
  #unsubscribe: () => void;
  readonly #cache: RecordCache;
  #onPending: (() => void) | null = null;
  #syncing: Promise<unknown> = Promise.resolve();

  private constructor(
    store: MailStore,
    mailbox: Mailbox,
    readOnly: boolean,
    unsubscribe: () => void,
    records: readonly MessageRecord[],
  ) {
    this.#store = store;
    this.mailbox = mailbox;
    this.readOnly = readOnly;
    this.#uids = records.map((r) => r.uid);
    this.keywords = new Set();
    this.#unsubscribe = unsubscribe;
    this.#cache = new RecordCache(store, mailbox.id, records, mailbox.highestModSeq);
  }

  /**
   * Subscribes to the change feed first, then reads the messages, so nothing falls between the two.
   * `mailbox` must have been read before (its HIGHESTMODSEQ is where the kept records start to follow changes).
   */
  static async open(
    store: MailStore,
    changes: ChangeFeed,
    mailbox: Mailbox,
    readOnly: boolean,
  ): Promise<{ selected: SelectedMailbox; records: MessageRecord[] }> {
    let view: SelectedMailbox | null = null;
    const early: MailboxChange[] = [];
    const unsubscribe = changes.subscribe((change) => (view ? view.#onChange(change) : early.push(change)));
    try {
      const records = await store.listMessages(mailbox.id);
      view = new SelectedMailbox(store, mailbox, readOnly, unsubscribe, records);
      for (const record of records) view.#noteKeywords(record.flags);
      view.#keywordsChanged = false;
      for (const change of early) view.#onChange(change);
      return { selected: view, records };
    } catch (error) {
      unsubscribe();
      throw error;
    }
  }

  close(): void {
    this.#unsubscribe();
    this.#onPending = null;
  }

  /** Called (once per burst) when changes are waiting; IDLE uses it to announce them at once. */
  onPending(callback: (() => void) | null): void {
    this.#onPending = callback;
    if (callback && this.hasPending) callback();
  }

  get hasPending(): boolean {
    return this.#added.size > 0 || this.#expunged.size > 0 || this.#flagged.size > 0 || this.#checkGone;
  }

  get exists(): number {
    return this.#uids.length;
  }

  /** The snapshot's UIDs, ascending (do not modify). */
  get uids(): readonly Uid[] {
    return this.#uids;
  }

  uidAt(seq: number): Uid {
    const uid = this.#uids[seq - 1];
    if (uid === undefined) throw new RangeError(`no message ${seq}`);
    return uid;
  }

  /** Binary search: the sequence number of a UID in the snapshot, or null. */
  seqOf(uid: number): SeqNum | null {
    const index = this.#indexOf(uid);
    return index < 0 ? null : ((index + 1) as SeqNum);
  }

  get maxUid(): Uid | null {
    return this.#uids.at(-1) ?? null;
  }

  /**
   * The records of these UIDs (ascending) as stored now, ascending UID; messages expunged meanwhile are left
   * out. Kept in memory since SELECT and brought up to date with one changesSince query (RecordCache).
   */
  records(uids: readonly Uid[]): Promise<MessageRecord[]> {
    return this.#cache.records(uids);
  }

  /** Records that the session itself has shown these flag states (no repeat when the feed reports them). */
  noteReported(records: readonly MessageRecord[]): void {
    for (const record of records) {
      const known = this.#reported.get(record.uid);
      if (known === undefined || known < record.modSeq) this.#reported.set(record.uid, record.modSeq);
      this.#noteKeywords(record.flags);
    }
  }

  /** A change this session made itself: applied like a feed event, also when the feed reports it later. */
  applyLocal(change: MailboxChange): void {
    this.#onChange(change);
  }

  /**
   * Applies pending changes to the snapshot and returns what the session must announce. With
   * `expunges: false` (FETCH/STORE/SEARCH by sequence number) expunges stay pending.
   */
  sync(options: { expunges: boolean }): Promise<ViewUpdate> {
    const run = this.#syncing.then(() => this.#sync(options.expunges));
    this.#syncing = run.catch(() => {});
    return run;
  }

  async #sync(expunges: boolean): Promise<ViewUpdate> {
    const update: ViewUpdate = { expunged: [], exists: null, flags: [], gone: false };
    if (this.#checkGone) {
      this.#checkGone = false;
      if (!(await this.#store.getMailboxById(this.mailbox.id))) {
        update.gone = true;
        return update;
      }
    }
    if (expunges && this.#expunged.size > 0) {
      const gone = this.#expunged;
      this.#expunged = new Set();
      const kept: Uid[] = [];
      for (let i = 0; i < this.#uids.length; i++) {
        const uid = this.#uids[i]!;
        if (gone.has(uid)) {
          update.expunged.push({ seq: (i + 1 - update.expunged.length) as SeqNum, uid });
          this.#reported.delete(uid);
        } else kept.push(uid);
      }
      this.#uids = kept;
    }
    if (this.#added.size > 0) {
      const added = [...this.#added].sort((a, b) => a - b);
      this.#added = new Set();
      const last = this.maxUid ?? 0;
      if (added[0]! > last) this.#uids.push(...added);
      else this.#uids = [...this.#uids, ...added].sort((a, b) => a - b);
      update.exists = this.#uids.length;
    }
    if (this.#flagged.size > 0) {
      const uids = [...this.#flagged].filter((uid) => !this.#expunged.has(uid) && this.#indexOf(uid) >= 0);
      this.#flagged = new Set();
      if (uids.length > 0) {
        uids.sort((a, b) => a - b);
        let records: MessageRecord[];
        try {
          records = await this.#cache.records(uids);
        } catch (error) {
          for (const uid of uids) this.#flagged.add(uid); // announce them next time
          throw error;
        }
        for (const record of records) {
          const known = this.#reported.get(record.uid);
          if (known !== undefined && known >= record.modSeq) continue;
          const seq = this.seqOf(record.uid);
          if (seq === null) continue; // expunged by a sync that ran meanwhile
          this.#reported.set(record.uid, record.modSeq);
          this.#noteKeywords(record.flags);
          update.flags.push({ seq, record });
        }
      }
    }
    return update;
  }

  #onChange(change: MailboxChange): void {
    if (change.kind === 'mailboxes') {
      if (change.accountId === this.mailbox.accountId) this.#checkGone = true;
    } else if (change.mailboxId === this.mailbox.id) {
      for (const uid of change.uids) {
        const inView = this.#indexOf(uid) >= 0;
        if (change.kind === 'added') {
          if (!inView) this.#added.add(uid);
        } else if (change.kind === 'expunged') {
          if (this.#added.delete(uid)) this.#flagged.delete(uid);
          else if (inView) {
            this.#expunged.add(uid);
            this.#flagged.delete(uid);
          }
        } else if (inView && !this.#expunged.has(uid)) {
          this.#flagged.add(uid);
        }
      }
    } else return;
    if (this.hasPending) this.#onPending?.();
  }

  #noteKeywords(flags: readonly string[]): void {
    for (const flag of flags) {
      if (flag.startsWith('\\') || this.keywords.has(flag)) continue;
      this.keywords.add(flag);
      this.#keywordsChanged = true;
    }
  }

  /** True once after keywords were first seen since the last call (the session sends FLAGS again). */
  takeKeywordsChanged(): boolean {
    const changed = this.#keywordsChanged;
    this.#keywordsChanged = false;
    return changed;
  }

  #indexOf(uid: number): number {
    const uids = this.#uids;
    let lo = 0;
    let hi = uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = uids[mid]!;
      if (value === uid) return mid;
      if (value < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
