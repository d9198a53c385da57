// `posthorn dkim list|rotate|remove`: the DKIM key pairs of local domains (data_dir/dkim/<domain>/).
// A domain gets an Ed25519 and an RSA-2048 pair when it is added; rotate makes new pairs that sign from
// then on and retires the old ones, whose public keys stay listed until they are removed.

import type { Command } from 'commander';
import { normalizeDomain } from '../accounts/index.ts';
import {
  DkimKeyError,
  listDomainKeys,
  removeDomainKey,
  rotateDomainKeys,
  type DkimKey,
} from '../auth/dkim-keys.ts';
import { presentValue } from '../dns-records/index.ts';
import { UserError } from './errors.ts';
import { requireLocalDomain } from './local-domain.ts';
import { isoDate, printList } from './output.ts';
import { withAccounts } from './with-store.ts';

export function registerDkimCommands(program: Command): void {
  const dkim = program.command('dkim').description('DKIM signing keys of the local domains');

  dkim
    .command('list [domain]')
    .description('list the DKIM keys of DOMAIN (default: of every local domain)')
    .option('--json', 'print a JSON array')
    .action(async (name: string | undefined, options: { json?: boolean }, command: Command) => {
      await withAccounts(command, async (accounts, _store, config) => {
        let domains: string[];
        if (name === undefined) {
          domains = (await accounts.listDomains()).map((d) => d.name);
        } else {
          domains = [normalizeDomain(name)];
          await requireLocalDomain(accounts, domains[0]!);
        }
        const keys = guarded(() => domains.flatMap((d) => listDomainKeys(config.data_dir, d)));
        printList(
          keys,
          [
            { header: 'domain', value: (k) => k.domain },
            { header: 'selector', value: (k) => k.selector },
            { header: 'algorithm', value: (k) => k.algorithm },
            { header: 'status', value: (k) => status(k) },
            { header: 'created', value: (k) => isoDate(k.createdAt) },
          ],
          {
            json: options.json === true,
            toJson: (k) => ({
              domain: k.domain,
              selector: k.selector,
              algorithm: k.algorithm,
              status: status(k),
              createdAt: k.createdAt.toISOString(),
              dns: { name: `${k.selector}._domainkey.${k.domain}.`, type: 'TXT', value: k.dnsValue },
            }),
          },
        );
      });
    });

  dkim
    .command('rotate <domain>')
    .description('make new key pairs (Ed25519, RSA-2048) with new selectors; the old ones are retired')
    .action(async (name: string, _options: unknown, command: Command) => {
      await withAccounts(command, async (accounts, _store, config) => {
        const domain = normalizeDomain(name);
        await requireLocalDomain(accounts, domain);
        const { added, retired } = await guardedAsync(() => rotateDomainKeys(config.data_dir, domain));
        const out = [
          `new DKIM keys for ${domain}; they sign from now on. Publish their records now:`,
          ...added.map(recordLine),
        ];
        if (retired.length > 0) {
          out.push(
            '',
            'retired keys (no longer signing); keep their records a few days, then remove them with',
            `\`posthorn dkim remove ${domain} SELECTOR\`:`,
            ...retired.map((k) => `  ${k.selector} (${k.algorithm})`),
          );
        }
        process.stdout.write(out.join('\n') + '\n');
      });
    });

  dkim
    .command('remove <domain> <selector>')
    .description('delete a retired key (after its DNS record has been removed)')
    .action(async (name: string, selector: string, _options: unknown, command: Command) => {
      await withAccounts(command, async (accounts, _store, config) => {
        const domain = normalizeDomain(name);
        await requireLocalDomain(accounts, domain);
        const key = guarded(() => removeDomainKey(config.data_dir, domain, selector));
        process.stdout.write(
          `removed DKIM key ${key.selector} of ${domain}; delete the TXT record ${key.selector}._domainkey.${domain}.\n`,
        );
      });
    });
}

function status(k: DkimKey): string {
  return k.signing ? 'signing' : 'retired';
}

function recordLine(k: DkimKey): string {
  return `  ${k.selector}._domainkey.${k.domain}.  IN TXT  ${presentValue({ type: 'TXT', value: k.dnsValue })}`;
}

function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DkimKeyError) throw new UserError(err.message);
    throw err;
  }
}

async function guardedAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DkimKeyError) throw new UserError(err.message);
    throw err;
  }
}
