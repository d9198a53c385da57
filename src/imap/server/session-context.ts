// What one IMAP session needs from the server around it. Built once per server (index.ts) or per test.

import type { Clock } from '../../app/context.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import type { MailboxService } from '../../mailbox/mailbox-service.ts';
import type { ParsedMessage } from '../../message/types.ts';
import type { Account, MailStore } from '../../storage/ports.ts';
import type * as tls from 'node:tls';

/** The part of AccountService the session uses (equal timing for unknown user and wrong password). */
export interface Authenticator {
  authenticate(address: string, password: string): Promise<Account | null>;
}

export interface SessionContext {
  config: Config;
  log: Logger;
  mail: MailStore;
  mailboxes: MailboxService;
  accounts: Authenticator;
  /** The TLS context for STARTTLS. */
  tls: tls.SecureContext | null;
  clock: Clock;
  /** Waits before answering a failed login (injected so tests need not wait). */
  sleep(ms: number): Promise<void>;
  /** The message parser (src/message/parse.ts) for APPEND. */
  parseMessage(bytes: Buffer): ParsedMessage;
}

/** Facts about one connection. */
export interface ConnectionFacts {
  id: string;
  /** STARTTLS is offered (a plain listener); false for implicit TLS. */
  starttls: boolean;
  /** The listener is loopback-only: plaintext LOGIN is allowed there. */
  loopback: boolean;
  remote: string;
}
