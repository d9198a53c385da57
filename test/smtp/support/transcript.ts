// Transcript files (test/transcripts/smtp/*.txt): a conversation readable without reading TypeScript.
//
//   # comment                      ignored
//   @role mx|submission|submissions the listener role (default mx; submissions = implicit TLS)
//   @limit name value              a SessionLimits override, e.g. "@limit maxRecipients 2"
//   C: text                        client line; CRLF appended. Consecutive C: lines are sent in one write
//                                  (pipelined). Escapes: \r \n \t \\ \xHH
//   C~ text                        the same without the CRLF
//   S: text                        one expected server line; "*" matches any run of characters
//   @tls                           the client starts TLS (after the server's 220 to STARTTLS)
//   @close                         the client closes its side
//   @closed                        the server must have closed the connection (no more lines)
//   @queued N                      N entries in the outgoing queue
//   @inbox address N               N messages in the account's INBOX
//   @inbox-contains address text   the newest INBOX message contains text (escapes as in C:); {queue-id}
//                                  stands for the id of the server's last "queued as" reply
//   @directory-fails               the directory throws StorageUnavailable from now on

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export type Step =
  | { kind: 'send'; data: Buffer; line: number }
  | { kind: 'expect'; pattern: string; line: number }
  | { kind: 'tls'; line: number }
  | { kind: 'close'; line: number }
  | { kind: 'closed'; line: number }
  | { kind: 'queued'; count: number; line: number }
  | { kind: 'inbox'; address: string; count: number; line: number }
  | { kind: 'inbox-contains'; address: string; text: string; line: number }
  | { kind: 'directory-fails'; line: number };

export interface Transcript {
  name: string;
  role: 'mx' | 'submission' | 'submissions';
  limits: Record<string, number | string>;
  steps: Step[];
}

/** The text as bytes: UTF-8, except that \\xHH escapes stand for single octets. */
export function unescapeToBytes(text: string): Buffer {
  const parts = text.split(/(\\x[0-9A-Fa-f]{2})/);
  return Buffer.concat(
    parts.map((p) =>
      /^\\x[0-9A-Fa-f]{2}$/.test(p)
        ? Buffer.from([parseInt(p.slice(2), 16)])
        : Buffer.from(unescape(p), 'utf8'),
    ),
  );
}

export function unescape(text: string): string {
  return text.replace(/\\(x[0-9A-Fa-f]{2}|[rnt\\])/g, (_, e: string) => {
    if (e === 'r') return '\r';
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === '\\') return '\\';
    return String.fromCharCode(parseInt(e.slice(1), 16));
  });
}

export function parseTranscript(path: string): Transcript {
  const t: Transcript = { name: basename(path, '.txt'), role: 'mx', limits: {}, steps: [] };
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '' || text.startsWith('#')) return;
    const last = t.steps[t.steps.length - 1];
    if (text.startsWith('C: ') || text === 'C:' || text.startsWith('C~ ')) {
      const data = Buffer.concat([
        unescapeToBytes(text.slice(3)),
        Buffer.from(text.startsWith('C~') ? '' : '\r\n'),
      ]);
      if (last?.kind === 'send') last.data = Buffer.concat([last.data, data]);
      else t.steps.push({ kind: 'send', data, line });
      return;
    }
    if (text.startsWith('S: ') || text === 'S:') {
      t.steps.push({ kind: 'expect', pattern: text.slice(3), line });
      return;
    }
    const [directive, ...args] = text.split(' ');
    switch (directive) {
      case '@role':
        t.role = args[0] as Transcript['role'];
        break;
      case '@limit':
        t.limits[args[0]!] = /^\d+$/.test(args[1]!) ? Number(args[1]) : args[1]!;
        break;
      case '@tls':
        t.steps.push({ kind: 'tls', line });
        break;
      case '@close':
        t.steps.push({ kind: 'close', line });
        break;
      case '@closed':
        t.steps.push({ kind: 'closed', line });
        break;
      case '@queued':
        t.steps.push({ kind: 'queued', count: Number(args[0]), line });
        break;
      case '@inbox':
        t.steps.push({ kind: 'inbox', address: args[0]!, count: Number(args[1]), line });
        break;
      case '@inbox-contains':
        t.steps.push({
          kind: 'inbox-contains',
          address: args[0]!,
          text: unescape(args.slice(1).join(' ')),
          line,
        });
        break;
      case '@directory-fails':
        t.steps.push({ kind: 'directory-fails', line });
        break;
      default:
        throw new Error(`${path}:${line}: unknown line "${text}"`);
    }
  });
  return t;
}

/** "*" matches any run of characters; everything else literally. */
export function matches(pattern: string, line: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    's',
  );
  return re.test(line);
}
