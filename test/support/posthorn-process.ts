// A whole Posthorn (startApp with every default service: queue worker, SMTP, IMAP) from a config file, as a
// child process for crash and restart tests. Prints where it listens as one JSON line on stdout
// ({"smtp":["127.0.0.1:40001"],"submission":[],...}), appends its JSON log lines to LOG_FILE (default
// data_dir/posthorn.log) with synchronous writes, so the log shows everything up to a SIGKILL, and runs
// until killed; SIGTERM stops it cleanly (exit 0).
//
//   ./node_modules/.bin/node test/support/posthorn-process.ts CONFIG [LOG_FILE]

import { openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startApp } from '../../src/app/app.ts';
import { listeningAddresses } from '../../src/app/listening.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/log/logger.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: posthorn-process.ts CONFIG [LOG_FILE]\n');
  process.exit(2);
}
const config = loadConfig(file);
const fd = openSync(process.argv[3] ?? join(config.data_dir, 'posthorn.log'), 'a');
const destination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    writeSync(fd, chunk);
    done();
  },
});
const log = createLogger({ level: config.log.level, format: 'json', destination });
const app = await startApp(config, { log });
process.stdout.write(JSON.stringify(listeningAddresses(app)) + '\n');

const keepAlive = setInterval(() => {}, 1 << 30);
process.once('SIGTERM', () => {
  void app.stop().then(() => {
    clearInterval(keepAlive);
    process.exit(0);
  });
});
