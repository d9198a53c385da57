// docs/config.md, generated from the schema (`npm run docs:config`); a test keeps the file in step.

import { allOptions, type OptionEntry } from './options.ts';
import { tomlValue } from './toml-value.ts';
import { integerExpectation } from './validate.ts';

export function renderConfigDocs(): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`. Do not edit by hand. -->',
    '',
    'Posthorn reads one TOML file: the one given with `--config FILE`, else `$POSTHORN_CONFIG`, else',
    '`./posthorn.toml`. `posthorn config example` prints a complete annotated file, and',
    '`posthorn config check` validates one: unknown keys, wrong types, values out of range and malformed',
    'addresses are errors that name the key, the file and what was expected.',
    '',
    'Every option can also be set by an environment variable, which wins over the file:',
    '`POSTHORN_<SECTION>_<KEY>` in upper case, e.g. `POSTHORN_SMTP_MAX_RECIPIENTS=200` or `POSTHORN_HOSTNAME=mx.example.org`.',
    '',
    '- lists: comma-separated, `POSTHORN_LISTEN_SMTP=0.0.0.0:25,[::]:25`; an empty value is an empty list;',
    '- booleans: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`;',
    '- routes: `POSTHORN_ROUTES="crepes.fr=10.0.0.2:25,*=smarthost.example:587"` or a JSON object',
    '  (`{"crepes.fr": {"host": "10.0.0.2:25", "require_tls": true}}`);',
    '- optional strings (`tls.cert`, `storage.url`): an empty value means unset.',
    '',
    'A `POSTHORN_<SECTION>_...` variable that names no option is an error (a typo would otherwise be ignored).',
    '',
    'Paths: `data_dir`, `tls.cert` and `tls.key` are relative to the directory of the config file;',
    '`storage.path` is relative to `data_dir`. Addresses are `"host:port"`, IPv6 as `"[::1]:25"`;',
    'port 0 picks a free port.',
  ];
  const groups = new Map<string, OptionEntry[]>();
  for (const entry of allOptions()) {
    const section = entry.path.length === 1 ? (entry.spec.type === 'table' ? entry.key : '') : entry.path[0]!;
    groups.set(section, [...(groups.get(section) ?? []), entry]);
  }
  for (const [section, entries] of groups) {
    out.push('', section === '' ? '## Top level' : `## [${section}]`, '');
    out.push('| Key | Type | Default | Environment variable | Description |', '|---|---|---|---|---|');
    for (const entry of entries) {
      out.push(
        `| \`${entry.key}\` | ${typeText(entry)} | ${defaultText(entry)} | \`${entry.envName}\` | ${cell(describe(entry))} |`,
      );
    }
  }
  return out.join('\n') + '\n';
}

function typeText(entry: OptionEntry): string {
  const { spec } = entry;
  switch (spec.type) {
    case 'string':
      return spec.default === null ? 'string (optional)' : 'string';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'string[]':
      return 'list of strings';
    case 'table':
      return 'table';
  }
}

function defaultText(entry: OptionEntry): string {
  const value = entry.spec.default;
  if (value === null) return 'not set';
  return `\`${tomlValue(value)}\``;
}

function describe(entry: OptionEntry): string {
  const { spec } = entry;
  const parts = [spec.description];
  if (spec.choices) parts.push(`One of ${spec.choices.map((c) => `\`${c}\``).join(', ')}.`);
  if (spec.type === 'integer') {
    const range = integerExpectation(spec.min, spec.max);
    if (range !== 'an integer') parts.push(`Range: ${range.replace(/^an integer /, '')}.`);
  }
  if (spec.example) parts.push(`Example: \`${spec.example}\`.`);
  return parts.join(' ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
