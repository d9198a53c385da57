// `posthorn init`: a new server in one command. Writes an annotated config (never over an existing one),
// creates the store, the domain, an admin account and the postmaster@ alias to it (RFC 5321 §4.5.1),
// and prints the DNS records to publish. All input is checked before anything is written.

import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { AccountService, normalizeDomain, parseAddress } from '../accounts/index.ts';
import { renderExampleToml } from '../config/example.ts';
import { parseConfig } from '../config/load.ts';
import { isHostname } from '../config/validate.ts';
import { silentLogger } from '../log/logger.ts';
import { openStore } from '../storage/open.ts';
import { configPathOf } from './config-file.ts';
import { ensureDomainKeys } from '../auth/index.ts';
import { dnsRecordsFromConfig, formatDnsRecords } from '../dns-records/index.ts';
import { UserError } from './errors.ts';
import { generatePassword, readPasswordFromStdin } from './password-input.ts';

interface InitOptions {
  hostname: string;
  domain: string;
  dataDir?: string;
  admin?: string;
  passwordStdin?: boolean;
  public?: boolean;
}

/** Standard ports on every IPv4 address, for a server on the Internet. */
const PUBLIC_LISTENERS = {
  'listen.smtp': ['0.0.0.0:25'],
  'listen.submission': ['0.0.0.0:587'],
  'listen.submissions': ['0.0.0.0:465'],
  'listen.imap': ['0.0.0.0:143'],
  'listen.imaps': ['0.0.0.0:993'],
};

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('set up a new server: config file, store, domain, admin account, postmaster alias')
    .requiredOption('--hostname <name>', 'host name of this server (its MX target), e.g. mail.example.org')
    .requiredOption('--domain <domain>', 'first mail domain, e.g. example.org')
    .option('--data-dir <dir>', 'where the store and TLS keys go (default: "data" beside the config file)')
    .option('--admin <address>', 'admin account to create (default: admin@DOMAIN)')
    .option('--password-stdin', "read the admin's password from standard input instead of generating one")
    .option('--public', 'listen on the standard ports (25, 587, 465, 143, 993) on all IPv4 addresses')
    .action(async (options: InitOptions, command: Command) => {
      await init(options, configPathOf(command));
    });
}

async function init(options: InitOptions, configPath: string): Promise<void> {
  if (existsSync(configPath)) {
    throw new UserError(
      `${configPath} already exists; init never overwrites a config (use --config for another)`,
    );
  }
  if (!isHostname(options.hostname)) {
    throw new UserError(
      `--hostname: expected a host name such as "mail.example.org", got "${options.hostname}"`,
    );
  }
  const domain = normalizeDomain(options.domain);
  const admin = parseAddress(options.admin ?? `admin@${domain}`);
  if (admin.domain !== domain)
    throw new UserError(`--admin ${admin.address} must be an address in ${domain}`);
  const postmaster = `postmaster@${domain}`;

  const values: Record<string, unknown> = { hostname: options.hostname };
  if (options.dataDir !== undefined) values.data_dir = dataDirSetting(options.dataDir, dirname(configPath));
  if (options.public) Object.assign(values, PUBLIC_LISTENERS);
  const text = renderExampleToml({
    values,
    commentDefaults: true,
    header: [
      `Posthorn configuration for ${domain}, written by \`posthorn init\`.`,
      'Active lines are the settings of this server; commented lines show the defaults of everything else.',
    ],
  });
  const config = parseConfig(text, configPath);
  const password = options.passwordStdin ? await readPasswordFromStdin() : generatePassword();

  const store = await openStore(config, silentLogger());
  try {
    const accounts = new AccountService(store.accounts);
    await accounts.addDomain(domain);
    await ensureDomainKeys(config.data_dir, domain);
    await accounts.createAccount(admin.address, password);
    if (admin.address.toLowerCase() !== postmaster) await accounts.addAlias(postmaster, [admin.address]);
  } finally {
    await store.close();
  }
  mkdirSync(dirname(configPath), { recursive: true });
  writeFileSync(configPath, text, { flag: 'wx' });

  const out: string[] = [
    `wrote ${configPath}`,
    `created ${store.description}`,
    `added domain ${domain}`,
    `added account ${admin.address}`,
  ];
  if (!options.passwordStdin) {
    out.push(
      `password: ${password}`,
      `  (shown only now; change it with \`posthorn account passwd ${admin.address}\`)`,
    );
  }
  if (admin.address.toLowerCase() !== postmaster) out.push(`added alias ${postmaster} -> ${admin.address}`);
  out.push(
    '',
    `Publish these DNS records so that other servers find this one for ${domain}:`,
    formatDnsRecords(dnsRecordsFromConfig(config, domain)).trimEnd(),
    '',
    `Listening (edit [listen] to change): SMTP ${list(config.listen.smtp)}, submission ${list(config.listen.submission)}, ` +
      `IMAP ${list(config.listen.imap)}${options.public ? `, submissions ${list(config.listen.submissions)}, IMAPS ${list(config.listen.imaps)}` : ''}.`,
    `Start the server: posthorn serve --config ${configPath}`,
  );
  process.stdout.write(out.join('\n') + '\n');
}

function list(addresses: string[]): string {
  return addresses.length === 0 ? 'off' : addresses.join(' ');
}

/** As given when it stays inside the config's directory tree, else absolute. */
function dataDirSetting(dataDir: string, configDir: string): string {
  const absolute = resolve(dataDir);
  const fromConfig = relative(configDir, absolute);
  return fromConfig !== '' && !fromConfig.startsWith('..') && !isAbsolute(fromConfig) ? fromConfig : absolute;
}
