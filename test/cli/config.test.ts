import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, tempDir } from './run-cli.ts';

describe('posthorn config', () => {
  test('example prints a file that check accepts', async () => {
    const dir = tempDir();
    const example = await runCli(['config', 'example'], { cwd: dir });
    assert.equal(example.code, 0, example.stderr);
    assert.match(example.stdout, /^max_recipients = 100$/m);
    writeFileSync(join(dir, 'posthorn.toml'), example.stdout);
    const check = await runCli(['config', 'check'], { cwd: dir });
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.stdout, `ok: ${join(dir, 'posthorn.toml')}\n`);
  });

  test('check finds the file by --config, then $POSTHORN_CONFIG', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.toml'), 'hostname = "a.test"\n');
    const byFlag = await runCli(['config', 'check', '--config', 'a.toml'], { cwd: dir });
    assert.equal(byFlag.stdout, `ok: ${join(dir, 'a.toml')}\n`);
    const byEnv = await runCli(['config', 'check'], {
      cwd: dir,
      env: { POSTHORN_CONFIG: join(dir, 'a.toml') },
    });
    assert.equal(byEnv.stdout, `ok: ${join(dir, 'a.toml')}\n`);
  });

  test('check reports the precise error on one line and exits 1', async () => {
    const dir = tempDir();
    const file = join(dir, 'posthorn.toml');
    writeFileSync(file, '[listen]\nsmtpp = ["127.0.0.1:25"]\n');
    const result = await runCli(['config', 'check'], { cwd: dir });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `posthorn: unknown key listen.smtpp in ${file} (did you mean listen.smtp?); ` +
        'known keys: listen.smtp, listen.submission, listen.submissions, listen.imap, listen.imaps\n',
    );
  });

  test('check applies environment overrides and reports their errors', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'posthorn.toml'), '');
    const result = await runCli(['config', 'check'], {
      cwd: dir,
      env: { POSTHORN_SMTP_MAX_RECIPIENTS: '5' },
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'posthorn: smtp.max_recipients from environment variable POSTHORN_SMTP_MAX_RECIPIENTS: expected an integer >= 100, got 5\n',
    );
  });

  test('a missing file is an error that says how to create one', async () => {
    const dir = tempDir();
    const result = await runCli(['config', 'check'], { cwd: dir });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^posthorn: config file \S+posthorn.toml not found; create one with `posthorn init`/,
    );
  });
});
