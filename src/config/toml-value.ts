// Writes option values as TOML text for the generated example and docs.

import type { RouteSpec } from './schema.ts';

export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** TOML basic strings accept JSON's escapes, so JSON.stringify of a string is a valid TOML string. */
export function tomlValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts = Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`);
    return parts.length === 0 ? '{}' : `{ ${parts.join(', ')} }`;
  }
  throw new Error(`cannot write ${String(value)} as TOML`);
}

export function routeLine(domain: string, route: RouteSpec): string {
  return `${tomlKey(domain)} = ${tomlValue(route)}`;
}
