// Posthorn as the bench runs it: `posthorn serve` (startApp with the default services) in its own process,
// so its CPU and memory are measured apart from the load generator. Two differences from `serve`, both for
// measurement only:
// - passwords are argon2id with minimal cost (TEST_ARGON2), as Dovecot's anchor uses a static plaintext
//   passdb: logins are not what the IMAP figures should measure;
// - it says where it listens on stderr ("READY {json}") and wakes the queue worker on SIGUSR2 (the outbound
//   figure starts the clock when the queue is released, like `postsuper -H ALL` for Postfix).
// Logs go to stdout as JSON lines (the bench sends them to a file). SIGTERM stops cleanly, so a --cpu-prof
// profile is written.
//
//   node bench/posthorn-server.ts CONFIG.toml

import { AccountService, TEST_ARGON2 } from '../src/accounts/index.ts';
import { startApp } from '../src/app/app.ts';
import { listeningAddresses } from '../src/app/listening.ts';
import { defaultServices, type ServiceStarter } from '../src/app/services.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/log/logger.ts';
import { openStore } from '../src/storage/open.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: posthorn-server.ts CONFIG\n');
  process.exit(2);
}
const config = loadConfig(file);
const log = createLogger({ level: config.log.level, format: 'json' });
const store = await openStore(config, log);
const accounts = new AccountService(store.accounts, { argon2: TEST_ARGON2 });
const services: ServiceStarter[] = defaultServices.map((starter) => ({
  ...starter,
  start: (ctx, shared) => {
    shared.accounts = accounts;
    return starter.start(ctx, shared);
  },
}));
const app = await startApp(config, { log, store, services });
const queue = app.services.find((s) => s.name === 'queue') as unknown as { wake(): void } | undefined;
process.on('SIGUSR2', () => queue?.wake());
// A server with no listeners (the outbound figure) has nothing else keeping the process alive.
const keepAlive = setInterval(() => {}, 1 << 30);
process.stderr.write(`READY ${JSON.stringify(listeningAddresses(app))}\n`);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  clearInterval(keepAlive);
  void app
    .stop()
    .then(() => store.close())
    .then(() => {
      log.flush();
      process.exit(0);
    });
});
