// The FETCH response that reports a message's flags (unsolicited updates, STORE results, QRESYNC resync):
// `* seq FETCH (UID u FLAGS (...) [MODSEQ (m)])`. UID is always included (RFC 7162 §3.2.4 requires it once
// QRESYNC is enabled; RFC 9051 §7.5.2 allows it otherwise). MODSEQ once CONDSTORE is enabled (RFC 7162 §3.1.4).

import type { MessageRecord } from '../../../storage/ports.ts';
import { flagList, type Piece } from '../encode.ts';
import type { ImapSession } from '../session.ts';

export function flagsFetchResponse(s: ImapSession, seq: number, record: MessageRecord): Piece[] {
  const modseq = s.condstore ? ` MODSEQ (${record.modSeq})` : '';
  return [`* ${seq} FETCH (UID ${record.uid} FLAGS ${flagList(record.flags)}${modseq})\r\n`];
}
