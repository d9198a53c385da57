import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { renderConfigDocs } from '../../src/config/docs.ts';
import { renderExampleToml } from '../../src/config/example.ts';
import { configFromDefaults, parseConfig } from '../../src/config/load.ts';
import { allOptions } from '../../src/config/options.ts';

const FILE = '/srv/posthorn/posthorn.toml';

describe('config example', () => {
  test('round-trips through the loader to exactly the defaults', () => {
    const loaded = parseConfig(renderExampleToml(), FILE, { env: {} });
    const defaults = configFromDefaults({}, '/srv/posthorn');
    assert.deepEqual({ ...loaded, source: null }, defaults);
  });

  test('names every option with its description and environment variable', () => {
    const text = renderExampleToml();
    const flat = text.replace(/\n# /g, ' ');
    for (const option of allOptions()) {
      assert.ok(flat.includes(option.spec.description), `description of ${option.key} missing`);
      assert.ok(text.includes(option.envName), `${option.envName} missing`);
    }
  });

  test('given values are active, the rest commented out with their defaults, and it still loads', () => {
    const text = renderExampleToml({
      values: {
        hostname: 'mx.crepes.fr',
        'listen.smtp': ['0.0.0.0:25'],
        routes: { 'hamburger.edu': '127.0.0.1:3525' },
      },
      commentDefaults: true,
    });
    assert.match(text, /^hostname = "mx.crepes.fr"$/m);
    assert.match(text, /^smtp = \["0.0.0.0:25"\]$/m);
    assert.match(text, /^# max_recipients = 100$/m);
    assert.match(text, /^"hamburger.edu" = "127.0.0.1:3525"$/m);
    const config = parseConfig(text, FILE, { env: {} });
    assert.equal(config.hostname, 'mx.crepes.fr');
    assert.deepEqual(config.listen.smtp, ['0.0.0.0:25']);
    assert.deepEqual(config.routes, { 'hamburger.edu': '127.0.0.1:3525' });
    assert.equal(config.smtp.max_recipients, 100);
  });
});

describe('docs/config.md', () => {
  test('is up to date with the schema (run `npm run docs:config`)', () => {
    const onDisk = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'config.md'), 'utf8');
    assert.equal(onDisk, renderConfigDocs(), 'docs/config.md is stale: run `npm run docs:config`');
  });

  test('lists every option with its environment variable', () => {
    const docs = renderConfigDocs();
    for (const option of allOptions()) {
      assert.ok(docs.includes(`| \`${option.key}\` |`), `${option.key} missing`);
      assert.ok(docs.includes(`\`${option.envName}\``), `${option.envName} missing`);
    }
  });
});
