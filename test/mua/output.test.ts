import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  displayAddress,
  displayAddressList,
  displayDomain,
  isMixedScript,
} from '../../src/mua/output/display-address.ts';
import { detectTerminal, paint } from '../../src/mua/output/style.ts';
import { renderTable } from '../../src/mua/output/table.ts';
import { safeJson, safeLine, safeText } from '../../src/mua/output/terminal-safe.ts';
import { textWidth, truncateToWidth } from '../../src/mua/output/text-width.ts';

const addr = (name: string | null, mailbox: string, host: string) => ({ name, adl: null, mailbox, host });

describe('terminal safety', () => {
  test('escape sequences in a subject are shown, not executed', () => {
    assert.equal(safeLine('Hi\x1b]0;pwned\x07 there'), 'Hi\\x1b]0;pwned\\x07 there');
    assert.equal(safeLine('a\r\nb'), 'a\\x0d\\x0ab');
  });
  test('C1 controls and bidi overrides are escaped too', () => {
    assert.equal(safeLine('x\u009b31my'), 'x\\x9b31my');
    assert.equal(safeLine('invoice\u202efdp.exe'), 'invoice\\u202efdp.exe');
  });
  test('bodies keep newlines and tabs, lose the CR of CRLF', () => {
    assert.equal(safeText('line 1\r\n\tline 2\x1b[2J\n'), 'line 1\n\tline 2\\x1b[2J\n');
  });
  test('JSON escapes what JSON.stringify leaves raw, and still parses back', () => {
    const value = { s: 'a\u0085b\u202ec\u2028d\x1be' };
    const json = safeJson(value, 0);
    assert.ok(!/[\u0080-\u009f\u202e\u2028\x1b]/.test(json), json);
    assert.deepEqual(JSON.parse(json), value);
  });
});

describe('addresses on screen', () => {
  test('the real address stands beside the display name', () => {
    assert.equal(
      displayAddress(addr('PayPal Support', 'phish', 'evil.example')),
      'PayPal Support <phish@evil.example>',
    );
    assert.equal(displayAddress(addr(null, 'bob', 'hamburger.edu')), 'bob@hamburger.edu');
  });
  test('a name that looks like an address is quoted so the real one is clear', () => {
    assert.equal(
      displayAddress(addr('boss@company.com', 'x', 'evil.example')),
      '"boss@company.com" <x@evil.example>',
    );
  });
  test('a mixed-script domain is shown as punycode', () => {
    // Latin "p", Cyrillic "а" (U+0430), Latin "ypal".
    assert.equal(displayDomain('p\u0430ypal.com'), 'xn--pypal-4ve.com');
    assert.equal(
      displayAddress(addr('PayPal', 'service', 'p\u0430ypal.com')),
      'PayPal <service@xn--pypal-4ve.com>',
    );
    // The same when it arrives as punycode already.
    assert.equal(displayDomain('xn--pypal-4ve.com'), 'xn--pypal-4ve.com');
  });
  test('single-script IDNs are shown in Unicode', () => {
    assert.equal(displayDomain('xn--bcher-kva.de'), 'bücher.de');
    assert.equal(displayDomain('пример.рф'), 'пример.рф');
    assert.equal(displayDomain('例え.jp'), '例え.jp');
    assert.equal(displayDomain('Crepes.FR'), 'Crepes.FR');
  });
  test('Japanese mixes Han, Hiragana, Katakana and Latin within one label', () => {
    assert.equal(isMixedScript('日本語テストabc'), false);
    assert.equal(isMixedScript('abcгде'), true);
  });
  test('lists skip group markers', () => {
    const list = [
      { name: null, adl: null, mailbox: 'team', host: null },
      addr('A', 'a', 'x.org'),
      { name: null, adl: null, mailbox: null, host: null },
    ];
    assert.equal(displayAddressList(list), 'A <a@x.org>');
  });
});

describe('columns', () => {
  const rows = [
    { id: 1, subject: 'A fairly long subject that will not fit in a narrow terminal' },
    { id: 22, subject: '日本語の件名' },
  ];
  const columns = [
    { header: 'uid', value: (r: (typeof rows)[0]) => String(r.id), align: 'right' as const },
    { header: 'subject', value: (r: (typeof rows)[0]) => r.subject, flex: 1, min: 5 },
  ];
  test('aligned by display width, wide characters counting two', () => {
    assert.equal(textWidth('日本'), 4);
    assert.equal(textWidth('e\u0301'), 1);
    const lines = renderTable(rows, columns, { color: false, width: null });
    assert.deepEqual(lines, [
      'UID  SUBJECT',
      '  1  A fairly long subject that will not fit in a narrow terminal',
      ' 22  日本語の件名',
    ]);
  });
  test('flexible columns are cut to fit the terminal width', () => {
    const lines = renderTable(rows, columns, { color: false, width: 20 });
    for (const line of lines) assert.ok(textWidth(line) <= 20, line);
    assert.equal(lines[1], '  1  A fairly long …');
    assert.equal(truncateToWidth('日本語の件名', 7), '日本語…');
  });
  test('mail text in cells is escaped', () => {
    const lines = renderTable([{ id: 3, subject: 'evil\x1b[31m' }], columns, { color: false, width: null });
    assert.equal(lines[1], '  3  evil\\x1b[31m');
  });
  test('colours only on a terminal, and never with NO_COLOR', () => {
    assert.deepEqual(detectTerminal({ isTTY: false }, {}), { color: false, width: null });
    assert.deepEqual(detectTerminal({ isTTY: false }, { COLUMNS: '100' }), { color: false, width: 100 });
    assert.deepEqual(detectTerminal({ isTTY: true, columns: 120 }, {}), { color: true, width: 120 });
    assert.equal(detectTerminal({ isTTY: true }, { NO_COLOR: '' }).color, false);
    assert.equal(paint('x', 'bold', { color: true, width: null }), '\x1b[1mx\x1b[22m');
    assert.equal(paint('x', 'bold', { color: false, width: null }), 'x');
  });
});
