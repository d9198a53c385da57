// The SMTP server: listeners for the MX role ([listen] smtp) and for submission ([listen] submission with
// STARTTLS, [listen] submissions with implicit TLS, RFC 8314), each connection an SmtpSession with the
// role's policy. Accepted messages go to delivery (src/delivery), which stores them or queues them.
//
// Invariants:
// - A 250 to DATA/BDAT LAST only after delivery has committed the message (delivery's contract).
// - MX never relays; submission requires AUTH under TLS (policy.ts).
// - Connection limits hold across all SMTP listeners together; a refused connection gets 421 4.7.0.
// - stop() stops accepting, tells idle sessions 421 4.3.2, and waits for busy ones to finish.

import { randomBytes } from 'node:crypto';
import type { AccountService } from '../../accounts/index.ts';
import type { AppContext, Service } from '../../app/context.ts';
import { Delivery } from '../../delivery/index.ts';
import { MessageAuth } from '../../delivery/message-auth.ts';
import { createDkimSigner } from '../../auth/dkim-signer.ts';
import { createInboundVerifier } from '../../auth/inbound-verifier.ts';
import { inboundPolicyFromConfig } from '../../auth/inbound-policy.ts';
import { createNodeResolver } from '../../dns/node-resolver.ts';
import { formatHostPort, type HostPort } from '../../net/host-port.ts';
import { startListener, type ConnectionInfo, type RunningListener } from '../../net/listener.ts';
import type { Transport } from '../../net/transport.ts';
import { serializeReply } from '../wire/reply.ts';
import { replies } from '../wire/reply-table.ts';
import { accountDirectory } from './account-directory.ts';
import { ConnectionGate } from './connection-gate.ts';
import type { MailDirectory } from './directory.ts';
import { limitsFromConfig } from './limits.ts';
import { mxPolicy, submissionPolicy, type SmtpPolicy } from './policy.ts';
import { SmtpSession, type MessageAcceptor } from './session.ts';

export { SmtpSession } from './session.ts';
export type { SessionDeps, MessageAcceptor } from './session.ts';
export { mxPolicy, submissionPolicy } from './policy.ts';
export type { SmtpPolicy, SmtpRole } from './policy.ts';
export type { MailDirectory, SessionUser, RecipientRoute } from './directory.ts';
export { limitsFromConfig } from './limits.ts';

const STOP_GRACE_MS = 10_000;

export interface SmtpServers extends Service {
  addresses: { smtp: HostPort[]; submission: HostPort[]; submissions: HostPort[] };
}

export interface SmtpServerDeps {
  accounts: AccountService;
  /** Called when a message was queued for remote delivery (wakes the queue worker). */
  onQueued?: (id: string) => void;
  /** Inbound verification and DKIM signing; built from config.auth when absent. */
  auth?: MessageAuth;
}

export async function startSmtpServers(ctx: AppContext, deps: SmtpServerDeps): Promise<SmtpServers> {
  return startSmtpServersWith(ctx, {
    directory: accountDirectory(deps.accounts, { hostname: ctx.config.hostname }),
    onQueued: deps.onQueued,
    auth: deps.auth ?? messageAuthFromConfig(ctx, deps.accounts),
  });
}

/** The same with any MailDirectory and, optionally, another acceptor (tests). */
export async function startSmtpServersWith(
  ctx: AppContext,
  deps: {
    directory: MailDirectory;
    onQueued?: (id: string) => void;
    delivery?: MessageAcceptor;
    auth?: MessageAuth;
  },
): Promise<SmtpServers> {
  const { config } = ctx;
  const log = ctx.log.child({ service: 'smtp' });
  const limits = limitsFromConfig(config.smtp);
  const delivery =
    deps.delivery ??
    new Delivery({
      store: ctx.store,
      hostname: config.hostname,
      clock: ctx.clock,
      log,
      maxReceivedHeaders: config.smtp.max_received_headers,
      onQueued: deps.onQueued,
      auth: deps.auth,
    });
  const gate = new ConnectionGate(config.smtp.max_connections, config.smtp.max_connections_per_ip);
  const sessions = new Set<SmtpSession>();
  const refuse = () => serializeReply(replies.tooManyConnections);

  const roles: Array<{ name: 'smtp' | 'submission' | 'submissions'; policy: SmtpPolicy; implicit: boolean }> =
    [
      { name: 'smtp', policy: mxPolicy(deps.directory), implicit: false },
      { name: 'submission', policy: submissionPolicy(deps.directory), implicit: false },
      { name: 'submissions', policy: submissionPolicy(deps.directory), implicit: true },
    ];

  const listeners: RunningListener[] = [];
  const addresses: SmtpServers['addresses'] = { smtp: [], submission: [], submissions: [] };
  const stopAll = async () => {
    await Promise.all(listeners.map((l) => l.close(0).catch(() => {})));
  };

  try {
    for (const role of roles) {
      const wanted = config.listen[role.name];
      if (wanted.length === 0) continue;
      const onConnection = async (transport: Transport, info: ConnectionInfo) => {
        const remote = formatHostPort(info.remote);
        const release = gate.enter(info.remote.host);
        if (!release) {
          log.warn({ listener: role.name, remote }, 'connection refused: limit reached');
          transport.write(refuse());
          await transport.close();
          return;
        }
        const session = new SmtpSession(
          transport,
          { remoteAddress: info.remote.host },
          {
            hostname: config.hostname,
            policy: role.policy,
            directory: deps.directory,
            delivery,
            tls: ctx.tls.context,
            limits,
            log: ctx.log.child({ cid: randomBytes(6).toString('base64url'), proto: role.name, remote }),
          },
        );
        sessions.add(session);
        try {
          await session.run();
        } finally {
          sessions.delete(session);
          release();
        }
      };
      const listener = await startListener({
        addresses: wanted,
        implicitTls: role.implicit ? ctx.tls.context : undefined,
        maxConnections: config.smtp.max_connections,
        maxConnectionsPerIp: config.smtp.max_connections_per_ip,
        log,
        name: role.name,
        onConnection,
        refuse,
      });
      listeners.push(listener);
      addresses[role.name] = listener.addresses;
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    name: 'smtp',
    addresses,
    async stop() {
      const closing = Promise.all(listeners.map((l) => l.close(STOP_GRACE_MS)));
      for (const session of sessions) session.shutdown();
      // A session in the middle of DATA finishes it; one that does not within the grace period is cut off.
      const timer = setTimeout(() => {
        for (const session of sessions) session.abort();
      }, STOP_GRACE_MS);
      timer.unref();
      await closing;
      clearTimeout(timer);
    },
  };
}

/** The [auth] section as a MessageAuth: verifier on the MX role, signer for submitted mail. */
export function messageAuthFromConfig(ctx: AppContext, accounts: AccountService): MessageAuth {
  const { config } = ctx;
  const resolver = createNodeResolver({ servers: config.dns.servers, timeoutMs: config.dns.timeout_ms });
  return new MessageAuth({
    hostname: config.hostname,
    verifier: config.auth.verify_inbound
      ? createInboundVerifier({
          hostname: config.hostname,
          resolver,
          policy: inboundPolicyFromConfig(config),
          log: ctx.log.child({ service: 'auth' }),
        })
      : null,
    signer: config.auth.dkim_sign
      ? createDkimSigner({
          dataDir: config.data_dir,
          hostname: config.hostname,
          log: ctx.log,
          clock: ctx.clock,
        })
      : null,
    trustedNetworks: config.auth.trusted_networks,
    isLocalDomain: (domain) => accounts.isLocalDomain(domain),
  });
}
