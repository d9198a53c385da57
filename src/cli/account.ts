// `posthorn account add|list|passwd|remove`: mail accounts (login = primary address).
// Passwords come from --password-stdin, a prompt without echo, or --generate-password; never from argv.

import type { Command } from 'commander';
import { parseAddress } from '../accounts/index.ts';
import { UserError } from './errors.ts';
import { requireLocalDomain } from './local-domain.ts';
import { isoDate, printList } from './output.ts';
import { generatePassword, promptPassword, readPasswordFromStdin } from './password-input.ts';
import { withAccounts } from './with-store.ts';

interface PasswordOptions {
  passwordStdin?: boolean;
  generatePassword?: boolean;
}

/** The new password, and whether it was generated (and must be shown once). */
async function newPassword(options: PasswordOptions): Promise<{ password: string; generated: boolean }> {
  if (options.passwordStdin && options.generatePassword) {
    throw new UserError('give either --password-stdin or --generate-password, not both');
  }
  if (options.generatePassword) return { password: generatePassword(), generated: true };
  if (options.passwordStdin) return { password: await readPasswordFromStdin(), generated: false };
  return { password: await promptPassword('New password: ', true), generated: false };
}

const passwordOptions = (command: Command): Command =>
  command
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option('--generate-password', 'generate a random password and print it once');

export function registerAccountCommands(program: Command): void {
  const account = program.command('account').description('manage mail accounts');

  passwordOptions(
    account.command('add <address>').description('create an account with the standard mailboxes'),
  ).action(async (address: string, options: PasswordOptions, command: Command) => {
    await withAccounts(command, async (accounts) => {
      const parsed = parseAddress(address);
      await requireLocalDomain(accounts, parsed.domain);
      if (await accounts.getAccount(parsed.address))
        throw new UserError(`account ${parsed.address} already exists`);
      const { password, generated } = await newPassword(options);
      const created = await accounts.createAccount(parsed.address, password);
      process.stdout.write(`added account ${created.address}\n`);
      if (generated) process.stdout.write(`password: ${password}\n`);
    });
  });

  account
    .command('list [domain]')
    .description('list accounts, all or of one domain')
    .option('--json', 'print a JSON array')
    .action(async (domain: string | undefined, options: { json?: boolean }, command: Command) => {
      await withAccounts(command, async (accounts) => {
        if (domain !== undefined) await requireLocalDomain(accounts, domain);
        const list = await accounts.listAccounts(domain);
        printList(
          list,
          [
            { header: 'address', value: (a) => a.address },
            { header: 'created', value: (a) => isoDate(a.createdAt) },
            { header: 'status', value: (a) => (a.disabled ? 'disabled' : 'active') },
          ],
          {
            json: options.json === true,
            toJson: (a) => ({
              address: a.address,
              domain: a.domain,
              createdAt: a.createdAt.toISOString(),
              disabled: a.disabled,
            }),
          },
        );
      });
    });

  passwordOptions(account.command('passwd <address>').description("set an account's password")).action(
    async (address: string, options: PasswordOptions, command: Command) => {
      await withAccounts(command, async (accounts) => {
        const parsed = parseAddress(address);
        if (!(await accounts.getAccount(parsed.address))) throw new UserError(`no account ${parsed.address}`);
        const { password, generated } = await newPassword(options);
        await accounts.setPassword(parsed.address, password);
        process.stdout.write(`password changed for ${parsed.address}\n`);
        if (generated) process.stdout.write(`password: ${password}\n`);
      });
    },
  );

  account
    .command('remove <address>')
    .description('remove an account with all its mailboxes and messages')
    .action(async (address: string, _options: unknown, command: Command) => {
      await withAccounts(command, async (accounts) => {
        const parsed = parseAddress(address);
        await accounts.removeAccount(parsed.address);
        process.stdout.write(`removed account ${parsed.address}\n`);
      });
    });
}
