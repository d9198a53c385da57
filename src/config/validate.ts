// Checks one option value against its schema entry: type, choices, bounds, and the shapes that only
// some keys have (listen addresses, routes, host names). Every error names the key, where the value came
// from, what was expected and what was found.

import { formatHostPort, parseHostPort } from '../net/host-port.ts';
import type { OptionEntry } from './options.ts';
import type { RouteSpec } from './schema.ts';
import { didYouMean } from './suggest.ts';

/** A configuration problem, with a message precise enough to fix it without reading code. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Where a value came from, e.g. "in /etc/posthorn.toml" or "from environment variable POSTHORN_HOSTNAME". */
export type Origin = string;

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return `an array (${truncate(JSON.stringify(value))})`;
  if (typeof value === 'object') {
    // TOML dates arrive as Date subclasses.
    if (value instanceof Date) return `a date (${value.toISOString()})`;
    return `a table (${truncate(JSON.stringify(value))})`;
  }
  return typeof value;
}

function truncate(text: string): string {
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

export function integerExpectation(min: number | undefined, max: number | undefined): string {
  const hasMin = min !== undefined && min > Number.MIN_SAFE_INTEGER;
  const hasMax = max !== undefined && max < Number.MAX_SAFE_INTEGER;
  if (hasMin && hasMax) return `an integer from ${min} to ${max}`;
  if (hasMin) return `an integer >= ${min}`;
  if (hasMax) return `an integer <= ${max}`;
  return 'an integer';
}

function fail(entry: OptionEntry, origin: Origin, expected: string, value: unknown, extra = ''): never {
  throw new ConfigError(`${entry.key} ${origin}: expected ${expected}, got ${describeValue(value)}${extra}`);
}

const HOSTNAME =
  /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export function isHostname(value: string): boolean {
  return HOSTNAME.test(value);
}

/** Returns the checked value, normalised where the schema allows several spellings. */
export function checkOption(entry: OptionEntry, value: unknown, origin: Origin): unknown {
  const { spec } = entry;
  switch (spec.type) {
    case 'string': {
      if (value === null && spec.default === null) return null;
      if (typeof value !== 'string') fail(entry, origin, 'a string', value);
      if (spec.choices && !spec.choices.includes(value)) {
        const list = spec.choices.map((c) => JSON.stringify(c)).join(', ');
        fail(entry, origin, `one of ${list}`, value, didYouMean(value, spec.choices, true));
      }
      return refineString(entry, value, origin);
    }
    case 'integer': {
      if (typeof value === 'bigint') fail(entry, origin, integerExpectation(spec.min, spec.max), value);
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        fail(entry, origin, integerExpectation(spec.min, spec.max), value);
      }
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        fail(entry, origin, integerExpectation(spec.min, spec.max), value);
      }
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(entry, origin, 'true or false', value);
      return value;
    case 'string[]': {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        fail(entry, origin, `an array of strings, e.g. ${exampleList(entry)}`, value);
      }
      return refineList(entry, value as string[], origin);
    }
    case 'table':
      return entry.key === 'routes'
        ? checkRoutes(entry, value, origin)
        : checkStringTable(entry, value, origin);
  }
}

function exampleList(entry: OptionEntry): string {
  return entry.path[0] === 'listen' || entry.key === 'dns.servers' ? '["127.0.0.1:25"]' : '["a", "b"]';
}

function refineString(entry: OptionEntry, value: string, origin: Origin): string {
  if (entry.key === 'hostname' && !isHostname(value)) {
    fail(entry, origin, 'a host name such as "mail.example.org"', value);
  }
  if ((entry.key === 'data_dir' || entry.key === 'storage.path') && value === '') {
    fail(entry, origin, 'a non-empty path', value);
  }
  return value;
}

function refineList(entry: OptionEntry, values: string[], origin: Origin): string[] {
  const isListen = entry.path[0] === 'listen';
  if (!isListen && entry.key !== 'dns.servers') return [...values];
  return values.map((item) => {
    try {
      // Listeners must name their port; a DNS server defaults to 53.
      return formatHostPort(parseHostPort(item, isListen ? undefined : 53));
    } catch (err) {
      return fail(entry, origin, '"host:port" (IPv6 as "[::1]:25")', item, ` (${(err as Error).message})`);
    }
  });
}

/** A table option without a shape of its own: string values. */
function checkStringTable(entry: OptionEntry, value: unknown, origin: Origin): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    fail(entry, origin, 'a table of strings', value);
  }
  for (const [name, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new ConfigError(
        `${entry.key}."${name}" ${origin}: expected a string, got ${describeValue(item)}`,
      );
    }
  }
  return { ...(value as Record<string, string>) };
}

const ROUTE_DOMAIN = /^(\*|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9])?)$/i;

function checkRoutes(entry: OptionEntry, value: unknown, origin: Origin): Record<string, RouteSpec> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) {
    fail(entry, origin, 'a table of domain = "host:port"', value);
  }
  const routes: Record<string, RouteSpec> = {};
  for (const [domain, route] of Object.entries(value)) {
    const key = `${entry.key}."${domain}"`;
    if (!ROUTE_DOMAIN.test(domain)) {
      throw new ConfigError(`${key} ${origin}: expected a domain name or "*" as the key`);
    }
    routes[domain.toLowerCase()] = checkRoute(key, route, origin);
  }
  return routes;
}

function checkRoute(key: string, route: unknown, origin: Origin): RouteSpec {
  const hostPort = (text: unknown, where: string): string => {
    if (typeof text !== 'string') {
      throw new ConfigError(`${where} ${origin}: expected "host:port", got ${describeValue(text)}`);
    }
    try {
      return formatHostPort(parseHostPort(text, 25));
    } catch (err) {
      throw new ConfigError(
        `${where} ${origin}: expected "host:port", got ${describeValue(text)} (${(err as Error).message})`,
      );
    }
  };
  if (typeof route === 'string') return hostPort(route, key);
  if (typeof route !== 'object' || route === null || Array.isArray(route) || route instanceof Date) {
    throw new ConfigError(
      `${key} ${origin}: expected "host:port" or { host = "host:port", require_tls = true }, got ${describeValue(route)}`,
    );
  }
  const known = ['host', 'require_tls'];
  for (const name of Object.keys(route)) {
    if (!known.includes(name)) {
      throw new ConfigError(
        `unknown key ${key}.${name} ${origin}${didYouMean(name, known)}; known keys: ${known.join(', ')}`,
      );
    }
  }
  const table = route as { host?: unknown; require_tls?: unknown };
  const result: { host: string; require_tls?: boolean } = { host: hostPort(table.host, `${key}.host`) };
  if (table.require_tls !== undefined) {
    if (typeof table.require_tls !== 'boolean') {
      throw new ConfigError(
        `${key}.require_tls ${origin}: expected true or false, got ${describeValue(table.require_tls)}`,
      );
    }
    result.require_tls = table.require_tls;
  }
  return result;
}
