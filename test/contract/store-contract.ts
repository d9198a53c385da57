// The storage contract suite (DESIGN.md §3.4, §6.3): the behaviour every Store backend must show,
// run unchanged against each backend. A backend's test file calls runStoreContract with a factory.

import { describe } from 'node:test';
import { accountsContract } from './accounts-contract.ts';
import type { StoreFactory } from './harness.ts';
import { mailboxesContract } from './mailboxes-contract.ts';
import { messagesContract } from './messages-contract.ts';
import { oneTransactionStoreContract } from './one-transaction-store-contract.ts';
import { queueContract } from './queue-contract.ts';

export type { StoreFactory, StoreHarness } from './harness.ts';

export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    describe('domains, accounts, aliases', () => accountsContract(factory));
    describe('mailboxes and subscriptions', () => mailboxesContract(factory));
    describe('messages, flags, UIDs, MODSEQ', () => messagesContract(factory));
    describe('bodies stored with their message (append with bytes, deliver)', () =>
      oneTransactionStoreContract(factory));
    describe('outgoing queue', () => queueContract(factory));
  });
}
