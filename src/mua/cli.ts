// `posthorn mail …`: the mail user agent's command line (himalaya/mblaze habits: noun-verb commands, -a for
// the account, -m for the mailbox, messages addressed by UID, --json on every list and read command).
// Works against any IMAP + submission server, not only Posthorn.

import type { Command } from 'commander';
import { registerAccountCommands } from './commands/account.ts';
import { registerListCommands } from './commands/list.ts';
import { registerMailboxCommands } from './commands/mailboxes.ts';
import { registerOrganiseCommands } from './commands/organise.ts';
import { registerReadCommands } from './commands/read.ts';
import { registerReplyCommands } from './commands/reply.ts';
import { registerSendCommands } from './commands/send.ts';
import { registerWatchCommand } from './commands/watch.ts';
import { processIo, type MuaIo } from './session.ts';

export function registerMailCommands(program: Command, io: MuaIo = processIo()): Command {
  const mail = program
    .command('mail')
    .description(
      'read and send mail over IMAP and SMTP submission (accounts in $XDG_CONFIG_HOME/posthorn/mail.toml)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  posthorn mail account add alice@crepes.fr\n' +
        '  posthorn mail mailboxes\n' +
        '  posthorn mail list --page 2\n' +
        '  posthorn mail read 42\n' +
        '  posthorn mail send --to bob@hamburger.edu --subject Hi --body "Hello Bob"\n' +
        '  posthorn mail reply 42 --all\n' +
        '  posthorn mail search from:bob since:7d is:unread\n' +
        '  posthorn mail move 42 Archive\n' +
        '  posthorn mail watch\n' +
        '\nJSON output (--json) is described in docs/mua.md.\n',
    );
  // `posthorn mail -a bob list` as well as `posthorn mail list -a bob`.
  mail.option('-a, --account <name>', 'account name or address (default: the first in mail.toml)');
  mail.hook('preAction', (mailCommand, actionCommand) => {
    const account = mailCommand.opts()['account'] as string | undefined;
    const accepts = actionCommand.options.some((o) => o.attributeName() === 'account');
    if (account !== undefined && accepts && actionCommand.getOptionValue('account') === undefined) {
      actionCommand.setOptionValue('account', account);
    }
  });
  registerAccountCommands(mail, io);
  registerMailboxCommands(mail, io);
  registerListCommands(mail, io);
  registerReadCommands(mail, io);
  registerSendCommands(mail, io);
  registerReplyCommands(mail, io);
  registerOrganiseCommands(mail, io);
  registerWatchCommand(mail, io);
  return mail;
}
