// `posthorn demo`: the reference story (DESIGN.md §1) played out by two real Posthorn servers in this process.
// crepes.fr and hamburger.edu run on loopback with temporary data; a static route stands in for
// hamburger.edu's MX record. Bob's IMAP session IDLEs on his INBOX; Alice submits a message over submission
// (STARTTLS + AUTH) with Posthorn's own SMTP client; the narrator prints each step when it is seen:
//
//   1 submission accepted   Alice's client gets 250 with the queue id (the SMTP reply)
//   2 queued                crepes.fr's delivery logs "queued for remote delivery" (log record)
//   3 next hop chosen       crepes.fr's queue worker starts the attempt and calls connect for the next hop
//   4 session opened        that connect returns an open SMTP session (greeting, EHLO, STARTTLS done)
//   5 remote 250            the queue records hamburger.edu's reply as delivered (log record)
//   6 stored in INBOX       hamburger.edu's change feed announces the new UID in Bob's INBOX
//   7 IDLE sees EXISTS      Bob's session receives the untagged `* N EXISTS`
//
// Result: ok when all seven happened within the timeout; otherwise the missing steps are named.

import { randomBytes } from 'node:crypto';
import { formatRfc5322Date } from '../delivery/received-header.ts';
import { generatePassword } from '../app/password-generator.ts';
import { formatHostPort } from '../net/host-port.ts';
import { connectSmtp, type SmtpConnectFn } from '../smtp/client/connect.ts';
import { sendMessage } from '../smtp/client/transaction.ts';
import { formatReply } from '../smtp/wire/reply-parser.ts';
import { startDemoServer, type DemoServer } from './demo-server.ts';
import { IdleWatcher } from './idle-watcher.ts';
import { LogTap, type LogRecord } from './log-tap.ts';
import { Narrator } from './narrator.ts';

export interface StoryOptions {
  out: NodeJS.WritableStream;
  /** How long the seven steps may take, from the moment Alice starts to send. */
  timeoutMs: number;
  /** Where the servers' own log lines go (readable), or null to keep them quiet. */
  serverLog: NodeJS.WritableStream | null;
  /** Next hop for hamburger.edu instead of its MX listener ("host:port"), to watch the story fail. */
  route?: string;
}

export interface StoryResult {
  ok: boolean;
  /** One line naming the missing steps when not ok. */
  failure: string | null;
}

/** Why a step shows up before the one it follows in the story: the durability rule (DESIGN.md §4.1). */
const WHY_EARLY: Record<string, string> = {
  '2<1': 'crepes.fr commits the message to its queue before it answers Alice 250.',
  '6<5': "hamburger.edu stores the message in Bob's INBOX before it answers 250.",
};

const ALICE = 'alice@crepes.fr';
const BOB = 'bob@hamburger.edu';

export async function runReferenceStory(options: StoryOptions): Promise<StoryResult> {
  const { out } = options;
  const tap = new LogTap(options.serverLog);
  const narrator = new Narrator(out);
  const servers: DemoServer[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const hamburger = await startDemoServer({
      domain: 'hamburger.edu',
      hostname: 'mx.hamburger.edu',
      listeners: ['smtp', 'imap'],
      log: tap.logger('debug', { server: 'hamburger.edu' }),
    });
    servers.push(hamburger);
    const mx = formatHostPort(hamburger.address('smtp'));
    const route = options.route ?? mx;

    let attempt: { queueId: string; attempt: number; destinations: string } | null = null;
    const observedConnect: SmtpConnectFn = async (connectOptions) => {
      const hop = `${connectOptions.host}:${connectOptions.port}`;
      const entry = attempt ? `queue entry ${attempt.queueId}, attempt ${attempt.attempt}, ` : '';
      narrator.record(3, `${entry}hamburger.edu → ${hop} (${attempt?.destinations ?? 'next hop'})`);
      try {
        const client = await connectSmtp(connectOptions);
        const greeting = client.greeting ? formatReply(client.greeting) : '(no greeting)';
        const tls = client.tls ? `STARTTLS ${client.tls.protocol ?? ''}`.trim() : 'no TLS';
        narrator.record(4, `${client.remote} greeted "${greeting}", EHLO, ${tls}`);
        return client;
      } catch (err) {
        narrator.hints.set(4, `crepes.fr's queue: ${(err as Error).message}`);
        throw err;
      }
    };

    const crepes = await startDemoServer({
      domain: 'crepes.fr',
      hostname: 'mx.crepes.fr',
      listeners: ['smtp', 'submission'],
      routes: { 'hamburger.edu': route },
      log: tap.logger('debug', { server: 'crepes.fr' }),
      connect: observedConnect,
    });
    servers.push(crepes);

    const alicePassword = generatePassword();
    const bobPassword = generatePassword();
    await crepes.accounts.createAccount(ALICE, alicePassword);
    const bobAccount = await hamburger.accounts.createAccount(BOB, bobPassword);
    const bobInbox = await hamburger.app.ctx.store.mail.getMailbox(bobAccount.id, 'INBOX');
    if (!bobInbox) throw new Error(`${BOB} has no INBOX`);

    // Events from the servers' logs (crepes.fr) and hamburger.edu's change feed.
    cleanups.push(
      tap.watch((record: LogRecord) => {
        if (record.server !== 'crepes.fr') return;
        if (record.msg === 'queued for remote delivery') {
          narrator.record(
            2,
            `entry ${String(record.queueId)} in crepes.fr's outgoing queue ` +
              `(${String(record.recipients)} remote recipient, ${String(record.size)} octets)`,
          );
        } else if (record.msg === 'attempt started' && typeof record.queueId === 'string') {
          const destinations = Array.isArray(record.destinations) ? record.destinations.join(', ') : '';
          attempt = { queueId: record.queueId, attempt: Number(record.attempt), destinations };
        } else if (record.status === 'sent' && record.to === BOB) {
          narrator.record(5, String(record.msg));
        } else if ((record.status === 'deferred' || record.status === 'bounced') && record.to === BOB) {
          narrator.hints.set(5, `crepes.fr's queue: ${String(record.msg)}`);
        }
      }),
    );
    cleanups.push(
      hamburger.app.ctx.store.changes.subscribe((change) => {
        if (change.kind === 'added' && change.mailboxId === bobInbox.id) {
          narrator.record(
            6,
            `${BOB}'s INBOX has UID ${change.uids.join(',')} (change feed, modseq ${change.modSeq})`,
          );
        }
      }),
    );

    const imap = hamburger.address('imap');
    const watcher = await IdleWatcher.open({
      host: imap.host,
      port: imap.port,
      user: BOB,
      password: bobPassword,
      tls: { ca: hamburger.app.tls.cert, servername: hamburger.hostname },
    });
    cleanups.push(() => watcher.close());
    watcher.onUntagged((line) => {
      const exists = /^\* (\d+) EXISTS$/i.exec(line);
      if (exists && Number(exists[1]) > watcher.existsAtSelect)
        narrator.record(7, `Bob's mail client read "${line}"`);
    });

    const submission = crepes.address('submission');
    out.write(
      [
        'The reference story: alice@crepes.fr writes to bob@hamburger.edu.',
        '',
        `  crepes.fr      ${crepes.hostname.padEnd(17)} submission ${formatHostPort(submission)}, MX ${formatHostPort(crepes.address('smtp'))}`,
        `  hamburger.edu  ${hamburger.hostname.padEnd(17)} MX ${mx}, IMAP ${formatHostPort(imap)}`,
        `  crepes.fr's [routes] "hamburger.edu" = "${route}" stands in for hamburger.edu's MX record.`,
        `  Bob's IMAP session (${watcher.tlsProtocol ?? 'no TLS'}, LOGIN ${BOB}) is IDLE on INBOX (${watcher.existsAtSelect} messages).`,
        `  Alice submits to ${formatHostPort(submission)} with STARTTLS and AUTH, using Posthorn's SMTP client.`,
        '',
      ].join('\n') + '\n',
    );

    narrator.startClock();
    void submitAsAlice(crepes, submission.host, submission.port, alicePassword).then(
      (reply) => {
        if (reply.startsWith('2')) narrator.record(1, `crepes.fr answered "${reply}"`);
        else narrator.hints.set(1, `crepes.fr answered "${reply}"`);
      },
      (err: unknown) => narrator.hints.set(1, `Alice's client: ${(err as Error).message}`),
    );

    const ok = await narrator.waitForAll(options.timeoutMs);
    if (ok) {
      out.write(`\nAll 7 steps happened. Bob has the message.\n`);
      for (const [later, earlier] of narrator.overtakes()) {
        const why = WHY_EARLY[`${later}<${earlier}`];
        if (why) out.write(`Step ${later} came before step ${earlier}: ${why}\n`);
      }
    }
    return { ok, failure: ok ? null : narrator.describeMissing(options.timeoutMs) };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    for (const server of servers.reverse()) await server.stop();
  }
}

/** Alice's mail client: submission with STARTTLS (her server's certificate trusted) and AUTH. */
async function submitAsAlice(
  crepes: DemoServer,
  host: string,
  port: number,
  password: string,
): Promise<string> {
  const client = await connectSmtp({
    host,
    port,
    servername: crepes.hostname,
    localName: 'alice-laptop.crepes.fr',
    tls: 'starttls',
    tlsOptions: { ca: crepes.app.tls.cert },
    auth: { username: ALICE, password },
    timeouts: { connectMs: 5000, greetingMs: 5000, commandMs: 5000, dataStartMs: 5000, dataEndMs: 10_000 },
  });
  try {
    const message = [
      `From: Alice <${ALICE}>`,
      `To: Bob <${BOB}>`,
      'Subject: Crepes tonight?',
      `Date: ${formatRfc5322Date(new Date())}`,
      `Message-ID: <${randomBytes(9).toString('hex')}@crepes.fr>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Bob, des crêpes ce soir ?',
      '',
      'Alice',
      '',
    ].join('\r\n');
    const result = await sendMessage(
      client,
      { from: ALICE, recipients: [{ address: BOB }], eightBit: true },
      Buffer.from(message, 'utf8'),
    );
    return formatReply(result.recipients[0]!.reply);
  } finally {
    if (client.usable) await client.quit();
    else client.destroy();
  }
}
