// Message rows as both backends select them (uid, blob_id, flags, internal date in ms, size, modseq, in that
// column order, as arrays: no per-row objects from the driver) turned into MessageRecords.

import { decodeFlags } from './flags.ts';
import type { BlobId, MailboxId, MessageRecord, ModSeq, Uid } from './ports.ts';

export function toRecords(mailboxId: MailboxId, rows: unknown[][]): MessageRecord[] {
  const records = new Array<MessageRecord>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    records[i] = {
      mailboxId,
      uid: row[0] as Uid,
      blobId: row[1] as BlobId,
      flags: decodeFlags(row[2] as string),
      internalDate: new Date(row[3] as number),
      size: row[4] as number,
      modSeq: row[5] as ModSeq,
    };
  }
  return records;
}
