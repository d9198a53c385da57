// `posthorn domain add|list|remove`: the domains this server receives mail for.

import type { Command } from 'commander';
import { normalizeDomain } from '../accounts/index.ts';
import { ensureDomainKeys } from '../auth/index.ts';
import { isoDate, printList } from './output.ts';
import { withAccounts } from './with-store.ts';

export function registerDomainCommands(program: Command): void {
  const domain = program.command('domain').description('manage the domains this server receives mail for');

  domain
    .command('add <domain>')
    .description('add a local domain (then publish its DNS records, see `posthorn init`)')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withAccounts(command, async (accounts, _store, config) => {
        const added = await accounts.addDomain(name);
        const keys = await ensureDomainKeys(config.data_dir, added.name);
        process.stdout.write(`added domain ${added.name}\n`);
        process.stdout.write(
          `DKIM keys: ${keys.map((k) => k.selector).join(', ')} (publish: posthorn dns records ${added.name})\n`,
        );
      });
    });

  domain
    .command('list')
    .description('list the local domains')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withAccounts(command, async (accounts) => {
        const domains = await accounts.listDomains();
        printList(
          domains,
          [
            { header: 'domain', value: (d) => d.name },
            { header: 'created', value: (d) => isoDate(d.createdAt) },
          ],
          {
            json: options.json === true,
            toJson: (d) => ({ name: d.name, createdAt: d.createdAt.toISOString() }),
          },
        );
      });
    });

  domain
    .command('remove <domain>')
    .description('remove a domain that has no accounts or aliases left')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withAccounts(command, async (accounts) => {
        await accounts.removeDomain(name);
        process.stdout.write(`removed domain ${normalizeDomain(name)}\n`);
      });
    });
}
