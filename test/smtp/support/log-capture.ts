// A pino logger writing JSON lines into memory, for assertions on what is (and is not) logged.

import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../src/log/logger.ts';

export function captureLogs(level = 'trace'): {
  log: Logger;
  lines: () => Array<Record<string, unknown>>;
  text: () => string;
} {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const log = createLogger({ level, destination: stream });
  return {
    log,
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
