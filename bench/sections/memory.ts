// 5. Memory per connection: the server's memory with S sessions open minus its memory before, divided by S.
//    IMAP: S sessions logged in, INBOX (10 messages) selected, in IDLE (default S = 5,000). Posthorn is one
//    process; Dovecot is its master and every process it forked (one imap process per session, as Dovecot
//    runs by default), summed. SMTP (MX role): 1,000 sessions after EHLO; Postfix runs one smtpd per session.
//    Two sums are reported: RSS (what the issue asks; counts shared pages once per process, which inflates a
//    multi-process server) and PSS (shared pages divided among their users: the real memory).
//    Safety on a shared machine: sessions are opened in batches and the step stops early when the machine's
//    available memory falls under a quarter of its total; the figure is then per session actually opened.

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { BenchContext } from '../lib/context.ts';
import { pick } from '../lib/context.ts';
import { corpusMessage } from '../lib/corpus.ts';
import {
  DOVECOT_PASSWORD,
  DOVECOT_USER,
  maildirWriter,
  prepareDovecot,
  startDovecot,
} from '../lib/dovecot.ts';
import { ImapClient } from '../lib/imap-client.ts';
import { memAvailableMiB } from '../lib/machine.ts';
import { addAccount, openPosthornStore, PASSWORD, preparePosthorn, startPosthorn } from '../lib/posthorn.ts';
import { startPostfix } from '../lib/postfix.ts';
import { treeMemory, type TreeMemory } from '../lib/proc.ts';
import { HOST, sleep } from '../lib/processes.ts';
import { row } from '../lib/report.ts';

const S = 'Memory per IMAP connection';
const S_SMTP = 'Memory per SMTP session';
const BATCH = 100;

interface PerSession {
  sessions: number;
  before: TreeMemory;
  after: TreeMemory;
  rssKiB: number;
  pssKiB: number;
  seconds: number;
  stoppedEarly: boolean;
  /** Why opening stopped early, when a session could not be opened. */
  failure: string | null;
}

function memoryLow(): boolean {
  const total = Number(/^MemTotal:\s+(\d+)/m.exec(readMeminfo())?.[1] ?? 0) / 1024;
  return total > 0 && memAvailableMiB() < total / 4;
}

function readMeminfo(): string {
  try {
    return readFileSync('/proc/meminfo', 'latin1');
  } catch {
    return '';
  }
}

/** Opens up to `count` sessions with `open` in batches, measures, closes them. */
async function perSession<T>(
  pid: number,
  count: number,
  open: () => Promise<T>,
  close: (s: T) => void,
): Promise<PerSession> {
  await sleep(1000);
  const before = treeMemory(pid);
  const started = performance.now();
  const sessions: T[] = [];
  let stoppedEarly = false;
  let failure: string | null = null;
  try {
    while (sessions.length < count) {
      if (memoryLow()) {
        stoppedEarly = true;
        break;
      }
      const n = Math.min(BATCH, count - sessions.length);
      const opened = await Promise.allSettled(Array.from({ length: n }, open));
      for (const o of opened) if (o.status === 'fulfilled') sessions.push(o.value);
      const failed = opened.find((o) => o.status === 'rejected');
      if (failed) {
        failure = String(failed.reason);
        stoppedEarly = true;
        break;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    await sleep(3000); // let the servers settle (Dovecot's login processes exit, Node's heap after GC)
    const after = treeMemory(pid);
    return {
      sessions: sessions.length,
      before,
      after,
      rssKiB: (after.rssKiB - before.rssKiB) / Math.max(1, sessions.length),
      pssKiB: (after.pssKiB - before.pssKiB) / Math.max(1, sessions.length),
      seconds,
      stoppedEarly,
      failure,
    };
  } finally {
    for (const s of sessions) close(s);
  }
}

async function idleSession(port: number, user: string, password: string): Promise<ImapClient> {
  const c = await ImapClient.connect(port, 120_000);
  await c.login(user, password);
  await c.command('SELECT INBOX');
  await c.idle();
  return c;
}

async function smtpSession(port: number): Promise<Socket> {
  const socket = connect(port, HOST);
  const timer = setTimeout(() => socket.destroy(new Error('SMTP session not open within 120 s')), 120_000);
  socket.once('close', () => clearTimeout(timer));
  await once(socket, 'connect');
  socket.on('error', () => {}); // a reset while idle is not a bench failure; 'close' follows
  let text = '';
  const reply = (code: string) =>
    new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (new RegExp(`^${code} `, 'm').test(text)) {
          socket.off('data', onData);
          text = '';
          resolve();
        }
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error('smtp session closed')));
    });
  await reply('220');
  socket.write('EHLO client.bench.test\r\n');
  await reply('250');
  clearTimeout(timer);
  return socket;
}

export async function memorySection(ctx: BenchContext): Promise<void> {
  const idleCount = pick(ctx, ctx.options.idleSessions, Math.min(ctx.options.idleSessions, 300));
  const smtpCount = pick(ctx, 1000, 100);
  const raw: Record<string, unknown> = {};

  // IMAP IDLE
  const instance = await preparePosthorn(ctx.tmp, {
    name: 'memory',
    hostname: 'mem.bench.test',
    listeners: ['imap'],
  });
  const store = openPosthornStore(instance);
  const accountId = await addAccount(store, 'bob@bench.test');
  const inbox = (await store.mail.getMailbox(accountId, 'INBOX'))!;
  const { parseMessage } = await import('../../src/message/parse.ts');
  for (let i = 0; i < 10; i++) {
    const bytes = corpusMessage(i);
    const blobId = await store.mail.putBlob(bytes, parseMessage(bytes));
    await store.mail.append(inbox.id, [{ blobId, flags: [], internalDate: new Date() }]);
  }
  await store.close();
  const dovecotInstance = prepareDovecot(ctx.tmp, 'dovecot-memory');
  const writer = maildirWriter(dovecotInstance, 'INBOX');
  for (let i = 0; i < 10; i++) writer.add({ bytes: corpusMessage(i), flags: [], time: 1_700_000_000 + i });
  writer.finish();

  const posthorn = await startPosthorn(instance);
  const dovecot = await startDovecot(dovecotInstance);
  try {
    // One session each first: code paths loaded, Dovecot's index built.
    for (const [port, user, password] of [
      [posthorn.ports.imap!, 'bob@bench.test', PASSWORD],
      [dovecot.imapPort, DOVECOT_USER, DOVECOT_PASSWORD],
    ] as const) {
      const c = await idleSession(port, user, password);
      c.destroy();
    }
    ctx.say(`memory: ${idleCount} IMAP sessions in IDLE (Posthorn)`);
    const p = await perSession(
      posthorn.pid,
      idleCount,
      () => idleSession(posthorn.ports.imap!, 'bob@bench.test', PASSWORD),
      (c) => c.destroy(),
    );
    ctx.say(`memory: ${idleCount} IMAP sessions in IDLE (Dovecot)`);
    const d = await perSession(
      dovecot.pid,
      idleCount,
      () => idleSession(dovecot.imapPort, DOVECOT_USER, DOVECOT_PASSWORD),
      (c) => c.destroy(),
    );
    raw.imapIdle = { posthorn: p, dovecot: d };
    for (const [name, r] of [
      ['Posthorn', p],
      ['Dovecot', d],
    ] as const) {
      if (r.stoppedEarly)
        ctx.notes.push(
          `IMAP IDLE memory: ${name} stopped at ${r.sessions} sessions (${r.failure ?? 'machine memory low'})`,
        );
    }
    ctx.rows.push(
      row(S, `IMAP IDLE, ${p.sessions} sessions: RSS`, 'KiB', 'lower', p.rssKiB, d.rssKiB, 'Dovecot', {
        target: '≤ 64 KiB',
        met: p.rssKiB <= 64,
      }),
      row(S, `IMAP IDLE, ${p.sessions} sessions: PSS`, 'KiB', 'lower', p.pssKiB, d.pssKiB, 'Dovecot'),
    );

    // SMTP sessions after EHLO, on a fresh Posthorn process: one that served the IDLE sessions has free heap
    // left over from them, and new sessions would fit in it without growing its RSS.
    const smtpInstance = await preparePosthorn(ctx.tmp, {
      name: 'memory-smtp',
      hostname: 'mem.bench.test',
      listeners: ['smtp'],
    });
    const posthornSmtp = await startPosthorn(smtpInstance);
    const postfix = await startPostfix(ctx.tmp, {
      name: 'postfix-memory',
      role: 'discard',
      processLimit: smtpCount + 100,
    });
    try {
      ctx.say(`memory: ${smtpCount} SMTP sessions (Posthorn, Postfix)`);
      const ps = await perSession(
        posthornSmtp.pid,
        smtpCount,
        () => smtpSession(posthornSmtp.ports.smtp!),
        (s) => s.destroy(),
      );
      const pf = await perSession(
        postfix.masterPid,
        smtpCount,
        () => smtpSession(postfix.port),
        (s) => s.destroy(),
      );
      raw.smtpSessions = { posthorn: ps, postfix: pf };
      for (const [name, r] of [
        ['Posthorn', ps],
        ['Postfix', pf],
      ] as const) {
        if (r.stoppedEarly) {
          ctx.notes.push(
            `SMTP memory: ${name} stopped at ${r.sessions} sessions (${r.failure ?? 'memory low'})`,
          );
        }
      }
      ctx.rows.push(
        row(
          S_SMTP,
          `${ps.sessions} sessions after EHLO: RSS`,
          'KiB',
          'lower',
          ps.rssKiB,
          pf.rssKiB,
          'Postfix',
        ),
        row(
          S_SMTP,
          `${ps.sessions} sessions after EHLO: PSS`,
          'KiB',
          'lower',
          ps.pssKiB,
          pf.pssKiB,
          'Postfix',
        ),
      );
    } finally {
      await postfix.stop();
      await posthornSmtp.stop();
    }
  } finally {
    await posthorn.stop();
    await dovecot.stop();
  }
  ctx.raw.memory = raw;
}
