// The `posthorn` command line: one commander program, one file per command family.

import { Command } from 'commander';
import { registerMailCommands } from '../mua/cli.ts';
import { registerAccountCommands } from './account.ts';
import { registerAliasCommands } from './alias.ts';
import { registerConfigCommands } from './config.ts';
import { registerDemoCommand } from './demo.ts';
import { registerDkimCommands } from './dkim.ts';
import { registerDnsCommands } from './dns.ts';
import { registerDomainCommands } from './domain.ts';
import { registerInitCommand } from './init.ts';
import { registerQueueCommands } from './queue.ts';
import { registerServeCommand } from './serve.ts';
import { registerStorageCommands } from './storage.ts';

export function buildProgram(): Command {
  const program = new Command('posthorn')
    .description('Posthorn: SMTP server and queue, IMAP server and mail client')
    .option('--config <file>', 'configuration file (default: $POSTHORN_CONFIG, else ./posthorn.toml)')
    // Usage errors in the same one-line form as every other error.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'posthorn: ')) });

  registerInitCommand(program);
  registerServeCommand(program);
  registerDomainCommands(program);
  registerAccountCommands(program);
  registerAliasCommands(program);
  registerQueueCommands(program);
  registerConfigCommands(program);
  registerStorageCommands(program);
  registerDnsCommands(program);
  registerDkimCommands(program);
  registerMailCommands(program);
  registerDemoCommand(program);
  return program;
}
