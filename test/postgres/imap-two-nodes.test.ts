// Two Posthorn IMAP nodes on one PostgreSQL store, driven by an independent client (imapflow): a client
// IDLE-ing on node B sees `* EXISTS` for a message APPENDed through node A, and both nodes agree on UIDs.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { after, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { AccountService, TEST_ARGON2 } from '../../src/accounts/index.ts';
import { systemClock, type AppContext } from '../../src/app/context.ts';
import { startImapServers, type ImapServers } from '../../src/imap/server/index.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { generateSelfSigned } from '../../src/net/tls-context.ts';
import { PostgresStore } from '../../src/storage/postgres/store.ts';
import { testConfig } from '../support/imap-harness.ts';
import { postgresForTests } from '../support/postgres.ts';

const postgres = await postgresForTests();
const USER = 'bob@hamburger.edu';
const PASSWORD = 'correct horse battery staple';

interface Node {
  store: PostgresStore;
  servers: ImapServers;
  port: number;
}

async function startNode(url: string, dir: string): Promise<Node> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  generateSelfSigned('localhost', certPath, keyPath);
  const cert = readFileSync(certPath, 'utf8');
  const key = readFileSync(keyPath, 'utf8');
  const store = await PostgresStore.open({ url, poolSize: 4 });
  const ctx: AppContext = {
    config: testConfig({ listen: { imap: [], imaps: ['127.0.0.1:0'] }, data_dir: dir }),
    store,
    log: silentLogger(),
    tls: { context: tls.createSecureContext({ cert, key }), cert, key },
    clock: systemClock,
  };
  const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2 });
  const servers = await startImapServers(ctx, { accounts, sleep: async () => {} });
  return { store, servers, port: servers.addresses.imaps[0]!.port };
}

function client(node: Node): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: node.port,
    secure: true,
    tls: { rejectUnauthorized: false },
    auth: { user: USER, pass: PASSWORD },
    logger: false,
  });
}

if (!postgres.available) {
  test('IMAP on two nodes', { skip: postgres.reason }, () => {});
} else {
  const { db } = postgres;
  after(() => db.drop());

  test('IDLE on node B announces a message appended through node A', { timeout: 30_000 }, async () => {
    const schema = await db.newSchema();
    const dir = await mkdtemp(join(tmpdir(), 'posthorn-nodes-'));
    const nodes: Node[] = [];
    const clients: ImapFlow[] = [];
    try {
      nodes.push(await startNode(schema.url, dir));
      nodes.push(await startNode(schema.url, dir));
      const [a, b] = nodes as [Node, Node];
      const accounts = new AccountService(a.store.accounts, { argon2: TEST_ARGON2 });
      await accounts.addDomain('hamburger.edu');
      await accounts.createAccount(USER, PASSWORD);

      const onA = client(a);
      const onB = client(b);
      clients.push(onA, onB);
      await onA.connect();
      await onB.connect();
      const lock = await onB.getMailboxLock('INBOX');
      try {
        assert.equal(onB.mailbox && onB.mailbox.exists, 0);
        const exists = new Promise<number>((resolve) =>
          onB.once('exists', (event: { count: number }) => resolve(event.count)),
        );
        void onB.idle().catch(() => {});
        const appended = await onA.append('INBOX', 'Subject: from node A\r\n\r\nhello B\r\n', ['\\Seen']);
        assert.ok(appended && appended.uid === 1);
        assert.equal(await exists, 1);
        const fetched = await onB.fetchOne('1', { uid: true, flags: true, envelope: true });
        assert.ok(fetched);
        assert.equal(fetched.uid, 1);
        assert.equal(fetched.envelope?.subject, 'from node A');
        assert.ok(fetched.flags?.has('\\Seen'));
      } finally {
        lock.release();
      }
    } finally {
      for (const c of clients) await c.logout().catch(() => {});
      for (const node of nodes) {
        await node.servers.stop();
        await node.store.close();
      }
      await schema.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
