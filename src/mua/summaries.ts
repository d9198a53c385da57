// Message summaries for `list`, `search` and `watch`: one FETCH of UID, FLAGS, ENVELOPE, RFC822.SIZE,
// INTERNALDATE and References per message, shaped for JSON (docs/mua.md) and for aligned columns.

import type { FetchMessageObject, ImapFlow, MessageAddressObject } from 'imapflow';
import type { EnvelopeAddress } from '../message/types.ts';
import { messageIds } from './compose/headers.ts';
import { displayAddressShort } from './output/display-address.ts';
import type { TableColumn } from './output/table.ts';

export interface JsonAddress {
  name: string | null;
  address: string;
}

export interface MessageSummary {
  uid: number;
  /** Date header (ISO 8601), or the arrival time when the header is missing or unreadable. */
  date: string | null;
  /** When the server received it (INTERNALDATE), ISO 8601. */
  received: string | null;
  from: JsonAddress[];
  to: JsonAddress[];
  cc: JsonAddress[];
  subject: string;
  flags: string[];
  size: number;
  messageId: string | null;
  inReplyTo: string | null;
  /** Part of a conversation: it answers another message (In-Reply-To or References). */
  isReply: boolean;
}

export function toEnvelopeAddress(a: JsonAddress): EnvelopeAddress {
  const at = a.address.lastIndexOf('@');
  return at < 0
    ? { name: a.name, adl: null, mailbox: a.address, host: '' }
    : { name: a.name, adl: null, mailbox: a.address.slice(0, at), host: a.address.slice(at + 1) };
}

function jsonAddresses(list: MessageAddressObject[] | undefined): JsonAddress[] {
  return (list ?? [])
    .filter((a) => a.address)
    .map((a) => ({ name: a.name && a.name !== '' ? a.name : null, address: a.address! }));
}

function isoOrNull(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export const SUMMARY_QUERY = {
  uid: true,
  flags: true,
  envelope: true,
  size: true,
  internalDate: true,
  headers: ['references'],
};

export function summarize(m: FetchMessageObject): MessageSummary {
  const env = m.envelope ?? {};
  const references = messageIds(m.headers?.toString('utf8').replace(/^references:/i, ''));
  const inReplyTo = messageIds(env.inReplyTo)[0] ?? null;
  const received = isoOrNull(m.internalDate);
  return {
    uid: m.uid,
    date: isoOrNull(env.date) ?? received,
    received,
    from: jsonAddresses(env.from),
    to: jsonAddresses(env.to),
    cc: jsonAddresses(env.cc),
    subject: env.subject ?? '',
    flags: [...(m.flags ?? [])].sort(),
    size: m.size ?? 0,
    messageId: messageIds(env.messageId)[0] ?? null,
    inReplyTo,
    isReply: inReplyTo !== null || references.length > 0,
  };
}

/** Summaries of the given UIDs, in the order of `uids`. */
export async function fetchSummaries(client: ImapFlow, uids: readonly number[]): Promise<MessageSummary[]> {
  if (uids.length === 0) return [];
  const byUid = new Map<number, MessageSummary>();
  for await (const m of client.fetch(uids.join(','), SUMMARY_QUERY, { uid: true }))
    byUid.set(m.uid, summarize(m));
  return uids.map((uid) => byUid.get(uid)).filter((s): s is MessageSummary => s !== undefined);
}

/** mutt's index flags: N new (unseen), ! flagged, r answered, f forwarded, D draft, d deleted. */
export function flagLetters(flags: readonly string[]): string {
  const has = (f: string) => flags.some((x) => x.toLowerCase() === f.toLowerCase());
  return [
    has('\\Seen') ? '' : 'N',
    has('\\Flagged') ? '!' : '',
    has('\\Answered') ? 'r' : '',
    has('$Forwarded') ? 'f' : '',
    has('\\Draft') ? 'D' : '',
    has('\\Deleted') ? 'd' : '',
  ].join('');
}

/** "2026-03-03 14:05" in local time: sortable, unambiguous, 16 columns. */
export function shortDate(iso: string | null): string {
  if (iso === null) return '';
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)}K`;
  return `${(bytes / 1024 / 1024).toFixed(1)}M`;
}

export const SUMMARY_COLUMNS: ReadonlyArray<TableColumn<MessageSummary>> = [
  { header: 'uid', value: (m) => String(m.uid), align: 'right', style: () => 'dim' },
  {
    header: 'flags',
    value: (m) => flagLetters(m.flags),
    style: (m) => (m.flags.includes('\\Seen') ? null : 'bold'),
  },
  { header: 'date', value: (m) => shortDate(m.date) },
  {
    header: 'from',
    value: (m) => displayAddressShort(m.from.map(toEnvelopeAddress)),
    flex: 1,
    min: 12,
    style: () => 'cyan',
  },
  // "↳" marks a message that answers another one (the thread indicator).
  {
    header: 'subject',
    value: (m) => `${m.isReply ? '↳ ' : ''}${m.subject}`,
    flex: 2,
    min: 10,
    style: (m) => (m.flags.includes('\\Seen') ? null : 'bold'),
  },
  { header: 'size', value: (m) => humanSize(m.size), align: 'right' },
];
