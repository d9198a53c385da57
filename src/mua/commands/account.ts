// posthorn mail account add|list|remove|check: the profiles in mail.toml.
// `add` asks for the address and password, discovers the servers, checks the login when a password was
// typed, asks where the password will come from later, shows everything and saves only after a yes.
// With --yes it asks nothing: the flags say it all (scripts, tests).

import type { Command } from 'commander';
import { UserError } from '../../cli/errors.ts';
import { discoverSettings, networkDiscoveryDeps, type DiscoveryDeps } from '../discovery/index.ts';
import type { DiscoveredSettings } from '../discovery/types.ts';
import { connectImap } from '../imap-connect.ts';
import {
  loadProfiles,
  mailConfigPath,
  saveProfiles,
  TLS_MODES,
  type MailProfile,
  type ServerSettings,
  type TlsMode,
} from '../profile.ts';
import { renderTable } from '../output/table.ts';
import { detectTerminal } from '../output/style.ts';
import { terminalPrompter, type Prompter } from '../prompt.ts';
import { MailSession, type MuaIo } from '../session.ts';
import { smtpSubmitter } from '../submit.ts';
import { parseRecipients } from '../compose/headers.ts';

export interface AccountAddOptions {
  name?: string;
  address?: string;
  displayName?: string;
  imap?: string;
  smtp?: string;
  tls?: string;
  imapTls?: string;
  smtpTls?: string;
  user?: string;
  passwordCommand?: string;
  passwordEnv?: string;
  caFile?: string;
  yes?: boolean;
  check?: boolean;
}

export interface AccountAddDeps {
  discovery: DiscoveryDeps;
  prompter: Prompter;
  /** Logs in to IMAP and SMTP with the password; throws a UserError saying what failed. */
  checkLogin(profile: MailProfile, password: string): Promise<void>;
}

const DEFAULT_PORTS: Record<'imap' | 'smtp', Record<TlsMode, number>> = {
  imap: { tls: 993, starttls: 143, none: 143 },
  smtp: { tls: 465, starttls: 587, none: 587 },
};

function tlsMode(value: string | undefined, fallback: TlsMode): TlsMode {
  if (value === undefined) return fallback;
  if (!TLS_MODES.includes(value as TlsMode))
    throw new UserError(`--tls: expected one of ${TLS_MODES.join(', ')}`);
  return value as TlsMode;
}

/** "host", "host:port" or "[v6]:port" with the protocol's default port for the TLS mode. */
export function parseServer(
  value: string,
  kind: 'imap' | 'smtp',
  tls: TlsMode,
  user: string,
): ServerSettings {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(value.trim());
  if (!m) throw new UserError(`--${kind}: expected HOST or HOST:PORT, got "${value}"`);
  const port = m[3] === undefined ? DEFAULT_PORTS[kind][tls] : Number(m[3]);
  if (port < 1 || port > 65535) throw new UserError(`--${kind}: port out of range`);
  return { host: (m[1] ?? m[2])!, port, tls, user };
}

function checkAddress(address: string): string {
  const parsed = parseRecipients([address]);
  if (parsed.length !== 1 || parsed[0]!.name !== '')
    throw new UserError(`not an e-mail address: "${address}"`);
  return parsed[0]!.address;
}

function describeServer(s: ServerSettings): string {
  return `${s.host}:${s.port} (${s.tls === 'tls' ? 'implicit TLS' : s.tls === 'starttls' ? 'STARTTLS' : 'no TLS'}), user ${s.user}`;
}

export async function accountAdd(
  io: MuaIo,
  options: AccountAddOptions,
  deps: AccountAddDeps,
): Promise<MailProfile> {
  const path = mailConfigPath(io.env);
  const profiles = loadProfiles(path);
  const interactive = !options.yes;
  const ask = deps.prompter;

  const address = checkAddress(options.address ?? (interactive ? await ask.ask('E-mail address') : ''));
  const sameAddress = profiles.find((p) => p.address.toLowerCase() === address.toLowerCase());
  if (sameAddress && options.name === undefined) {
    throw new UserError(
      `an account named "${sameAddress.name}" exists already for ${address}; give --name to add another`,
    );
  }
  let displayName = options.displayName;
  if (displayName === undefined && interactive)
    displayName = (await ask.ask('Your name, as others see it (optional)')) || undefined;
  const typedPassword =
    interactive && !options.passwordCommand && !options.passwordEnv
      ? await ask.askHidden('Password (used to check the login now, never saved)')
      : '';

  const user = options.user ?? address;
  let imap: ServerSettings;
  let smtp: ServerSettings;
  let source = 'command line';
  if (options.imap && options.smtp) {
    imap = parseServer(options.imap, 'imap', tlsMode(options.imapTls ?? options.tls, 'tls'), user);
    smtp = parseServer(options.smtp, 'smtp', tlsMode(options.smtpTls ?? options.tls, 'tls'), user);
  } else {
    io.stderr.write(`Looking up the mail servers of ${address.split('@')[1]}…\n`);
    const found: DiscoveredSettings | null = await discoverSettings(address, deps.discovery);
    if (!found) {
      throw new UserError(
        `could not find the mail servers of ${address}; give them with --imap HOST:PORT --smtp HOST:PORT --tls MODE`,
      );
    }
    source = found.source;
    imap = options.imap
      ? parseServer(options.imap, 'imap', tlsMode(options.imapTls ?? options.tls, found.imap.tls), user)
      : {
          host: found.imap.host,
          port: found.imap.port,
          tls: found.imap.tls,
          user: options.user ?? found.imap.user ?? address,
        };
    smtp = options.smtp
      ? parseServer(options.smtp, 'smtp', tlsMode(options.smtpTls ?? options.tls, found.smtp.tls), user)
      : {
          host: found.smtp.host,
          port: found.smtp.port,
          tls: found.smtp.tls,
          user: options.user ?? found.smtp.user ?? address,
        };
  }

  const local = address.split('@')[0]!;
  const name = options.name ?? (profiles.some((p) => p.name === local) ? address : local);
  if (profiles.some((p) => p.name === name))
    throw new UserError(`an account named "${name}" exists already (${path})`);
  const profile: MailProfile = { name, address, imap, smtp, folders: {} };
  if (displayName) profile.displayName = displayName;
  if (options.caFile) profile.caFile = options.caFile;
  const check = async (password: string) => {
    io.stderr.write(`Checking the login at ${imap.host} and ${smtp.host}…\n`);
    await deps.checkLogin(profile, password);
    io.stderr.write('Login works.\n');
  };
  // A typed password is checked at once, before more questions.
  if (typedPassword !== '') await check(typedPassword);
  if (options.passwordCommand) profile.passwordCommand = options.passwordCommand;
  else if (options.passwordEnv) profile.passwordEnv = options.passwordEnv;
  else if (interactive) {
    const command = await ask.ask(
      'Command that prints the password (e.g. "pass show mail/' + local + '"; empty: none)',
    );
    if (command) profile.passwordCommand = command;
    else {
      const variable = await ask.ask('Environment variable holding the password (empty: ask each time)');
      if (variable) profile.passwordEnv = variable;
    }
  }

  // Without a typed password (--check), the login is checked with the password from its configured source.
  if (typedPassword === '' && options.check) await check(await passwordForCheck(io, profile));

  const summary = [
    `Account "${name}" for ${displayName ? `${displayName} <${address}>` : address} (settings from ${source})`,
    `  IMAP  ${describeServer(imap)}`,
    `  SMTP  ${describeServer(smtp)}`,
    `  password from ${profile.passwordCommand ? `command: ${profile.passwordCommand}` : profile.passwordEnv ? `$${profile.passwordEnv}` : 'a prompt each time'}`,
  ];
  io.stderr.write(summary.join('\n') + '\n');
  if (interactive && !(await ask.confirm(`Save to ${path}?`, true))) throw new UserError('not saved');
  saveProfiles(path, [...profiles, profile]);
  io.stderr.write(`Saved account "${name}"${profiles.length === 0 ? ' (the default)' : ''} to ${path}\n`);
  return profile;
}

async function passwordForCheck(io: MuaIo, profile: MailProfile): Promise<string> {
  const session = new MailSession(io, profile, mailConfigPath(io.env));
  return session.password();
}

export async function checkLogin(profile: MailProfile, password: string): Promise<void> {
  const client = await connectImap(profile, password);
  await client.logout().catch(() => client.close());
  await smtpSubmitter(profile, password).check();
}

export function registerAccountCommands(mail: Command, io: MuaIo): void {
  const account = mail
    .command('account')
    .description('mail accounts (profiles in $XDG_CONFIG_HOME/posthorn/mail.toml)');
  account
    .command('add')
    .description(
      'add an account: asks, discovers the servers and confirms (or everything from flags with --yes)',
    )
    .argument('[address]', 'e-mail address')
    .option('--name <name>', 'short name for -a (default: the local part)')
    .option('--display-name <name>', 'your name in From')
    .option('--imap <host:port>', 'IMAP server (skips discovery with --smtp)')
    .option('--smtp <host:port>', 'submission server')
    .option('--tls <mode>', 'tls (implicit), starttls or none, for both servers')
    .option('--imap-tls <mode>', 'TLS mode for IMAP only')
    .option('--smtp-tls <mode>', 'TLS mode for SMTP only')
    .option('--user <login>', 'login name (default: the address)')
    .option('--password-command <command>', 'command that prints the password, e.g. "pass show mail/me"')
    .option('--password-env <variable>', 'environment variable holding the password')
    .option('--ca-file <pem>', 'extra CA certificate(s) to trust (self-signed server)')
    .option('--check', 'log in to both servers before saving')
    .option('-y, --yes', 'ask nothing; save what the flags say')
    .action(async (address: string | undefined, options: AccountAddOptions) => {
      const prompter = terminalPrompter(io.stdin, io.stderr);
      try {
        await accountAdd(
          io,
          { ...options, address: address ?? options.address },
          {
            discovery: networkDiscoveryDeps(),
            prompter,
            checkLogin,
          },
        );
      } finally {
        prompter.close();
      }
    });

  account
    .command('list')
    .description('list the configured accounts')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) => {
      const profiles = loadProfiles(mailConfigPath(io.env));
      const rows = profiles.map((p, i) => ({
        name: p.name,
        address: p.address,
        displayName: p.displayName ?? null,
        default: i === 0,
        imap: p.imap,
        smtp: p.smtp,
        password: p.passwordCommand ? 'command' : p.passwordEnv ? 'env' : 'prompt',
      }));
      if (options.json) {
        io.stdout.write(JSON.stringify({ accounts: rows }, null, 2) + '\n');
        return;
      }
      const terminal = detectTerminal(io.stdout, io.env);
      const lines = renderTable(
        rows,
        [
          { header: 'name', value: (r) => r.name + (r.default ? ' *' : '') },
          { header: 'address', value: (r) => r.address, flex: 1 },
          { header: 'imap', value: (r) => `${r.imap.host}:${r.imap.port} ${r.imap.tls}`, flex: 1 },
          { header: 'smtp', value: (r) => `${r.smtp.host}:${r.smtp.port} ${r.smtp.tls}`, flex: 1 },
          { header: 'password', value: (r) => r.password },
        ],
        terminal,
      );
      io.stdout.write(
        rows.length === 0
          ? 'no accounts; add one with: posthorn mail account add\n'
          : lines.join('\n') + '\n',
      );
    });

  account
    .command('remove')
    .description('remove an account from mail.toml (the mail on the server is not touched)')
    .argument('<name>', 'account name or address')
    .action((name: string) => {
      const path = mailConfigPath(io.env);
      const profiles = loadProfiles(path);
      const index = profiles.findIndex(
        (p) => p.name === name || p.address.toLowerCase() === name.toLowerCase(),
      );
      if (index < 0) throw new UserError(`no mail account "${name}"`);
      const [removed] = profiles.splice(index, 1);
      saveProfiles(path, profiles);
      io.stderr.write(`Removed account "${removed!.name}".\n`);
    });

  account
    .command('check')
    .description('log in to the IMAP and SMTP servers of an account')
    .option('-a, --account <name>', 'account name or address')
    .action(async (options: { account?: string }) => {
      const session = MailSession.open(io, options.account);
      await checkLogin(session.profile, await session.password());
      io.stdout.write(`${session.profile.name}: IMAP and SMTP login work\n`);
    });
}
