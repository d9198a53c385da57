// The session state (RFC 9051 §3): a discriminated union carrying only what is valid in each state.

import type { SelectedMailbox } from '../../mailbox/selected-mailbox.ts';
import type { Account } from '../../storage/ports.ts';

export type SessionState =
  | { kind: 'notAuthenticated' }
  | { kind: 'authenticated'; account: Account }
  | { kind: 'selected'; account: Account; selected: SelectedMailbox }
  | { kind: 'logout' };

export type StateKind = SessionState['kind'];

export const ANY: readonly StateKind[] = ['notAuthenticated', 'authenticated', 'selected'];
export const NOT_AUTHENTICATED: readonly StateKind[] = ['notAuthenticated'];
export const AUTHENTICATED: readonly StateKind[] = ['authenticated', 'selected'];
export const SELECTED: readonly StateKind[] = ['selected'];
