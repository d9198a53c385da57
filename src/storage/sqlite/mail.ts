// MailStore over SQLite: the port's methods, each one transaction (see mailboxes.ts, messages.ts, blobs.ts).

import type { ParsedMessage } from '../../message/types.ts';
import type {
  AccountId,
  AppendResult,
  BlobId,
  ChangesSince,
  CopyResult,
  DeliveryTarget,
  FlagUpdate,
  FlagUpdateResult,
  MailStore,
  Mailbox,
  MailboxCounts,
  MailboxId,
  MessageRecord,
  ModSeq,
  NewMessage,
  SpecialUse,
  StoredBlob,
  Uid,
} from '../ports.ts';
import * as blobs from './blobs.ts';
import type { SqliteContext } from './context.ts';
import * as mailboxes from './mailboxes.ts';
import * as messages from './messages.ts';

export class SqliteMailStore implements MailStore {
  readonly #ctx: SqliteContext;

  constructor(ctx: SqliteContext) {
    this.#ctx = ctx;
  }

  async putBlob(bytes: Buffer, parsed: ParsedMessage): Promise<BlobId> {
    return blobs.putBlob(this.#ctx, bytes, parsed);
  }
  async getBlobBytes(id: BlobId): Promise<Buffer> {
    return blobs.getBlobBytes(this.#ctx, id);
  }
  async getBlob(id: BlobId): Promise<StoredBlob> {
    return blobs.getBlob(this.#ctx, id);
  }
  async getBlobs(ids: BlobId[]): Promise<Map<BlobId, StoredBlob>> {
    return blobs.getBlobs(this.#ctx, ids);
  }

  async createMailbox(
    accountId: AccountId,
    name: string,
    specialUse: SpecialUse | null = null,
  ): Promise<Mailbox> {
    return mailboxes.createMailbox(this.#ctx, accountId, name, specialUse);
  }
  async getMailbox(accountId: AccountId, name: string): Promise<Mailbox | null> {
    return mailboxes.getMailbox(this.#ctx, accountId, name);
  }
  async getMailboxById(id: MailboxId): Promise<Mailbox | null> {
    return mailboxes.getMailboxById(this.#ctx, id);
  }
  async listMailboxes(accountId: AccountId): Promise<Mailbox[]> {
    return mailboxes.listMailboxes(this.#ctx, accountId);
  }
  async renameMailbox(accountId: AccountId, from: string, to: string): Promise<void> {
    mailboxes.renameMailbox(this.#ctx, accountId, from, to);
  }
  async deleteMailbox(accountId: AccountId, name: string): Promise<void> {
    mailboxes.deleteMailbox(this.#ctx, accountId, name);
  }
  async counts(mailboxId: MailboxId): Promise<MailboxCounts> {
    return mailboxes.counts(this.#ctx, mailboxId);
  }
  async setSubscribed(accountId: AccountId, name: string, subscribed: boolean): Promise<void> {
    mailboxes.setSubscribed(this.#ctx, accountId, name, subscribed);
  }
  async listSubscriptions(accountId: AccountId): Promise<string[]> {
    return mailboxes.listSubscriptions(this.#ctx, accountId);
  }

  async append(mailboxId: MailboxId, newMessages: NewMessage[]): Promise<AppendResult[]> {
    return messages.append(this.#ctx, mailboxId, newMessages);
  }
  async deliver(
    target: DeliveryTarget,
    message: NewMessage,
  ): Promise<AppendResult & { mailboxId: MailboxId }> {
    return messages.deliver(this.#ctx, target, message);
  }
  async listMessages(mailboxId: MailboxId): Promise<MessageRecord[]> {
    return messages.listMessages(this.#ctx, mailboxId);
  }
  async getMessages(mailboxId: MailboxId, uids: Uid[]): Promise<MessageRecord[]> {
    return messages.getMessages(this.#ctx, mailboxId, uids);
  }
  async updateFlags(mailboxId: MailboxId, uids: Uid[], update: FlagUpdate): Promise<FlagUpdateResult> {
    return messages.updateFlags(this.#ctx, mailboxId, uids, update);
  }
  async expunge(mailboxId: MailboxId, uids: Uid[]): Promise<{ expunged: Uid[]; modSeq: ModSeq }> {
    return messages.expunge(this.#ctx, mailboxId, uids);
  }
  async copy(from: MailboxId, uids: Uid[], to: MailboxId): Promise<CopyResult> {
    return messages.copy(this.#ctx, from, uids, to);
  }
  async move(from: MailboxId, uids: Uid[], to: MailboxId): Promise<CopyResult & { modSeq: ModSeq }> {
    return messages.move(this.#ctx, from, uids, to);
  }
  async changesSince(mailboxId: MailboxId, modSeq: ModSeq): Promise<ChangesSince> {
    return messages.changesSince(this.#ctx, mailboxId, modSeq);
  }
}
