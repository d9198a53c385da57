// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9) with CONDSTORE CHANGEDSINCE/MODSEQ and QRESYNC VANISHED
// (RFC 7162 §3.1.4, §3.2.6). Rendering is in fetch/render.ts; this loads data in batches and sets \Seen.

import type { BlobId, StoredBlob, Uid } from '../../../storage/ports.ts';
import type { FetchAttribute } from '../../wire/command-types.ts';
import { formatSequenceSet, rangesContain, toRanges } from '../../wire/sequence-set.ts';
import type { CommandOf } from '../command-table.ts';
import { isSimple, needsParsed, renderFetch, renderSimpleFetch, setsSeen } from '../fetch/render.ts';
import { UnknownTransferEncoding } from '../fetch/sections.ts';
import { OutputBatch } from '../output-batch.ts';
import { bad, no, ok, type Completion } from '../reply.ts';
import type { ImapSession } from '../session.ts';
import { selectedOf } from './selected.ts';
import { targetUids } from './targets.ts';

const BATCH = 200;
const OUTPUT_CHUNK = 64 * 1024;
const WRITE_SLICE = 256 * 1024;

export async function fetch(s: ImapSession, c: CommandOf<'FETCH'>): Promise<Completion> {
  const selected = selectedOf(s);
  if (c.changedSince !== null || c.attributes.some((a) => a.kind === 'MODSEQ')) s.enabled.add('CONDSTORE');
  if (c.vanished && !s.qresync) throw bad('VANISHED needs ENABLE QRESYNC');
  const uids = targetUids(s, selected, c.set, c.uid);
  const attributes: FetchAttribute[] = [...c.attributes];
  // RFC 9051 §6.4.9: UID FETCH responses always carry the UID.
  if (c.uid && !attributes.some((a) => a.kind === 'UID')) attributes.unshift({ kind: 'UID' });

  if (c.vanished && c.changedSince !== null && c.set.kind === 'ranges') {
    const changes = await s.ctx.mail.changesSince(selected.mailbox.id, c.changedSince);
    const ranges = toRanges(c.set, Math.max(selected.mailbox.uidNext, (selected.maxUid ?? 0) + 1));
    const vanished = changes.vanished.filter((uid) => rangesContain(ranges, uid));
    if (vanished.length > 0) s.untagged(`VANISHED (EARLIER) ${formatSequenceSet(vanished)}`);
  }

  let records = await selected.records(uids);
  if (c.changedSince !== null) records = records.filter((r) => r.modSeq > c.changedSince!);

  // RFC 9051 §6.4.5: fetching a body section without .PEEK sets \Seen; the changed FLAGS are returned too.
  const flagsChanged = new Set<Uid>();
  if (!selected.readOnly && attributes.some(setsSeen)) {
    const unseen = records.filter((r) => !r.flags.includes('\\Seen')).map((r) => r.uid);
    if (unseen.length > 0) {
      const result = await s.ctx.mail.updateFlags(selected.mailbox.id, unseen, {
        op: 'add',
        flags: ['\\Seen'],
      });
      selected.noteReported(result.updated);
      const updated = new Map(result.updated.map((r) => [r.uid, r]));
      records = records.map((r) => updated.get(r.uid) ?? r);
      for (const uid of updated.keys()) flagsChanged.add(uid);
    }
  }
  const withFlags = attributes.some((a) => a.kind === 'FLAGS')
    ? attributes
    : [...attributes, { kind: 'FLAGS' as const }];
  const wantParsed = attributes.some(needsParsed);
  const simple = isSimple(withFlags);
  const out = new OutputBatch(OUTPUT_CHUNK);
  const flush = async (force: boolean) => {
    if (out.size === 0 || (!force && out.size < OUTPUT_CHUNK)) return;
    for (const piece of out.take()) {
      // A large literal leaves in slices with a wait for the reader between them: the slow-reader limit
      // (imap.max_output_buffer) counts unsent octets, and a message may be larger than it.
      for (let at = 0; at < piece.length; at += WRITE_SLICE) {
        s.write(piece.length <= WRITE_SLICE ? piece : piece.subarray(at, at + WRITE_SLICE));
        await s.flow();
      }
    }
  };
  // Records and snapshot are both in ascending UID order: one walk finds every sequence number.
  const view = selected.uids;
  let at = 0;
  try {
    for (let start = 0; start < records.length; start += BATCH) {
      const batch = records.slice(start, start + BATCH);
      const blobs = wantParsed
        ? await s.ctx.mail.getBlobs(batch.map((r) => r.blobId))
        : new Map<BlobId, StoredBlob>();
      for (const record of batch) {
        while (at < view.length && view[at]! < record.uid) at++;
        if (view[at] !== record.uid) continue;
        const seq = at + 1;
        const items = flagsChanged.has(record.uid) ? withFlags : attributes;
        if (simple) {
          out.text(renderSimpleFetch(items, seq, record));
        } else {
          const chunks = await renderFetch(
            items,
            {
              seq,
              record,
              parsed: async () =>
                (blobs.get(record.blobId) ?? (await s.ctx.mail.getBlob(record.blobId))).parsed,
              bytes: memo(() => s.ctx.mail.getBlobBytes(record.blobId)),
            },
            { utf8: s.utf8 },
          );
          for (const chunk of chunks) out.add(chunk);
        }
        await flush(false);
      }
    }
  } catch (error) {
    await flush(true);
    if (error instanceof UnknownTransferEncoding) {
      throw no(`Unknown Content-Transfer-Encoding ${error.message}`, 'UNKNOWN-CTE');
    }
    throw error;
  }
  await flush(true);
  // RFC 9051 §7.1: messages of the session's view that another session expunged meanwhile are skipped.
  const expunged = c.changedSince === null && records.length < uids.length;
  return ok(`${c.uid ? 'UID FETCH' : 'FETCH'} completed`, expunged ? 'EXPUNGEISSUED' : null);
}

function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => (value ??= load());
}
