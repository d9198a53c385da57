// Shared pieces of the storage contract suite: the factory shape every backend provides and fixtures.

import type { Account, AppendResult, BlobId, Mailbox, MailboxId, Store } from '../../src/storage/ports.ts';
import { messageBytes, stubParsed } from './parsed-stub.ts';

export interface StoreHarness {
  store: Store;
  /** Opens another Store on the same data (the previous one may be open or closed). */
  reopen: () => Promise<Store>;
  /** Closes every store this harness opened and removes the data. */
  cleanup: () => Promise<void>;
}

export type StoreFactory = () => Promise<StoreHarness>;

/** Wraps a test body with a fresh store and its cleanup. */
export function withStore(factory: StoreFactory) {
  return (body: (harness: StoreHarness) => Promise<void>) => async () => {
    const harness = await factory();
    try {
      await body(harness);
    } finally {
      await harness.cleanup();
    }
  };
}

export const STUB_HASH = '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA';

export async function newAccount(store: Store, address = 'alice@crepes.fr'): Promise<Account> {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (!(await store.accounts.getDomain(domain))) await store.accounts.addDomain(domain);
  return store.accounts.addAccount(address, STUB_HASH);
}

export async function mailbox(store: Store, account: Account, name = 'INBOX'): Promise<Mailbox> {
  const found = await store.mail.getMailbox(account.id, name);
  return found ?? store.mail.createMailbox(account.id, name);
}

export async function putMessage(store: Store, text?: string): Promise<BlobId> {
  const bytes = messageBytes(text);
  return store.mail.putBlob(bytes, stubParsed(bytes, text ?? 'test'));
}

export async function appendMessages(
  store: Store,
  mailboxId: MailboxId,
  count: number,
  flags: string[] = [],
): Promise<AppendResult[]> {
  const messages = [];
  for (let i = 0; i < count; i++) {
    messages.push({
      blobId: await putMessage(store),
      flags,
      internalDate: new Date(Date.UTC(2024, 0, 1, 0, i)),
    });
  }
  return store.mail.append(mailboxId, messages);
}

/** Resolves with the error a promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
