// A runnable SMTP server for process-level tests (crash durability): store + accounts + SMTP listeners
// from a config file, nothing else (no queue worker, no IMAP). Prints the bound addresses as one JSON
// line on stdout ({"smtp":[{host,port}],"submission":[...],"submissions":[...]}), logs to stderr,
// and runs until killed (SIGTERM stops cleanly).
//
//   ./node_modules/.bin/node test/support/smtp-server-process.ts path/to/posthorn.toml

import { AccountService } from '../../src/accounts/index.ts';
import { systemClock, type AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log/logger.ts';
import { loadTlsMaterial } from '../../src/net/tls-context.ts';
import { startSmtpServers } from '../../src/smtp/server/index.ts';
import { openStore } from '../../src/storage/open.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: smtp-server-process.ts CONFIG\n');
  process.exit(2);
}
const config = loadConfig(file);
const log = createLogger({ level: config.log.level, format: 'json', destination: process.stderr });
const store = await openStore(config, log);
const tls = loadTlsMaterial({
  cert: config.tls.cert,
  key: config.tls.key,
  dataDir: config.data_dir,
  hostname: config.hostname,
});
const ctx: AppContext = {
  config,
  store,
  log,
  tls: { context: tls.context, cert: tls.cert, key: tls.key },
  clock: systemClock,
};
const servers = await startSmtpServers(ctx, { accounts: new AccountService(store.accounts) });
process.stdout.write(JSON.stringify(servers.addresses) + '\n');

process.once('SIGTERM', () => {
  void servers
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
