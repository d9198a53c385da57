// An SMTP test bench: a real store (SQLite in a temporary directory, or PostgreSQL with
// POSTHORN_TEST_BACKEND=postgres: test/support/test-store.ts), the static directory, real delivery,
// and SmtpSessions over in-memory duplex pairs (optionally TLS over them).

import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duplexPair, type Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { systemClock } from '../../../src/app/context.ts';
import { Delivery } from '../../../src/delivery/index.ts';
import { silentLogger, type Logger } from '../../../src/log/logger.ts';
import { Transport } from '../../../src/net/transport.ts';
import type { SessionLimits } from '../../../src/smtp/server/limits.ts';
import { mxPolicy, submissionPolicy } from '../../../src/smtp/server/policy.ts';
import { SmtpSession, type MessageAcceptor } from '../../../src/smtp/server/session.ts';
import type { AccountId, MessageRecord, Store } from '../../../src/storage/ports.ts';
import { openStoreForTest, type StoreForTest } from '../../support/test-store.ts';
import { StaticDirectory } from './static-directory.ts';
import { testTls } from './tls.ts';

export const HOSTNAME = 'mx.example.org';

export const TEST_LIMITS: SessionLimits = {
  maxLineLength: 1000,
  maxAuthLineLength: 12288,
  maxMessageSize: 100_000,
  maxRecipients: 100,
  maxErrors: 20,
  maxAuthFailures: 3,
  authFailureDelayMs: 0,
  commandTimeoutMs: 5000,
  dataTimeoutMs: 5000,
  bareLineEndings: 'reject',
};

export type Role = 'mx' | 'submission' | 'submissions';

export interface Connection {
  client: Duplex;
  session: SmtpSession;
  /** Resolves when the session has ended. */
  done: Promise<void>;
}

export class SmtpFixture {
  readonly dir: string;
  readonly store: Store;
  readonly #opened: StoreForTest;
  readonly directory = new StaticDirectory();
  readonly queued: string[] = [];
  delivery: MessageAcceptor;
  log: Logger = silentLogger();

  private constructor(dir: string, opened: StoreForTest) {
    this.dir = dir;
    this.#opened = opened;
    this.store = opened.store;
    this.delivery = new Delivery({
      store: this.store,
      hostname: HOSTNAME,
      clock: systemClock,
      log: this.log,
      maxReceivedHeaders: 10,
      onQueued: (id) => this.queued.push(id),
    });
  }

  static async create(): Promise<SmtpFixture> {
    const dir = mkdtempSync(join(tmpdir(), 'posthorn-smtp-'));
    const f = new SmtpFixture(dir, await openStoreForTest({ dir }));
    for (const domain of ['example.org', 'example.net']) {
      await f.store.accounts.addDomain(domain);
      f.directory.domains.add(domain);
    }
    for (const [address, password] of [
      ['alice@example.org', 'alice-password'],
      ['bob@example.org', 'bob-password'],
      ['josé@example.org', 'jose-password'],
      ['jones@example.org', 'jones-password'],
      ['brown@example.org', 'brown-password'],
    ] as const) {
      const account = await f.store.accounts.addAccount(address, 'not-a-real-hash');
      f.directory.accounts.set(address, { id: account.id, address, password });
    }
    f.directory.aliases.set('sales@example.org', ['bob@example.org']);
    f.directory.aliases.set('team@example.org', ['alice@example.org', 'carol@remote.test']);
    f.directory.aliases.set('@example.net', ['bob@example.org']);
    return f;
  }

  accountId(address: string): AccountId {
    return this.directory.accounts.get(address)!.id;
  }

  /** The messages in the account's INBOX, with their bytes. */
  async inbox(address: string): Promise<Array<MessageRecord & { bytes: Buffer }>> {
    const mailbox = await this.store.mail.getMailbox(this.accountId(address), 'INBOX');
    const records = await this.store.mail.listMessages(mailbox!.id);
    return Promise.all(
      records.map(async (r) => ({ ...r, bytes: await this.store.mail.getBlobBytes(r.blobId) })),
    );
  }

  /**
   * A session over an in-memory duplexPair, or over a loopback TCP pair when `tcp` is set: Node's TLS over
   * a duplexPair can stall the client handshake after earlier traffic, so transcripts using TLS take TCP.
   */
  async connect(
    role: Role,
    limits: Partial<SessionLimits> = {},
    options: { tcp?: boolean } = {},
  ): Promise<Connection> {
    const [serverSide, clientSide] = options.tcp || role === 'submissions' ? await tcpPair() : duplexPair();
    const transport = new Transport(serverSide);
    const material = testTls();
    let client: Duplex = clientSide;
    if (role === 'submissions') {
      const secure = tls.connect({ socket: clientSide, rejectUnauthorized: false });
      await Promise.all([
        transport.startTlsServer(material.context),
        new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject)),
      ]);
      client = secure;
    }
    const session = new SmtpSession(
      transport,
      { remoteAddress: '192.0.2.10' },
      {
        hostname: HOSTNAME,
        policy: role === 'mx' ? mxPolicy(this.directory) : submissionPolicy(this.directory),
        directory: this.directory,
        delivery: this.delivery,
        tls: material.context,
        limits: { ...TEST_LIMITS, ...limits },
        log: this.log,
        sleep: async () => {},
      },
    );
    return { client, session, done: session.run() };
  }

  async close(): Promise<void> {
    await this.#opened.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function tcpPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const serverSide = await accepted;
  server.close();
  return [serverSide, client];
}
