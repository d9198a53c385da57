// `npm start`: the first-run experience. Creates (once) and runs a local instance in ./data/ with a demo
// account, then prints how to connect a mail client and send a first message. `--config FILE` runs another
// local instance instead; POSTHORN_* variables override its settings as usual.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import pinoPretty from 'pino-pretty';
import { startApp } from '../src/app/app.ts';
import { connectionGuide } from '../src/app/connection-guide.ts';
import { listeningAddresses } from '../src/app/listening.ts';
import { prepareLocalInstance } from '../src/app/local-instance.ts';
import { untilSignal } from '../src/app/until-signal.ts';
import { reportError } from '../src/cli/errors.ts';
import type { Config } from '../src/config/schema.ts';
import { createLogger, type Logger } from '../src/log/logger.ts';

/** Log lines written at once, so that the start-up lines come before the guide, not after it. */
function synchronousLogger(options: Config['log']): Logger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  const destination = pretty
    ? pinoPretty({
        sync: true,
        colorize: process.stdout.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid',
      })
    : pino.destination({ fd: 1, sync: true });
  // Both are writable streams; pino's types name them apart from NodeJS.WritableStream.
  return createLogger({ level: options.level, destination: destination as unknown as NodeJS.WritableStream });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  const configPath = values.config ?? join(import.meta.dirname, '..', 'data', 'posthorn.toml');
  const local = await prepareLocalInstance(configPath);
  if (local.createdConfig) process.stdout.write(`Created ${configPath}\n`);
  if (local.demo.created) process.stdout.write(`Created the account ${local.demo.address}\n`);

  const app = await startApp(local.config, { log: synchronousLogger(local.config.log) });
  process.stdout.write(
    connectionGuide({
      listening: listeningAddresses(app),
      address: local.demo.address,
      password: local.demo.password,
      passwordFile: local.demo.passwordFile,
      dataDir: local.config.data_dir,
    }) + '\n',
  );
  await untilSignal();
  await app.stop();
  process.stdout.write('Stopped.\n');
}

try {
  await main();
} catch (error) {
  process.exitCode = reportError(error);
}
