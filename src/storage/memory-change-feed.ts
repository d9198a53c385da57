// The in-process change feed (DESIGN.md §3.5): backends publish after commit; IMAP sessions subscribe.
// A listener that throws must not affect the store operation (already committed) nor other listeners.

import type { ChangeFeed, MailboxChange } from './ports.ts';

export type ChangeListener = (change: MailboxChange) => void;

export class InProcessChangeFeed implements ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();
  readonly #onListenerError: (error: unknown, change: MailboxChange) => void;

  constructor(onListenerError: (error: unknown, change: MailboxChange) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  subscribe(listener: ChangeListener): () => void {
    // Wrapped so the same function may subscribe twice and unsubscribe each independently.
    const entry: ChangeListener = (change) => listener(change);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  publish(change: MailboxChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.#onListenerError(error, change);
      }
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
