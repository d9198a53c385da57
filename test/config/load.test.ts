import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ConfigError,
  configFromDefaults,
  loadConfig,
  parseConfig,
  resolveConfigPath,
} from '../../src/config/load.ts';

const FILE = '/etc/posthorn/posthorn.toml';
const parse = (text: string, env: Record<string, string> = {}) => parseConfig(text, FILE, { env });
const errorOf = (text: string, env: Record<string, string> = {}): string => {
  try {
    parse(text, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a ConfigError');
};

describe('config loader: defaults', () => {
  test('an empty file gives the schema defaults, paths made absolute', () => {
    const config = parse('');
    assert.equal(config.hostname, 'localhost');
    assert.equal(config.smtp.max_recipients, 100);
    assert.deepEqual(config.listen.smtp, ['127.0.0.1:2525']);
    assert.deepEqual(config.routes, {});
    assert.equal(config.tls.cert, null);
    assert.equal(config.data_dir, '/etc/posthorn/data');
    assert.equal(config.storage.path, '/etc/posthorn/data/posthorn.db');
    assert.equal(config.source, FILE);
  });

  test('file values replace defaults; other options keep theirs', () => {
    const config = parse(
      'hostname = "mx.crepes.fr"\n[smtp]\nmax_recipients = 250\n[imap]\nallow_insecure_auth = true\n',
    );
    assert.equal(config.hostname, 'mx.crepes.fr');
    assert.equal(config.smtp.max_recipients, 250);
    assert.equal(config.smtp.max_errors, 10);
    assert.equal(config.imap.allow_insecure_auth, true);
  });

  test('data_dir is relative to the config file, absolute stays; storage.path relative to data_dir', () => {
    assert.equal(parse('data_dir = "../state"').data_dir, '/etc/state');
    assert.equal(parse('data_dir = "/var/lib/posthorn"').storage.path, '/var/lib/posthorn/posthorn.db');
    assert.equal(parse('[storage]\npath = "/srv/mail.db"').storage.path, '/srv/mail.db');
    assert.equal(parse('[storage]\npath = ":memory:"').storage.path, ':memory:');
  });

  test('tls paths are relative to the config file', () => {
    const config = parse('[tls]\ncert = "tls/cert.pem"\nkey = "/k.pem"');
    assert.equal(config.tls.cert, '/etc/posthorn/tls/cert.pem');
    assert.equal(config.tls.key, '/k.pem');
  });

  test('configFromDefaults takes a deep partial and checks it', () => {
    const config = configFromDefaults({ smtp: { max_recipients: 150 }, listen: { smtp: [] } }, '/tmp/x');
    assert.equal(config.smtp.max_recipients, 150);
    assert.equal(config.smtp.max_errors, 10);
    assert.deepEqual(config.listen.smtp, []);
    assert.deepEqual(config.listen.imap, ['127.0.0.1:2143']);
    assert.equal(config.data_dir, '/tmp/x/data');
    assert.equal(config.source, null);
    assert.throws(
      () => configFromDefaults({ smtp: { max_recipients: 5 } }),
      /^ConfigError: smtp.max_recipients in overrides: expected an integer >= 100, got 5$/,
    );
  });

  test('each call returns fresh arrays (no shared defaults)', () => {
    const a = configFromDefaults();
    a.listen.smtp.push('127.0.0.1:1');
    assert.deepEqual(configFromDefaults().listen.smtp, ['127.0.0.1:2525']);
  });
});

describe('config loader: errors name file, key and expectation', () => {
  test('unknown key with a suggestion and the known keys', () => {
    assert.equal(
      errorOf('[listen]\nsmtpp = ["127.0.0.1:25"]'),
      `unknown key listen.smtpp in ${FILE} (did you mean listen.smtp?); ` +
        'known keys: listen.smtp, listen.submission, listen.submissions, listen.imap, listen.imaps',
    );
  });

  test('unknown top-level key and unknown section', () => {
    assert.match(
      errorOf('hostnme = "x"'),
      /^unknown key hostnme in \S+ \(did you mean hostname\?\); known keys: hostname, data_dir, listen,/,
    );
    assert.match(errorOf('[smtpd]\nx = 1'), /^unknown key smtpd in .*\(did you mean smtp\?\)/);
  });

  test('wrong type', () => {
    assert.equal(
      errorOf('[smtp]\nmax_recipients = "100"'),
      `smtp.max_recipients in ${FILE}: expected an integer >= 100, got "100"`,
    );
    assert.equal(
      errorOf('[imap]\nallow_insecure_auth = "yes"'),
      `imap.allow_insecure_auth in ${FILE}: expected true or false, got "yes"`,
    );
    assert.equal(errorOf('hostname = 5'), `hostname in ${FILE}: expected a string, got 5`);
    assert.match(
      errorOf('[listen]\nsmtp = "127.0.0.1:25"'),
      /^listen.smtp in \S+: expected an array of strings, e.g. \["127.0.0.1:25"\], got "127.0.0.1:25"$/,
    );
    assert.equal(errorOf('smtp = 1'), `smtp in ${FILE}: expected a table [smtp], got 1`);
    assert.match(errorOf('[smtp]\nmax_recipients = 100.5'), /expected an integer >= 100, got 100.5$/);
  });

  test('bad choice with a suggestion', () => {
    assert.equal(
      errorOf('[storage]\nbackend = "sqlit"'),
      `storage.backend in ${FILE}: expected one of "sqlite", "postgres", got "sqlit" (did you mean "sqlite"?)`,
    );
    assert.equal(
      errorOf('[log]\nlevel = "verbose"'),
      `log.level in ${FILE}: expected one of "trace", "debug", "info", "warn", "error", "fatal", "silent", got "verbose"`,
    );
  });

  test('bounds', () => {
    assert.equal(
      errorOf('[smtp]\nmax_recipients = 99'),
      `smtp.max_recipients in ${FILE}: expected an integer >= 100, got 99`,
    );
    assert.equal(
      errorOf('[dns]\ntimeout_ms = -1'),
      `dns.timeout_ms in ${FILE}: expected an integer >= 100, got -1`,
    );
  });

  test('listen addresses must be host:port', () => {
    assert.match(
      errorOf('[listen]\nimap = ["localhost"]'),
      /^listen.imap in \S+: expected "host:port" \(IPv6 as "\[::1\]:25"\), got "localhost"/,
    );
    assert.match(errorOf('[listen]\nimap = ["1.2.3.4:70000"]'), /port must be 0-65535/);
    assert.deepEqual(parse('[listen]\nimap = ["[::1]:143", "0.0.0.0:143"]').listen.imap, [
      '[::1]:143',
      '0.0.0.0:143',
    ]);
  });

  test('the same address on two listeners', () => {
    assert.equal(
      errorOf('[listen]\nsmtp = ["127.0.0.1:2525"]\nimap = ["127.0.0.1:2525"]'),
      `listen.imap in ${FILE}: 127.0.0.1:2525 is already used by listen.smtp`,
    );
    // Port 0 means "any free port", so it may repeat.
    assert.doesNotThrow(() => parse('[listen]\nsmtp = ["127.0.0.1:0"]\nimap = ["127.0.0.1:0"]'));
  });

  test('hostname must be a host name', () => {
    assert.match(
      errorOf('hostname = "mail server"'),
      /^hostname in \S+: expected a host name such as "mail.example.org", got "mail server"$/,
    );
  });

  test('cross-key rules', () => {
    assert.match(errorOf('[tls]\ncert = "c.pem"'), /^tls.cert and tls.key in \S+: give both/);
    assert.match(
      errorOf('[storage]\nbackend = "postgres"'),
      /^storage.url in \S+: required when storage.backend = "postgres"$/,
    );
    assert.match(
      errorOf('[queue]\nmin_backoff_s = 4000'),
      /^queue.min_backoff_s in \S+: expected at most queue.max_backoff_s \(3600\), got 4000$/,
    );
  });

  test('TOML syntax error names file, line and column', () => {
    assert.match(errorOf('hostname = "x"\n[listen\n'), new RegExp(`^${FILE}:2:\\d+: TOML syntax error: \\S`));
    assert.match(errorOf('a = [\n'), new RegExp(`^${FILE}:\\d+:\\d+: TOML syntax error: `));
  });

  test('missing file', () => {
    assert.throws(() => loadConfig('/nonexistent/posthorn.toml'), {
      name: 'ConfigError',
      message: /^config file \/nonexistent\/posthorn.toml not found; create one with `posthorn init`/,
    });
  });
});

describe('config loader: routes', () => {
  test('string and inline table forms; port 25 by default; domains lower-cased', () => {
    const config = parse(
      '[routes]\n"Hamburger.edu" = "127.0.0.1:3525"\n"crepes.fr" = { host = "10.0.0.2", require_tls = true }\n"*" = "smarthost.example:587"',
    );
    assert.deepEqual(config.routes, {
      'hamburger.edu': '127.0.0.1:3525',
      'crepes.fr': { host: '10.0.0.2:25', require_tls: true },
      '*': 'smarthost.example:587',
    });
  });

  test('bad routes', () => {
    assert.match(
      errorOf('[routes]\n"a.org" = 25'),
      /^routes."a.org" in \S+: expected "host:port" or \{ host = "host:port", require_tls = true \}, got 25$/,
    );
    assert.match(
      errorOf('[routes]\n"a.org" = { hots = "x:25" }'),
      /^unknown key routes."a.org".hots in \S+ \(did you mean host\?\); known keys: host, require_tls$/,
    );
    assert.match(
      errorOf('[routes]\n"a.org" = { host = "x:25", require_tls = "yes" }'),
      /^routes."a.org".require_tls in \S+: expected true or false, got "yes"$/,
    );
    assert.match(
      errorOf('[routes]\n"a.org" = { require_tls = true }'),
      /^routes."a.org".host in \S+: expected "host:port", got nothing$/,
    );
    assert.match(
      errorOf('[routes]\n"bad domain" = "x:25"'),
      /^routes."bad domain" in \S+: expected a domain name or "\*" as the key$/,
    );
  });
});

describe('config loader: environment overrides', () => {
  test('every kind of option', () => {
    const config = parse('[smtp]\nmax_recipients = 150', {
      POSTHORN_SMTP_MAX_RECIPIENTS: '200',
      POSTHORN_HOSTNAME: 'mx.hamburger.edu',
      POSTHORN_LISTEN_SMTP: '127.0.0.1:25, [::1]:25',
      POSTHORN_LISTEN_IMAP: '',
      POSTHORN_IMAP_ALLOW_INSECURE_AUTH: 'yes',
      POSTHORN_TLS_CERT: '',
      POSTHORN_LOG_LEVEL: 'debug',
    });
    assert.equal(config.smtp.max_recipients, 200);
    assert.equal(config.hostname, 'mx.hamburger.edu');
    assert.deepEqual(config.listen.smtp, ['127.0.0.1:25', '[::1]:25']);
    assert.deepEqual(config.listen.imap, []);
    assert.equal(config.imap.allow_insecure_auth, true);
    assert.equal(config.tls.cert, null);
    assert.equal(config.log.level, 'debug');
  });

  test('POSTHORN_DATA_DIR is relative to the config file too', () => {
    assert.equal(parse('', { POSTHORN_DATA_DIR: 'var' }).data_dir, '/etc/posthorn/var');
  });

  test('routes as "domain=host:port,..." and as JSON', () => {
    assert.deepEqual(parse('', { POSTHORN_ROUTES: 'crepes.fr=127.0.0.1:2525,*=[::1]:25' }).routes, {
      'crepes.fr': '127.0.0.1:2525',
      '*': '[::1]:25',
    });
    assert.deepEqual(
      parse('', { POSTHORN_ROUTES: '{"crepes.fr": {"host": "10.0.0.2:25", "require_tls": true}}' }).routes,
      { 'crepes.fr': { host: '10.0.0.2:25', require_tls: true } },
    );
    assert.match(
      errorOf('', { POSTHORN_ROUTES: 'crepes.fr' }),
      /^routes from environment variable POSTHORN_ROUTES: expected "domain=host:port,..." or a JSON object, got "crepes.fr"$/,
    );
    assert.match(
      errorOf('', { POSTHORN_ROUTES: '{"a":' }),
      /^routes from environment variable POSTHORN_ROUTES: invalid JSON/,
    );
  });

  test('bad values name the variable', () => {
    assert.equal(
      errorOf('', { POSTHORN_SMTP_MAX_RECIPIENTS: 'many' }),
      'smtp.max_recipients from environment variable POSTHORN_SMTP_MAX_RECIPIENTS: expected an integer >= 100, got "many"',
    );
    assert.equal(
      errorOf('', { POSTHORN_QUEUE_REQUIRE_TLS: 'maybe' }),
      'queue.require_tls from environment variable POSTHORN_QUEUE_REQUIRE_TLS: expected true or false, got "maybe"',
    );
  });

  test('a misspelt variable in a known section is an error; other POSTHORN_ names are not ours', () => {
    assert.equal(
      errorOf('', { POSTHORN_SMTP_MAX_RECIPENTS: '200' }),
      'unknown environment variable POSTHORN_SMTP_MAX_RECIPENTS (did you mean POSTHORN_SMTP_MAX_RECIPIENTS?)',
    );
    assert.doesNotThrow(() => parse('', { POSTHORN_CONFIG: '/x', POSTHORN_TEST_PG: 'y' }));
  });
});

describe('config file path', () => {
  test('--config, else $POSTHORN_CONFIG, else ./posthorn.toml', () => {
    assert.equal(resolveConfigPath('a.toml', { POSTHORN_CONFIG: '/b.toml' }, '/w'), '/w/a.toml');
    assert.equal(resolveConfigPath(undefined, { POSTHORN_CONFIG: '/b.toml' }, '/w'), '/b.toml');
    assert.equal(resolveConfigPath(undefined, {}, '/w'), '/w/posthorn.toml');
  });

  test('loadConfig reads the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'posthorn-config-'));
    const file = join(dir, 'posthorn.toml');
    writeFileSync(file, 'hostname = "mx.test"\n');
    const config = loadConfig(file, { env: {} });
    assert.equal(config.hostname, 'mx.test');
    assert.equal(config.data_dir, join(dir, 'data'));
  });
});
