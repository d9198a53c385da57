// `posthorn serve`: run the configured services until SIGTERM or SIGINT, then stop cleanly
// (listeners closed, open sessions given their grace period, store closed) and exit 0.

import type { Command } from 'commander';
import { startApp } from '../app/app.ts';
import { untilSignal } from '../app/until-signal.ts';
import { loadConfigOf } from './config-file.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the mail server with the configured listeners until SIGTERM/SIGINT')
    .action(async (_options: unknown, command: Command) => {
      const config = loadConfigOf(command);
      const app = await startApp(config);
      const { log } = app.ctx;
      log.info(
        {
          config: config.source,
          store: app.ctx.store.description,
          services: app.services.map((s) => s.name),
          hostname: config.hostname,
        },
        'posthorn ready',
      );
      const signal = await untilSignal();
      log.info({ signal }, 'stopping');
      await app.stop();
      log.info('stopped');
      log.flush();
    });
}
