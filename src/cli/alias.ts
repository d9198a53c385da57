// `posthorn alias add|list|remove`: addresses that forward to accounts or remote addresses;
// "@domain" is the catch-all of a domain.

import type { Command } from 'commander';
import { parseAddress, parseAliasAddress } from '../accounts/index.ts';
import { requireLocalDomain } from './local-domain.ts';
import { printList } from './output.ts';
import { withAccounts } from './with-store.ts';

export function registerAliasCommands(program: Command): void {
  const alias = program
    .command('alias')
    .description('manage aliases (forwarding addresses, catch-all "@domain")');

  alias
    .command('add <address> <targets...>')
    .description('create an alias delivering to each target (local accounts or remote addresses)')
    .action(async (address: string, targets: string[], _options: unknown, command: Command) => {
      await withAccounts(command, async (accounts) => {
        const parsed = parseAliasAddress(address);
        for (const target of targets) parseAddress(target);
        await requireLocalDomain(accounts, parsed.domain);
        const created = await accounts.addAlias(parsed.address, targets);
        process.stdout.write(`added alias ${created.address} -> ${created.targets.join(', ')}\n`);
      });
    });

  alias
    .command('list [domain]')
    .description('list aliases, all or of one domain')
    .option('--json', 'print a JSON array')
    .action(async (domain: string | undefined, options: { json?: boolean }, command: Command) => {
      await withAccounts(command, async (accounts) => {
        if (domain !== undefined) await requireLocalDomain(accounts, domain);
        const list = await accounts.listAliases(domain);
        printList(
          list,
          [
            { header: 'alias', value: (a) => a.address },
            { header: 'targets', value: (a) => a.targets.join(', ') },
          ],
          { json: options.json === true, toJson: (a) => ({ address: a.address, targets: a.targets }) },
        );
      });
    });

  alias
    .command('remove <address>')
    .description('remove an alias')
    .action(async (address: string, _options: unknown, command: Command) => {
      await withAccounts(command, async (accounts) => {
        const parsed = parseAliasAddress(address);
        await accounts.removeAlias(parsed.address);
        process.stdout.write(`removed alias ${parsed.address}\n`);
      });
    });
}
