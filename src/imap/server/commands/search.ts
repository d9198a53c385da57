// SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH RETURN options (RFC 4731), SAVE/`$` (RFC 5182) and
// MODSEQ (RFC 7162 §3.1.5). IMAP4rev1 clients get `* SEARCH`; IMAP4rev2 clients and RETURN get `* ESEARCH`.

import type { BlobId, StoredBlob } from '../../../storage/ports.ts';
import { esearchResponse, searchResponse } from '../../wire/untagged.ts';
import type { CommandOf } from '../command-table.ts';
import { ok, type Completion } from '../reply.ts';
import { compileSearch, searchNeeds, type SearchMessage } from '../search/evaluate.ts';
import { searchableText } from '../search/text.ts';
import type { ImapSession } from '../session.ts';
import { selectedOf } from './selected.ts';

const BATCH = 500;

export async function search(s: ImapSession, c: CommandOf<'SEARCH'>, tag: string): Promise<Completion> {
  const selected = selectedOf(s);
  const needs = searchNeeds(c.criteria);
  if (needs.modSeq) s.enabled.add('CONDSTORE');
  const save = c.return?.save ?? false;
  if (save) s.savedSearch = []; // RFC 5182 §2.1: a failing SEARCH leaves $ empty
  const predicate = compileSearch(c.criteria, {
    exists: selected.exists,
    maxUid: selected.maxUid ?? 0,
    saved: new Set(s.savedSearch),
    now: s.ctx.clock.now(),
  });
  const records = await selected.records(selected.uids);
  const matched: Array<{ seq: number; uid: number; modSeq: number }> = [];
  // Records and snapshot are both in ascending UID order: one walk finds every sequence number.
  const view = selected.uids;
  let at = 0;
  for (let start = 0; start < records.length; start += BATCH) {
    const batch = records.slice(start, start + BATCH);
    const blobs = needs.parsed
      ? await s.ctx.mail.getBlobs(batch.map((r) => r.blobId))
      : new Map<BlobId, StoredBlob>();
    for (const record of batch) {
      while (at < view.length && view[at]! < record.uid) at++;
      if (view[at] !== record.uid) continue;
      const seq = at + 1;
      const parsed = blobs.get(record.blobId)?.parsed ?? null;
      const message: SearchMessage = { seq, record, parsed, text: null };
      if (needs.text && parsed)
        message.text = searchableText(await s.ctx.mail.getBlobBytes(record.blobId), parsed);
      if (predicate(message)) matched.push({ seq, uid: record.uid, modSeq: record.modSeq });
    }
  }
  const numbers = matched.map((m) => (c.uid ? m.uid : m.seq));
  const modSeq = needs.modSeq && matched.length > 0 ? Math.max(...matched.map((m) => m.modSeq)) : null;

  const r = c.return;
  if (r && r.save) {
    // RFC 5182 §2.4: with MIN/MAX but neither ALL nor COUNT, only those are saved.
    const onlyEnds = (r.min || r.max) && !r.all && !r.count;
    const uids = matched.map((m) => m.uid);
    s.savedSearch = onlyEnds
      ? [
          ...new Set([
            ...(r.min && uids.length ? [uids[0]!] : []),
            ...(r.max && uids.length ? [uids.at(-1)!] : []),
          ]),
        ]
      : uids;
  }
  if (r === null && !s.rev2) {
    s.write(searchResponse(numbers, modSeq));
  } else if (r === null || r.min || r.max || r.all || r.count) {
    const all = r === null || r.all;
    s.write(
      esearchResponse({
        tag,
        uid: c.uid,
        min: r?.min && numbers.length > 0 ? numbers[0]! : null,
        max: r?.max && numbers.length > 0 ? numbers.at(-1)! : null,
        all: all ? numbers : null,
        count: r?.count ? numbers.length : null,
        modSeq,
      }),
    );
  }
  return ok(`${c.uid ? 'UID SEARCH' : 'SEARCH'} completed`);
}
