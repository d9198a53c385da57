// The IMAP server: listeners for [listen] imap (STARTTLS) and imaps (implicit TLS), one ImapSession per
// connection. Sessions share one MailboxService; each session follows the change feed while a mailbox is
// selected, so appends by SMTP delivery or other sessions reach IDLE at once.
//
// Invariants: LOGIN/AUTHENTICATE need TLS unless the listener is loopback-only or imap.allow_insecure_auth;
// stop() says BYE to every open session before closing.

import { randomBytes } from 'node:crypto';
import type { AppContext, Service } from '../../app/context.ts';
import { MailboxService } from '../../mailbox/mailbox-service.ts';
import { parseMessage } from '../../message/parse.ts';
import type { HostPort } from '../../net/host-port.ts';
import { startListener, type ConnectionInfo, type RunningListener } from '../../net/listener.ts';
import type { Transport } from '../../net/transport.ts';
import { formatHostPort } from '../../net/host-port.ts';
import { ImapSession } from './session.ts';
import type { Authenticator, SessionContext } from './session-context.ts';

export type { Authenticator, SessionContext } from './session-context.ts';
export { ImapSession } from './session.ts';

export interface ImapServers extends Service {
  addresses: { imap: HostPort[]; imaps: HostPort[] };
}

export interface ImapServerDeps {
  /** AccountService (src/accounts): authenticate(address, password) with equal timing for all failures. */
  accounts: Authenticator;
  /** Replaces the failed-login delay (tests). */
  sleep?: (ms: number) => Promise<void>;
}

export function imapSessionContext(ctx: AppContext, deps: ImapServerDeps): SessionContext {
  return {
    config: ctx.config,
    log: ctx.log,
    mail: ctx.store.mail,
    mailboxes: new MailboxService(ctx.store.mail, ctx.store.changes),
    accounts: deps.accounts,
    tls: ctx.tls.context,
    clock: ctx.clock,
    sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    parseMessage: (bytes) => parseMessage(bytes),
  };
}

export async function startImapServers(ctx: AppContext, deps: ImapServerDeps): Promise<ImapServers> {
  const sessionContext = imapSessionContext(ctx, deps);
  const sessions = new Set<ImapSession>();
  const config = ctx.config.imap;
  const onConnection = async (transport: Transport, info: ConnectionInfo) => {
    // Each listener counts its own connections; the total over imap and imaps is kept here.
    if (sessions.size >= config.max_connections) {
      transport.write('* BYE Too many connections, try again later\r\n');
      await transport.close();
      return;
    }
    const session = new ImapSession(sessionContext, transport, {
      id: randomBytes(6).toString('base64url'),
      starttls: !info.implicitTls,
      loopback: info.loopback,
      remote: formatHostPort(info.remote),
    });
    sessions.add(session);
    try {
      await session.run();
    } finally {
      sessions.delete(session);
    }
  };
  const common = {
    maxConnections: config.max_connections,
    maxConnectionsPerIp: config.max_connections_per_ip,
    log: ctx.log,
    onConnection,
    refuse: () => '* BYE Too many connections, try again later\r\n',
  };
  const listeners: RunningListener[] = [];
  try {
    if (ctx.config.listen.imap.length > 0) {
      listeners.push(await startListener({ ...common, name: 'imap', addresses: ctx.config.listen.imap }));
    }
    if (ctx.config.listen.imaps.length > 0) {
      listeners.push(
        await startListener({
          ...common,
          name: 'imaps',
          addresses: ctx.config.listen.imaps,
          implicitTls: ctx.tls.context,
        }),
      );
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close(0)));
    throw error;
  }
  const imap = ctx.config.listen.imap.length > 0 ? listeners[0]!.addresses : [];
  const imaps = ctx.config.listen.imaps.length > 0 ? listeners.at(-1)!.addresses : [];
  return {
    name: 'imap',
    addresses: { imap, imaps },
    async stop() {
      for (const session of sessions) session.shutdown('Server shutting down');
      await Promise.all(listeners.map((l) => l.close(2000)));
    },
  };
}
