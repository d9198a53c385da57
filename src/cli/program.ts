// The `posthorn` command line: one commander program, one file per command family.

import { Command } from 'commander';
import { registerConfigCommands } from './config.ts';
import { registerServeCommand } from './serve.ts';

export function buildProgram(): Command {
  const program = new Command('posthorn')
    .description('Posthorn: SMTP server and queue, IMAP server and mail client')
    .option('--config <file>', 'configuration file (default: $POSTHORN_CONFIG, else ./posthorn.toml)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) });

  registerServeCommand(program);
  registerConfigCommands(program);
  return program;
}
