// Loads the same messages into Posthorn's store (through the store API, in batches, before the server starts)
// and into Dovecot's Maildir (files written directly, UIDs fixed by dovecot-uidlist), so both servers hold the
// same mailboxes with the same UIDs and flags.
//
// Posthorn's loader connection runs with synchronous = OFF and large transactions: this is preparation, not
// measurement; the server that is measured opens its own connection with synchronous = FULL.

import { parseMessage } from '../../src/message/parse.ts';
import type { AccountId, BlobId, MailboxId } from '../../src/storage/ports.ts';
import type { SqliteStore } from '../../src/storage/sqlite/store.ts';
import { corpusFlags, corpusMessage, type CorpusOptions } from './corpus.ts';
import { maildirWriter, type DovecotInstance } from './dovecot.ts';

export interface FolderPlan {
  name: string;
  /** Messages 0..count-1 of the corpus; the first folder of the plan writes them, later ones reuse them. */
  count: number;
}

const BATCH = 500;

export async function loadMailboxes(
  store: SqliteStore,
  accountId: AccountId,
  dovecot: DovecotInstance | null,
  plan: FolderPlan[],
  corpus: CorpusOptions = {},
  progress?: (done: number, total: number) => void,
): Promise<{ bytes: number }> {
  const db = store.database;
  db.exec('PRAGMA synchronous = OFF');
  const mail = store.mail;
  const need = Math.max(...plan.map((f) => f.count));
  const blobIds: BlobId[] = [];
  const fileNames: string[] = [];
  let bytes = 0;
  const [first, ...rest] = plan;
  if (!first) return { bytes };
  const firstBox = await mailboxId(store, accountId, first.name);
  const firstDir = dovecot ? maildirWriter(dovecot, first.name) : null;
  for (let start = 0; start < need; start += BATCH) {
    const end = Math.min(need, start + BATCH);
    const pending: Array<Promise<BlobId>> = [];
    const flags: string[][] = [];
    db.write(() => {
      for (let i = start; i < end; i++) {
        const message = corpusMessage(i, corpus);
        bytes += message.length;
        // putBlob runs synchronously inside this transaction (the SQLite store's async methods do not await).
        pending.push(mail.putBlob(message, parseMessage(message)));
        flags.push(corpusFlags(i));
        if (firstDir && i < first.count) {
          fileNames.push(firstDir.add({ bytes: message, flags: corpusFlags(i), time: 1_700_000_000 + i }));
        }
      }
    });
    const ids = await Promise.all(pending);
    blobIds.push(...ids);
    const upTo = Math.min(end, first.count);
    if (start < upTo) {
      await mail.append(
        firstBox,
        ids.slice(0, upTo - start).map((blobId, k) => ({
          blobId,
          flags: flags[k]!,
          internalDate: new Date(Date.UTC(2025, 0, 1) + (start + k) * 60_000),
        })),
      );
    }
    progress?.(end, need);
  }
  firstDir?.finish();
  for (const folder of rest) {
    const box = await mailboxId(store, accountId, folder.name);
    const dir = dovecot ? maildirWriter(dovecot, folder.name) : null;
    for (let start = 0; start < folder.count; start += 5000) {
      const end = Math.min(folder.count, start + 5000);
      await mail.append(
        box,
        blobIds.slice(start, end).map((blobId, k) => ({
          blobId,
          flags: corpusFlags(start + k),
          internalDate: new Date(Date.UTC(2025, 0, 1) + (start + k) * 60_000),
        })),
      );
      if (dir) for (let i = start; i < end; i++) dir.link(first.name, fileNames[i]!);
    }
    dir?.finish();
  }
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.exec('PRAGMA synchronous = FULL');
  return { bytes };
}

async function mailboxId(store: SqliteStore, accountId: AccountId, name: string): Promise<MailboxId> {
  const existing = await store.mail.getMailbox(accountId, name);
  return (existing ?? (await store.mail.createMailbox(accountId, name))).id;
}
