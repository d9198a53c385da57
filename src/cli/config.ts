// `posthorn config example|check`: the annotated example generated from the schema, and validation.

import type { Command } from 'commander';
import { renderExampleToml } from '../config/example.ts';
import { configPathOf, loadConfigOf } from './config-file.ts';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('show an example configuration or check one');

  config
    .command('example')
    .description('print an annotated configuration with every option, its description and default')
    .action(() => {
      process.stdout.write(renderExampleToml());
    });

  config
    .command('check')
    .description('load and validate the configuration file (and POSTHORN_* variables); print "ok: FILE"')
    .action((_options: unknown, command: Command) => {
      loadConfigOf(command);
      process.stdout.write(`ok: ${configPathOf(command)}\n`);
    });
}
