// Loads the configuration: TOML file, then environment overrides, then defaults from the schema.
// Relative paths become absolute: data_dir and tls.* against the config file's directory, storage.path
// against data_dir. The result is checked as a whole (cross-key rules) before it is returned.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { envOverrides, type Env } from './env.ts';
import { allOptions, isSection, keysOfSection, schemaNode } from './options.ts';
import { isOptionSpec, type Config } from './schema.ts';
import { didYouMean } from './suggest.ts';
import { checkOption, ConfigError, describeValue, type Origin } from './validate.ts';

export { ConfigError };

export const DEFAULT_CONFIG_FILE = 'posthorn.toml';

/** --config FILE, else $POSTHORN_CONFIG, else ./posthorn.toml; absolute. */
export function resolveConfigPath(
  flag: string | undefined,
  env: Env = process.env,
  cwd = process.cwd(),
): string {
  return resolve(cwd, flag ?? env.POSTHORN_CONFIG ?? DEFAULT_CONFIG_FILE);
}

export interface LoadOptions {
  /** Environment for POSTHORN_* overrides; process.env by default. */
  env?: Env;
}

export function loadConfig(file: string, options: LoadOptions = {}): Config {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new ConfigError(
      `config file ${path} not found; create one with \`posthorn init\` or \`posthorn config example > ${path}\``,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  return parseConfig(text, path, options);
}

/** Parses config text as if it were the file `path` (which need not exist). */
export function parseConfig(text: string, path: string, options: LoadOptions = {}): Config {
  let raw: Record<string, unknown>;
  try {
    raw = parse(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new ConfigError(`${path}:${err.line}:${err.column}: TOML syntax error: ${reason}`);
    }
    throw err;
  }
  const values = new Map<string, unknown>();
  collect(raw, [], `in ${path}`, values);
  for (const override of envOverrides(options.env ?? process.env)) {
    values.set(override.entry.key, checkOption(override.entry, override.value, override.origin));
  }
  return finish(values, dirname(path), path, `in ${path}`);
}

export type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends readonly unknown[]
    ? T[K]
    : T[K] extends object | null
      ? DeepPartial<NonNullable<T[K]>> | Extract<T[K], null>
      : T[K];
};

/**
 * Defaults with `overrides` on top, checked like a file (tests, and tools that build a config in code).
 * Relative paths are taken from `baseDir` (the current directory by default). No environment overrides.
 */
export function configFromDefaults(
  overrides: DeepPartial<Omit<Config, 'source'>> = {},
  baseDir = process.cwd(),
): Config {
  const values = new Map<string, unknown>();
  collect(overrides as Record<string, unknown>, [], 'in overrides', values);
  return finish(values, baseDir, null, 'in overrides');
}

/** Walks a raw table against the schema: unknown keys and wrong shapes are errors; option values are checked. */
function collect(
  raw: Record<string, unknown>,
  path: string[],
  origin: Origin,
  values: Map<string, unknown>,
): void {
  for (const [name, value] of Object.entries(raw)) {
    const childPath = [...path, name];
    const key = childPath.join('.');
    const node = schemaNode(childPath);
    if (node === undefined) {
      const known = keysOfSection(path);
      throw new ConfigError(
        `unknown key ${key} ${origin}${didYouMean(key, known)}; known keys: ${known.join(', ')}`,
      );
    }
    if (isOptionSpec(node)) {
      const entry = allOptions().find((option) => option.key === key)!;
      if (value === undefined) continue;
      values.set(key, checkOption(entry, value, origin));
    } else if (isSection(node)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
        throw new ConfigError(`${key} ${origin}: expected a table [${key}], got ${describeValue(value)}`);
      }
      collect(value as Record<string, unknown>, childPath, origin, values);
    }
  }
}

function finish(
  values: Map<string, unknown>,
  baseDir: string,
  source: string | null,
  origin: Origin,
): Config {
  const root: Record<string, unknown> = {};
  for (const entry of allOptions()) {
    const value = values.has(entry.key) ? values.get(entry.key) : structuredClone(entry.spec.default);
    let node = root;
    for (const part of entry.path.slice(0, -1)) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[entry.path.at(-1)!] = value;
  }
  const config = root as unknown as Config & { source: string | null };
  config.source = source;
  config.data_dir = resolve(baseDir, config.data_dir);
  if (config.tls.cert !== null) config.tls.cert = resolve(baseDir, config.tls.cert);
  if (config.tls.key !== null) config.tls.key = resolve(baseDir, config.tls.key);
  if (config.storage.path !== ':memory:') config.storage.path = resolve(config.data_dir, config.storage.path);
  checkWhole(config, origin);
  return config;
}

/** Rules that involve more than one key. */
function checkWhole(config: Config, origin: Origin): void {
  if ((config.tls.cert === null) !== (config.tls.key === null)) {
    throw new ConfigError(
      `tls.cert and tls.key ${origin}: give both, or neither for a generated self-signed pair`,
    );
  }
  if (config.storage.backend === 'postgres' && !config.storage.url) {
    throw new ConfigError(`storage.url ${origin}: required when storage.backend = "postgres"`);
  }
  if (config.queue.min_backoff_s > config.queue.max_backoff_s) {
    throw new ConfigError(
      `queue.min_backoff_s ${origin}: expected at most queue.max_backoff_s (${config.queue.max_backoff_s}), ` +
        `got ${config.queue.min_backoff_s}`,
    );
  }
  const seen = new Map<string, string>();
  for (const [name, addresses] of Object.entries(config.listen)) {
    for (const address of addresses) {
      if (address.endsWith(':0')) continue; // port 0: each listener gets its own free port
      const other = seen.get(address);
      if (other !== undefined) {
        throw new ConfigError(`listen.${name} ${origin}: ${address} is already used by listen.${other}`);
      }
      seen.set(address, name);
    }
  }
}
