// The bench's messages: deterministic (message i is always the same bytes), varied enough for SEARCH to mean
// something, and identical for Posthorn and Dovecot. Sizes: 85 % plain text of 0.8-3.5 KB, 12 %
// multipart/alternative of 2-6 KB, 3 % with a base64 attachment of 8-24 KB (about 3.2 KB on average with headers).
//
// Known hit rates, so the bench can check that both servers found the same messages:
// - SUBJECT_WORD is in the Subject of every message with i % 50 === 0 (2 %);
// - BODY_WORD is in the text of every message with i % 100 === 7 (1 %).

export const SUBJECT_WORD = 'quarterly';
export const BODY_WORD = 'zeppelin';
export const SUBJECT_EVERY = 50;
export const BODY_EVERY = 100;

const SYLLABLES = ['ka', 'lo', 'mi', 're', 'tu', 'san', 'vel', 'dor', 'pe', 'ni', 'gro', 'bal', 'fen', 'ix'];
const NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy', 'Mallory'];
const DOMAINS = ['crepes.fr', 'hamburger.edu', 'example.org', 'posthorn.test', 'mail.example.net'];

/** A small fast PRNG (mulberry32), seeded per message so any message can be made alone. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCABULARY: string[] = (() => {
  const r = rng(42);
  const words = new Set<string>();
  while (words.size < 1500) {
    let w = '';
    const n = 2 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    if (w !== SUBJECT_WORD && w !== BODY_WORD) words.add(w);
  }
  return [...words];
})();

function words(r: () => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(VOCABULARY[Math.floor(r() * VOCABULARY.length)]!);
  return out.join(' ');
}

/** Text wrapped at 72 columns, about `bytes` long. */
function paragraphText(r: () => number, bytes: number, marker: string | null): string {
  const lines: string[] = [];
  let size = 0;
  let line = '';
  while (size < bytes) {
    const w = VOCABULARY[Math.floor(r() * VOCABULARY.length)]!;
    if (line.length + w.length + 1 > 72) {
      lines.push(line);
      size += line.length + 2;
      line = '';
    }
    line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  if (marker) lines.splice(Math.floor(lines.length / 2), 0, `the ${marker} arrives at noon`);
  return lines.join('\r\n');
}

function base64Lines(r: () => number, bytes: number): string {
  const raw = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) raw[i] = Math.floor(r() * 256);
  return raw.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, '');
}

export interface CorpusOptions {
  /** Small messages only (0.3-0.8 KB), for the --scale mailboxes of up to 1,000,000. */
  small?: boolean;
}

/** Message number i (0-based) of the corpus, CRLF line endings. */
export function corpusMessage(i: number, options: CorpusOptions = {}): Buffer {
  const r = rng(i * 7919 + 17);
  const from = NAMES[i % NAMES.length]!;
  const fromDomain = DOMAINS[(i >> 3) % DOMAINS.length]!;
  const subjectWords = 3 + Math.floor(r() * 6);
  const subject =
    i % SUBJECT_EVERY === 0
      ? `${words(r, 2)} ${SUBJECT_WORD} ${words(r, subjectWords - 2)}`
      : words(r, subjectWords);
  const date = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toUTCString().replace('GMT', '+0000');
  const marker = i % BODY_EVERY === 7 ? BODY_WORD : null;
  const header =
    `Return-Path: <${from.toLowerCase()}@${fromDomain}>\r\n` +
    `From: ${from} <${from.toLowerCase()}@${fromDomain}>\r\n` +
    `To: Bob <bob@bench.test>\r\n` +
    `Subject: ${subject}\r\n` +
    `Date: ${date}\r\n` +
    `Message-ID: <${i}.corpus@bench.test>\r\n` +
    `MIME-Version: 1.0\r\n`;
  const kind = options.small ? 0 : r();
  if (options.small || kind < 0.85) {
    const size = options.small ? 300 + Math.floor(r() * 500) : 800 + Math.floor(r() * 2700);
    return Buffer.from(
      `${header}Content-Type: text/plain; charset=us-ascii\r\n\r\n${paragraphText(r, size, marker)}\r\n`,
    );
  }
  const boundary = `=_bench_${i}`;
  const text = paragraphText(r, 1000 + Math.floor(r() * 2000), marker);
  if (kind < 0.97) {
    const html = `<html><body><p>${paragraphText(r, 800 + Math.floor(r() * 1200), null)}</p></body></html>`;
    return Buffer.from(
      `${header}Content-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n` +
        `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${text}\r\n` +
        `--${boundary}\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n${html}\r\n` +
        `--${boundary}--\r\n`,
    );
  }
  return Buffer.from(
    `${header}Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${text}\r\n` +
      `--${boundary}\r\nContent-Type: application/octet-stream; name="data-${i}.bin"\r\n` +
      `Content-Disposition: attachment; filename="data-${i}.bin"\r\n` +
      `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(r, 6000 + Math.floor(r() * 12000))}\r\n` +
      `--${boundary}--\r\n`,
  );
}

/** Flags of message i: 90 % \Seen, 5 % \Flagged. */
export function corpusFlags(i: number): string[] {
  const flags: string[] = [];
  if (i % 10 !== 0) flags.push('\\Seen');
  if (i % 20 === 3) flags.push('\\Flagged');
  return flags;
}

/** How many of messages 0..count-1 SEARCH SUBJECT / BODY should find. */
export function expectedHits(count: number): { subject: number; body: number } {
  return {
    subject: Math.ceil(count / SUBJECT_EVERY),
    body: count > 7 ? Math.floor((count - 8) / BODY_EVERY) + 1 : 0,
  };
}
