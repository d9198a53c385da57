// The schema as a flat list of options with their dotted keys and environment variable names.
// Everything derived from the schema (loader, env overrides, example, docs) walks it through here.

import { isOptionSpec, schema, type OptionSpec } from './schema.ts';

export interface OptionEntry {
  /** Path from the root, e.g. ["smtp", "max_recipients"]. */
  path: string[];
  /** Dotted key as written in messages and docs: "smtp.max_recipients". */
  key: string;
  /** POSTHORN_SMTP_MAX_RECIPIENTS */
  envName: string;
  spec: OptionSpec<unknown>;
}

export function envNameFor(path: readonly string[]): string {
  return 'POSTHORN_' + path.join('_').toUpperCase();
}

function walk(node: Record<string, unknown>, path: string[], out: OptionEntry[]): void {
  for (const [name, child] of Object.entries(node)) {
    const childPath = [...path, name];
    if (isOptionSpec(child)) {
      out.push({ path: childPath, key: childPath.join('.'), envName: envNameFor(childPath), spec: child });
    } else {
      walk(child as Record<string, unknown>, childPath, out);
    }
  }
}

let cachedOptions: OptionEntry[] | undefined;

/** Every option in schema order. */
export function allOptions(): OptionEntry[] {
  if (!cachedOptions) {
    cachedOptions = [];
    walk(schema as unknown as Record<string, unknown>, [], cachedOptions);
  }
  return cachedOptions;
}

/** The schema node at `path`: an option, a section, or undefined when no such key exists. */
export function schemaNode(
  path: readonly string[],
): OptionSpec<unknown> | Record<string, unknown> | undefined {
  let node: unknown = schema;
  for (const part of path) {
    if (isOptionSpec(node) || typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) {
      return undefined;
    }
    node = (node as Record<string, unknown>)[part];
  }
  return node as OptionSpec<unknown> | Record<string, unknown>;
}

/** Names directly inside a section, as dotted keys (for "known keys: ..." in messages). */
export function keysOfSection(path: readonly string[]): string[] {
  const node = schemaNode(path);
  if (!node || isOptionSpec(node)) return [];
  return Object.keys(node).map((name) => [...path, name].join('.'));
}

/** The top-level sections ([listen], [smtp], ...) in schema order; options that are tables count as sections. */
export function isSection(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !isOptionSpec(node);
}
