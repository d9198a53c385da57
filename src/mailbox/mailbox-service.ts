// MailboxService: the account's mailbox tree in mail terms, over the storage port.
//
// Decisions (RFC 9051 leaves them to the server):
// - CREATE makes every missing superior name a real mailbox (§6.3.3 SHOULD).
// - DELETE of a mailbox that has inferiors removes the mailbox and its messages; the name stays visible as a
//   \Noselect parent for as long as inferiors exist (§6.3.4 example). Deleting such a name fails with
//   MailboxHasChildren; deleting INBOX is refused.
// - RENAME moves inferiors along (store.renameMailbox) and creates missing superiors of the new name; renaming
//   a \Noselect parent renames its inferiors. RENAME INBOX moves all INBOX messages into a new mailbox and
//   leaves INBOX (and its inferiors) in place (§6.3.6).
// - Subscriptions are kept by name; DELETE and RENAME do not change them (§6.3.7 allows either).

import {
  AlreadyExists,
  NotFound,
  type AccountId,
  type ChangeFeed,
  type Mailbox,
  type MailboxCounts,
  type MailStore,
  type SpecialUse,
} from '../storage/ports.ts';
import { MailboxHasChildren, MailboxNotSelectable, MailboxOperationRefused } from './errors.ts';
import { createName, INBOX, isInferior, parentNames, referenceName, validateNewName } from './names.ts';

export interface MailboxEntry {
  name: string;
  /** Null when the name exists only as the superior of other mailboxes (\Noselect, not selectable). */
  mailbox: Mailbox | null;
  hasChildren: boolean;
}

export class MailboxService {
  readonly store: MailStore;
  readonly changes: ChangeFeed;

  constructor(store: MailStore, changes: ChangeFeed) {
    this.store = store;
    this.changes = changes;
  }

  /** Every mailbox of the account and every implied superior name, sorted by name (INBOX first). */
  async tree(accountId: AccountId): Promise<MailboxEntry[]> {
    const mailboxes = await this.store.listMailboxes(accountId);
    const byName = new Map<string, MailboxEntry>();
    for (const mailbox of mailboxes)
      byName.set(mailbox.name, { name: mailbox.name, mailbox, hasChildren: false });
    for (const mailbox of mailboxes) {
      for (const parent of parentNames(mailbox.name)) {
        const entry = byName.get(parent);
        if (entry) entry.hasChildren = true;
        else byName.set(parent, { name: parent, mailbox: null, hasChildren: true });
      }
    }
    return [...byName.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  /** The selectable mailbox with this name; NotFound, or MailboxNotSelectable for a bare parent name. */
  async get(accountId: AccountId, name: string): Promise<Mailbox> {
    const canonical = referenceName(name);
    const mailbox = await this.store.getMailbox(accountId, canonical);
    if (mailbox) return mailbox;
    if (await this.#hasInferiors(accountId, canonical)) {
      throw new MailboxNotSelectable(`${canonical} has no messages of its own (\\Noselect)`);
    }
    throw new NotFound(`no mailbox ${canonical}`);
  }

  async find(accountId: AccountId, name: string): Promise<Mailbox | null> {
    return this.store.getMailbox(accountId, referenceName(name));
  }

  async counts(mailbox: Mailbox): Promise<MailboxCounts> {
    return this.store.counts(mailbox.id);
  }

  /** RFC 9051 §6.3.3 (with RFC 6154 §3 USE): creates missing superiors too. Throws AlreadyExists. */
  async create(accountId: AccountId, name: string, specialUse: SpecialUse | null = null): Promise<Mailbox> {
    const canonical = createName(name);
    await this.#createParents(accountId, canonical);
    return this.store.createMailbox(accountId, canonical, specialUse);
  }

  /** RFC 9051 §6.3.4. */
  async delete(accountId: AccountId, name: string): Promise<void> {
    const canonical = referenceName(name);
    if (canonical === INBOX) throw new MailboxOperationRefused('INBOX cannot be deleted');
    const mailbox = await this.store.getMailbox(accountId, canonical);
    if (!mailbox) {
      if (await this.#hasInferiors(accountId, canonical)) {
        throw new MailboxHasChildren(`${canonical} has inferior hierarchical names`);
      }
      throw new NotFound(`no mailbox ${canonical}`);
    }
    await this.store.deleteMailbox(accountId, canonical);
  }

  /** RFC 9051 §6.3.6. Throws NotFound, AlreadyExists, MailboxOperationRefused. */
  async rename(accountId: AccountId, from: string, to: string): Promise<void> {
    const source = referenceName(from);
    const target = validateNewName(to);
    if (target === INBOX || target === source || (await this.store.getMailbox(accountId, target))) {
      throw new AlreadyExists(`${target} already exists`);
    }
    if (isInferior(target, source))
      throw new MailboxOperationRefused('a mailbox cannot be moved below itself');
    if (source === INBOX) return this.#renameInbox(accountId, target);

    const all = await this.store.listMailboxes(accountId);
    const exists = all.some((m) => m.name === source);
    const inferiors = all.filter((m) => isInferior(m.name, source));
    if (!exists && inferiors.length === 0) throw new NotFound(`no mailbox ${source}`);
    await this.#createParents(accountId, target);
    if (exists) {
      await this.store.renameMailbox(accountId, source, target);
      return;
    }
    // A bare parent name: rename its topmost real inferiors (each takes its own inferiors along).
    const names = inferiors.map((m) => m.name).sort();
    const topmost = names.filter((n) => !names.some((other) => isInferior(n, other)));
    for (const name of topmost) {
      await this.store.renameMailbox(accountId, name, target + name.slice(source.length));
    }
  }

  async subscribe(accountId: AccountId, name: string, subscribed: boolean): Promise<void> {
    const canonical = referenceName(name);
    // RFC 9051 §6.3.7: SUBSCRIBE of a name that does not exist may fail; we require the mailbox.
    if (subscribed && !(await this.store.getMailbox(accountId, canonical))) {
      if (!(await this.#hasInferiors(accountId, canonical))) throw new NotFound(`no mailbox ${canonical}`);
    }
    await this.store.setSubscribed(accountId, canonical, subscribed);
  }

  async subscriptions(accountId: AccountId): Promise<Set<string>> {
    return new Set(await this.store.listSubscriptions(accountId));
  }

  async #renameInbox(accountId: AccountId, target: string): Promise<void> {
    const inbox = await this.store.getMailbox(accountId, INBOX);
    if (!inbox) throw new NotFound('no INBOX');
    await this.#createParents(accountId, target);
    const created = await this.store.createMailbox(accountId, target, null);
    const uids = (await this.store.listMessages(inbox.id)).map((m) => m.uid);
    if (uids.length > 0) await this.store.move(inbox.id, uids, created.id);
  }

  async #createParents(accountId: AccountId, name: string): Promise<void> {
    for (const parent of parentNames(name)) {
      if (await this.store.getMailbox(accountId, parent)) continue;
      try {
        await this.store.createMailbox(accountId, parent, null);
      } catch (error) {
        // Created meanwhile by another session: fine.
        if (!(await this.store.getMailbox(accountId, parent))) throw error;
      }
    }
  }

  async #hasInferiors(accountId: AccountId, name: string): Promise<boolean> {
    const all = await this.store.listMailboxes(accountId);
    return all.some((m) => isInferior(m.name, name));
  }
}

/** INBOX first, then by code point with "/" sorting before any other character (parents before children). */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  if (a === INBOX || a.startsWith(INBOX + '/')) {
    if (!(b === INBOX || b.startsWith(INBOX + '/'))) return -1;
  } else if (b === INBOX || b.startsWith(INBOX + '/')) return 1;
  const ka = a.replaceAll('/', '\u0000');
  const kb = b.replaceAll('/', '\u0000');
  return ka < kb ? -1 : 1;
}
