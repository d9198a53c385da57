// Account profiles of the mail user agent: $XDG_CONFIG_HOME/posthorn/mail.toml (~/.config/posthorn/mail.toml).
// One [[accounts]] table per account; the first is the default. Passwords are never stored in clear: a
// profile names a command that prints it (`pass show mail/alice`), an environment variable, or nothing
// (asked on the terminal). The file is written with mode 0600 and replaced atomically.
//
//   [[accounts]]
//   name = "alice"
//   address = "alice@crepes.fr"
//   display_name = "Alice"
//   password_command = "pass show mail/alice"
//   imap = { host = "mail.crepes.fr", port = 993, tls = "tls", user = "alice@crepes.fr" }
//   smtp = { host = "mail.crepes.fr", port = 465, tls = "tls", user = "alice@crepes.fr" }

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { UserError } from '../cli/errors.ts';

export type TlsMode = 'tls' | 'starttls' | 'none';
export const TLS_MODES: readonly TlsMode[] = ['tls', 'starttls', 'none'];

export interface ServerSettings {
  host: string;
  port: number;
  tls: TlsMode;
  user: string;
}

/** Mailbox names for roles; when absent, the server's special-use flags (RFC 6154) or the usual name decide. */
export interface FolderSettings {
  sent?: string;
  drafts?: string;
  trash?: string;
  archive?: string;
}

export interface MailProfile {
  name: string;
  address: string;
  displayName?: string;
  imap: ServerSettings;
  smtp: ServerSettings;
  passwordCommand?: string;
  passwordEnv?: string;
  /** PEM file with certificates to trust besides the system ones (a self-signed server). */
  caFile?: string;
  folders: FolderSettings;
}

export function mailConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env['XDG_CONFIG_HOME'] && env['XDG_CONFIG_HOME'] !== ''
      ? env['XDG_CONFIG_HOME']
      : join(homedir(), '.config');
  return join(base, 'posthorn', 'mail.toml');
}

export function loadProfiles(path: string): MailProfile[] {
  if (!existsSync(path)) return [];
  let data: Record<string, unknown>;
  try {
    data = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = data['accounts'] ?? [];
  if (!Array.isArray(list))
    throw new UserError(`${path}: "accounts" must be an array of tables ([[accounts]])`);
  const profiles = list.map((entry, i) => profileFromToml(entry, `${path}: accounts[${i}]`));
  const names = new Set<string>();
  for (const p of profiles) {
    if (names.has(p.name)) throw new UserError(`${path}: two accounts are named "${p.name}"`);
    names.add(p.name);
  }
  return profiles;
}

export function saveProfiles(path: string, profiles: readonly MailProfile[]): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const text =
    '# Posthorn mail accounts (posthorn mail account add|list|remove). The first account is the default.\n' +
    stringify({ accounts: profiles.map(profileToToml) }) +
    '\n';
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** By name or address (case-insensitive); the first profile when `wanted` is undefined. */
export function pickProfile(
  profiles: readonly MailProfile[],
  wanted: string | undefined,
  path: string,
): MailProfile {
  if (profiles.length === 0) {
    throw new UserError(`no mail account configured (${path}); add one with: posthorn mail account add`);
  }
  if (wanted === undefined) return profiles[0]!;
  const lower = wanted.toLowerCase();
  const found =
    profiles.find((p) => p.name === wanted) ??
    profiles.find((p) => p.name.toLowerCase() === lower || p.address.toLowerCase() === lower);
  if (!found) {
    throw new UserError(`no mail account "${wanted}"; known: ${profiles.map((p) => p.name).join(', ')}`);
  }
  return found;
}

function profileFromToml(value: unknown, where: string): MailProfile {
  const table = asTable(value, where);
  const folders = table['folders'] === undefined ? {} : asTable(table['folders'], `${where}.folders`);
  const profile: MailProfile = {
    name: str(table, 'name', where),
    address: str(table, 'address', where),
    imap: serverFromToml(table['imap'], `${where}.imap`),
    smtp: serverFromToml(table['smtp'], `${where}.smtp`),
    folders: {},
  };
  const displayName = optStr(table, 'display_name', where);
  if (displayName !== undefined) profile.displayName = displayName;
  const command = optStr(table, 'password_command', where);
  if (command !== undefined) profile.passwordCommand = command;
  const env = optStr(table, 'password_env', where);
  if (env !== undefined) profile.passwordEnv = env;
  const ca = optStr(table, 'ca_file', where);
  if (ca !== undefined) profile.caFile = ca;
  for (const role of ['sent', 'drafts', 'trash', 'archive'] as const) {
    const name = optStr(folders, role, `${where}.folders`);
    if (name !== undefined) profile.folders[role] = name;
  }
  if (table['password'] !== undefined) {
    throw new UserError(
      `${where}: passwords are not stored in the file; use password_command or password_env`,
    );
  }
  return profile;
}

function serverFromToml(value: unknown, where: string): ServerSettings {
  const table = asTable(value, where);
  const port = table['port'];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UserError(`${where}.port: expected a port number 1-65535`);
  }
  const tls = str(table, 'tls', where);
  if (!TLS_MODES.includes(tls as TlsMode)) {
    throw new UserError(`${where}.tls: expected one of ${TLS_MODES.join(', ')}, got "${tls}"`);
  }
  return { host: str(table, 'host', where), port, tls: tls as TlsMode, user: str(table, 'user', where) };
}

function profileToToml(p: MailProfile): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name, address: p.address };
  if (p.displayName !== undefined) out['display_name'] = p.displayName;
  if (p.passwordCommand !== undefined) out['password_command'] = p.passwordCommand;
  if (p.passwordEnv !== undefined) out['password_env'] = p.passwordEnv;
  if (p.caFile !== undefined) out['ca_file'] = p.caFile;
  out['imap'] = { ...p.imap };
  out['smtp'] = { ...p.smtp };
  if (Object.keys(p.folders).length > 0) out['folders'] = { ...p.folders };
  return out;
}

function asTable(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${where}: expected a table`);
  }
  return value as Record<string, unknown>;
}

function str(table: Record<string, unknown>, key: string, where: string): string {
  const value = table[key];
  if (typeof value !== 'string' || value === '')
    throw new UserError(`${where}.${key}: expected a non-empty string`);
  return value;
}

function optStr(table: Record<string, unknown>, key: string, where: string): string | undefined {
  return table[key] === undefined ? undefined : str(table, key, where);
}
