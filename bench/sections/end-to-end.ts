// 2. End to end, the reference story under load: a client submits to crepes.fr, whose queue delivers over SMTP
//    to hamburger.edu's MX, which stores the message in Bob's INBOX, where an IMAP client in IDLE sees EXISTS.
//    Figures: messages per second (first submission to last EXISTS) and latency from the client's 250 to the
//    EXISTS that announced the message, p50 and p99 (the message behind each sequence number is found
//    afterwards by its X-Bench-Id header, so out-of-order arrival is measured right).
//    - Posthorn: two Posthorn servers; submission over implicit TLS with AUTH PLAIN; crepes.fr → hamburger.edu
//      by a static route (opportunistic STARTTLS between them, as normally configured).
//    - Anchor: Postfix (crepes.fr, client allowed by mynetworks: no TLS, no AUTH) → Postfix (hamburger.edu,
//      plain SMTP) → LMTP → Dovecot (Maildir) → Dovecot IMAP IDLE. Its path skips TLS and AUTH: the
//      comparison favours the anchor a little.
//    C client sessions submit at once, each message after the previous one's 250.

import type { BenchContext } from '../lib/context.ts';
import { pick } from '../lib/context.ts';
import { corpusMessage } from '../lib/corpus.ts';
import { DOVECOT_PASSWORD, DOVECOT_USER, prepareDovecot, startDovecot } from '../lib/dovecot.ts';
import { ImapClient } from '../lib/imap-client.ts';
import { addAccount, openPosthornStore, PASSWORD, preparePosthorn, startPosthorn } from '../lib/posthorn.ts';
import { startPostfix } from '../lib/postfix.ts';
import { onCleanup, pollUntil } from '../lib/processes.ts';
import { percentile, row } from '../lib/report.ts';
import { SmtpSubmitter } from '../lib/smtp-client.ts';

const S = 'End to end (submit → queue → MX → INBOX → IDLE)';

interface E2eResult {
  submitted: number;
  received: number;
  seconds: number;
  rate: number;
  p50ms: number | null;
  p99ms: number | null;
}

interface Path {
  submit: () => Promise<SmtpSubmitter>;
  imapPort: number;
  user: string;
  password: string;
}

function benchMessage(id: string, i: number): Buffer {
  const body = corpusMessage(i);
  return Buffer.concat([
    Buffer.from(
      `X-Bench-Id: ${id}\r\nFrom: Alice <alice@crepes.fr>\r\nTo: Bob <bob@hamburger.edu>\r\n` +
        `Subject: e2e ${id}\r\nMessage-ID: <${id}.e2e@bench.test>\r\n`,
    ),
    // the corpus message's body part (from its blank line on), so sizes vary like the corpus
    body.subarray(body.indexOf('\r\n\r\n') + 2),
  ]);
}

async function runPath(
  path: Path,
  o: { clients: number; perClient: number; timeoutS: number },
): Promise<E2eResult> {
  const watcher = await ImapClient.connect(path.imapPort);
  await watcher.login(path.user, path.password);
  const selected = await watcher.command('SELECT INBOX', { keep: true });
  let exists = Number(selected.lines.find((l) => / EXISTS$/.test(l))?.split(' ')[1] ?? 0);
  const base = exists;
  const arrivals = new Map<number, number>(); // sequence number → time of the EXISTS that announced it
  watcher.onUntagged = (line) => {
    const m = /^\* (\d+) EXISTS$/.exec(line);
    if (!m) return;
    const now = performance.now();
    const n = Number(m[1]);
    for (let seq = exists + 1; seq <= n; seq++) arrivals.set(seq, now);
    exists = Math.max(exists, n);
  };
  const idle = await watcher.idle();

  const accepted = new Map<string, number>(); // X-Bench-Id → time of the 250
  const started = performance.now();
  await Promise.all(
    Array.from({ length: o.clients }, async (_, c) => {
      const client = await path.submit();
      for (let k = 0; k < o.perClient; k++) {
        const id = `c${c}m${k}`;
        await client.send('alice@crepes.fr', 'bob@hamburger.edu', benchMessage(id, c * 1000 + k));
        accepted.set(id, performance.now());
      }
      await client.quit();
    }),
  );
  const total = o.clients * o.perClient;
  // Until every message is in, or nothing new arrived for 10 s (a queue that deferred the rest).
  let seen = exists;
  let lastProgress = performance.now();
  await pollUntil(
    () => {
      if (exists > seen) {
        seen = exists;
        lastProgress = performance.now();
      }
      return exists - base >= total || performance.now() - lastProgress > 10_000;
    },
    o.timeoutS * 1000,
    20,
  );
  const lastArrival = Math.max(started, ...arrivals.values());
  await idle.done();
  // Which message is behind each new sequence number.
  const received = exists - base;
  const latencies: number[] = [];
  if (received > 0) {
    const fetched = await watcher.command(`FETCH ${base + 1}:* (BODY.PEEK[HEADER.FIELDS (X-Bench-Id)])`, {
      keep: true,
      keepLiterals: true,
    });
    fetched.lines.forEach((line, i) => {
      const seq = Number(/^\* (\d+) FETCH/.exec(line)?.[1]);
      const id = /X-Bench-Id: (\S+)/i.exec(fetched.literals[i]?.toString('latin1') ?? '')?.[1];
      const at = arrivals.get(seq);
      const sent = id === undefined ? undefined : accepted.get(id);
      if (at !== undefined && sent !== undefined) latencies.push(at - sent);
    });
  }
  await watcher.logout();
  latencies.sort((a, b) => a - b);
  const seconds = (lastArrival - started) / 1000;
  return {
    submitted: accepted.size,
    received,
    seconds,
    rate: seconds > 0 ? received / seconds : 0,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
  };
}

export async function endToEndSection(ctx: BenchContext): Promise<void> {
  const o = { clients: pick(ctx, 4, 2), perClient: pick(ctx, 100, 20), timeoutS: pick(ctx, 60, 20) };
  const raw: Record<string, unknown> = { ...o };

  // Posthorn: hamburger.edu (MX + IMAP), then crepes.fr (submissions, route to hamburger.edu).
  const hamburger = await preparePosthorn(ctx.tmp, {
    name: 'e2e-hamburger',
    hostname: 'mx.hamburger.edu',
    listeners: ['smtp', 'imap'],
  });
  let store = openPosthornStore(hamburger);
  await addAccount(store, 'bob@hamburger.edu');
  await store.close();
  const crepes = await preparePosthorn(ctx.tmp, {
    name: 'e2e-crepes',
    hostname: 'mail.crepes.fr',
    listeners: ['submissions'],
    routes: { 'hamburger.edu': `127.0.0.1:${hamburger.ports.smtp}` },
  });
  store = openPosthornStore(crepes);
  await addAccount(store, 'alice@crepes.fr');
  await store.close();
  const b = await startPosthorn(hamburger, {
    profileDir: ctx.profileDir ? `${ctx.profileDir}/e2e-hamburger` : undefined,
  });
  const a = await startPosthorn(crepes, {
    profileDir: ctx.profileDir ? `${ctx.profileDir}/e2e-crepes` : undefined,
  });
  ctx.say(`e2e: Posthorn → Posthorn, ${o.clients} × ${o.perClient} messages`);
  const p = await runPath(
    {
      submit: () =>
        SmtpSubmitter.open(crepes.ports.submissions!, {
          tls: true,
          user: 'alice@crepes.fr',
          password: PASSWORD,
        }),
      imapPort: hamburger.ports.imap!,
      user: 'bob@hamburger.edu',
      password: PASSWORD,
    },
    o,
  );
  await a.stop();
  await b.stop();

  // Anchor: Postfix → Postfix → LMTP → Dovecot.
  const dovecotInstance = prepareDovecot(ctx.tmp, 'dovecot-e2e');
  const dovecot = await startDovecot(dovecotInstance, { lmtp: true });
  const mx = await startPostfix(ctx.tmp, {
    name: 'postfix-e2e-hamburger',
    role: 'relay',
    transport: `lmtp:[127.0.0.1]:${dovecot.lmtpPort}`,
  });
  const out = await startPostfix(ctx.tmp, {
    name: 'postfix-e2e-crepes',
    role: 'relay',
    relayHost: `127.0.0.1:${mx.port}`,
  });
  const stopAll = onCleanup(async () => {
    await out.stop();
    await mx.stop();
    await dovecot.stop();
  });
  ctx.say(`e2e: Postfix → Postfix → Dovecot, ${o.clients} × ${o.perClient} messages`);
  let anchor: E2eResult;
  try {
    anchor = await runPath(
      {
        submit: () => SmtpSubmitter.open(out.port),
        imapPort: dovecot.imapPort,
        user: DOVECOT_USER,
        password: DOVECOT_PASSWORD,
      },
      o,
    );
  } finally {
    await stopAll();
  }

  raw.posthorn = p;
  raw.anchor = anchor;
  const total = o.clients * o.perClient;
  for (const [name, r] of [
    ['Posthorn', p],
    ['Postfix+Dovecot', anchor],
  ] as const) {
    if (r.received < total) {
      ctx.notes.push(
        `e2e: ${name} showed ${r.received} of ${total} messages in the INBOX (no new one for 10 s, or ${o.timeoutS} s passed) ` +
          `(the rate and latencies are those of the messages that arrived)`,
      );
    }
  }
  const A = 'Postfix+Dovecot';
  ctx.rows.push(
    row(
      S,
      `${total} submitted by ${o.clients} clients: arrived`,
      'msg',
      'higher',
      p.received,
      anchor.received,
      A,
    ),
    row(S, 'rate (submission to last EXISTS)', 'msg/s', 'higher', p.rate, anchor.rate, A),
    row(S, 'latency 250 → EXISTS, p50', 'ms', 'lower', p.p50ms, anchor.p50ms, A),
    row(S, 'latency 250 → EXISTS, p99', 'ms', 'lower', p.p99ms, anchor.p99ms, A),
  );
  ctx.raw.endToEnd = raw;
}
