// Environment overrides: every option can be set as POSTHORN_<SECTION>_<KEY> (POSTHORN_SMTP_MAX_RECIPIENTS,
// POSTHORN_HOSTNAME). Text is converted to the option's type here; the value is then checked like a file value.
//   lists:   comma-separated            POSTHORN_LISTEN_SMTP=127.0.0.1:25,[::1]:25   (empty = no entries)
//   boolean: true/false, 1/0, yes/no, on/off
//   routes:  "domain=host:port,..."     or JSON: {"crepes.fr": {"host": "10.0.0.2:25", "require_tls": true}}
//   optional strings (tls.cert, storage.url): empty = unset

import { allOptions, envNameFor, isSection, schemaNode, type OptionEntry } from './options.ts';
import { schema } from './schema.ts';
import { didYouMean } from './suggest.ts';
import { ConfigError } from './validate.ts';

export type Env = Record<string, string | undefined>;

/** Not options: the config file path. Other POSTHORN_* names outside the schema's sections are ignored. */
const RESERVED = new Set(['POSTHORN_CONFIG']);

export interface EnvOverride {
  entry: OptionEntry;
  value: unknown;
  origin: string;
}

export function envOverrides(env: Env): EnvOverride[] {
  checkUnknownEnv(env);
  const overrides: EnvOverride[] = [];
  for (const entry of allOptions()) {
    const text = env[entry.envName];
    if (text === undefined) continue;
    const origin = `from environment variable ${entry.envName}`;
    overrides.push({ entry, value: convert(entry, text, origin), origin });
  }
  return overrides;
}

function convert(entry: OptionEntry, text: string, origin: string): unknown {
  const { spec } = entry;
  switch (spec.type) {
    case 'string':
      return text === '' && spec.default === null ? null : text;
    case 'integer':
      return /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      return text;
    }
    case 'string[]':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'table':
      return parseRoutesText(entry, text, origin);
  }
}

function parseRoutesText(entry: OptionEntry, text: string, origin: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch (err) {
      throw new ConfigError(`${entry.key} ${origin}: invalid JSON (${(err as Error).message})`);
    }
  }
  const routes: Record<string, string> = {};
  for (const item of trimmed.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError(
        `${entry.key} ${origin}: expected "domain=host:port,..." or a JSON object, got ${JSON.stringify(item.trim())}`,
      );
    }
    routes[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return routes;
}

/** A POSTHORN_SMTP_* name that is no option is a typo, not someone else's variable. */
function checkUnknownEnv(env: Env): void {
  const known = allOptions().map((entry) => entry.envName);
  const sectionPrefixes = Object.keys(schema)
    .filter((name) => isSection(schemaNode([name])))
    .map((name) => envNameFor([name]) + '_');
  for (const name of Object.keys(env)) {
    if (RESERVED.has(name) || known.includes(name)) continue;
    if (sectionPrefixes.some((prefix) => name.startsWith(prefix))) {
      throw new ConfigError(`unknown environment variable ${name}${didYouMean(name, known)}`);
    }
  }
}
