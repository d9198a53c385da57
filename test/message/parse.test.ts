import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../src/message/parse.ts';
import { partAt } from '../../src/message/sections.ts';
import { headerFieldsIn, rawFieldValue } from '../../src/message/header-block.ts';
import type { MimePart } from '../../src/message/types.ts';
import { assertInvariants, bodyOf, headerOf, mimeType } from './mime-assert.ts';

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');

function parse(buf: Buffer, limits?: Parameters<typeof parseMessage>[1]) {
  const parsed = parseMessage(buf, limits);
  assertInvariants(parsed, buf);
  return parsed;
}

function multipartWith(count: number): Buffer {
  let text = 'Content-Type: multipart/mixed; boundary=b\n\n';
  for (let i = 1; i <= count; i++) text += `--b\nContent-Type: text/plain\n\npart ${i}\n`;
  return crlf(text + '--b--\n');
}

describe('parseMessage basics', () => {
  test('empty input', () => {
    const parsed = parse(Buffer.alloc(0));
    assert.equal(parsed.size, 0);
    assert.equal(mimeType(parsed.body), 'text/plain');
    assert.deepEqual(parsed.body.params, { charset: 'us-ascii' });
    assert.equal(parsed.body.encoding, '7BIT');
    assert.deepEqual(parsed.headers, []);
    assert.equal(parsed.eightBit, false);
  });

  test('a body without any header starts after the leading blank line', () => {
    const buf = crlf('\nonly body\n');
    const parsed = parse(buf);
    assert.equal(parsed.body.bodyStart, 2);
    assert.equal(bodyOf(buf, parsed.body), 'only body\r\n');
  });

  test('CRLF and bare LF messages give the same structure', () => {
    const text =
      'Subject: x\nContent-Type: multipart/mixed; boundary="q"\n\npre\n--q\n\none\n--q\nContent-Type: message/rfc822\n\n' +
      'Subject: inner\n\ninner body\n--q--\nepilogue\n';
    const a = parse(crlf(text));
    const b = parse(Buffer.from(text));
    const describe = (p: MimePart): unknown => [
      mimeType(p),
      p.lines,
      p.children.map(describe),
      p.message && describe(p.message.body),
    ];
    assert.deepEqual(describe(a.body), describe(b.body));
    assert.equal(bodyOf(crlf(text), partAt(a.body, [1]) as MimePart), 'one');
    assert.equal(bodyOf(Buffer.from(text), partAt(b.body, [1]) as MimePart), 'one');
  });

  test('header fields: folding, case-insensitive names, WSP before colon, junk lines, first one wins', () => {
    const buf = crlf(
      ' leading continuation ignored\nSUBJECT : first\n\tfolded\nnot a header line\nsubject: second\nX-Empty:\n\nbody',
    );
    const parsed = parse(buf);
    assert.deepEqual(parsed.headers, [
      ['subject', 'first\tfolded'],
      ['subject', 'second'],
      ['x-empty', ''],
    ]);
    assert.equal(parsed.envelope.subject, 'first\tfolded');
    const fields = headerFieldsIn(buf, 0, parsed.body.bodyStart);
    assert.deepEqual(
      fields.map((f) => f.name),
      ['SUBJECT', 'subject', 'X-Empty'],
    );
    const first = fields[0];
    assert.ok(first);
    assert.equal(buf.toString('latin1', first.start, first.end), 'SUBJECT : first\r\n\tfolded\r\n');
    assert.equal(rawFieldValue(buf, first), 'first\tfolded');
  });

  test('Content-* fields for BODYSTRUCTURE', () => {
    const buf = crlf(
      'Content-Type: TEXT/Plain\nContent-Transfer-Encoding: Quoted-Printable (comment)\nContent-ID: <id@x>\n' +
        'Content-Description: =?utf-8?q?d=C3=A9?=\nContent-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n' +
        'Content-Disposition: INLINE; FileName=a.txt\nContent-Language: en-GB, (comment) fr\n' +
        'Content-Location: "http://example.com/\n a.txt"\n\nx',
    );
    const { body } = parse(buf);
    assert.equal(mimeType(body), 'text/plain');
    assert.deepEqual(body.params, { charset: 'us-ascii' }); // text/* default charset, as Dovecot reports it
    assert.equal(body.encoding, 'QUOTED-PRINTABLE');
    assert.equal(body.id, '<id@x>');
    assert.equal(body.description, '=?utf-8?q?d=C3=A9?='); // raw, as IMAP sends it
    assert.equal(body.md5, 'Q2hlY2sgSW50ZWdyaXR5IQ==');
    assert.deepEqual(body.disposition, { type: 'inline', params: { filename: 'a.txt' } });
    assert.deepEqual(body.language, ['en-GB', 'fr']);
    assert.equal(body.location, 'http://example.com/a.txt');
  });

  test('invalid Content-Type and encoding fall back to the defaults', () => {
    const { body } = parse(crlf('Content-Type: garbage\nContent-Transfer-Encoding: ?bad?\n\nx'));
    assert.equal(mimeType(body), 'text/plain');
    assert.deepEqual(body.params, { charset: 'us-ascii' });
    assert.equal(body.encoding, '7BIT');
  });

  test('multipart whose body starts with its delimiter, close delimiter without line break at EOF', () => {
    const buf = crlf('Content-Type: multipart/mixed; boundary=z\n\n--z\n\nA\n--z--');
    const parsed = parse(buf);
    const child = partAt(parsed.body, [1]);
    assert.ok(child);
    assert.equal(child.headerStart, child.bodyStart - 2); // empty header, just the blank line
    assert.equal(bodyOf(buf, child), 'A');
    assert.equal(parsed.body.bodyEnd, buf.length);
  });

  test('same boundary reused by a nested multipart: the innermost one claims the lines until it closes', () => {
    const buf = crlf(
      'Content-Type: multipart/mixed; boundary=same\n\n--same\nContent-Type: multipart/alternative; boundary=same\n\n' +
        '--same\n\ninner\n--same--\n--same\n\nouter second\n--same--\n',
    );
    const parsed = parse(buf);
    // The inner close delimiter retires the inner boundary; the next "--same" is the outer one again.
    assert.equal(parsed.body.children.length, 2);
    assert.equal(mimeType(partAt(parsed.body, [1]) as MimePart), 'multipart/alternative');
    assert.equal(bodyOf(buf, partAt(parsed.body, [1, 1]) as MimePart), 'inner');
    assert.equal(bodyOf(buf, partAt(parsed.body, [2]) as MimePart), 'outer second');
  });

  test('message/global is descended; message/rfc822 with base64 is not', () => {
    const global = parse(crlf('Content-Type: message/global\n\nSubject: grüß\n\nhi'));
    assert.equal(global.body.message?.envelope.subject, 'grüß');
    const encoded = parse(
      crlf('Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA=='),
    );
    assert.equal(mimeType(encoded.body), 'application/octet-stream');
    assert.equal(encoded.body.message, null);
    assert.deepEqual(encoded.warnings, ['message/rfc822 with BASE64 encoding: not descended']);
  });

  test('top-level message/rfc822: part 1 is its body, 1.1 the inner body', () => {
    const buf = crlf('Content-Type: message/rfc822\n\nSubject: inner\n\ninner text');
    const parsed = parse(buf);
    assert.equal(partAt(parsed.body, []), parsed.body);
    assert.equal(partAt(parsed.body, [1]), parsed.body);
    assert.equal(bodyOf(buf, partAt(parsed.body, [1, 1]) as MimePart), 'inner text');
    assert.equal(partAt(parsed.body, [2]), null);
    assert.equal(partAt(parsed.body, [0]), null);
    assert.equal(partAt(parsed.body, [1.5]), null);
  });

  test('message/rfc822 whose header blank line is followed by the boundary stays inside its parent', () => {
    const buf = crlf(
      'Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: message/rfc822\n\nSubject: s\n\n--m--\n',
    );
    const parsed = parse(buf);
    const rfc822 = partAt(parsed.body, [1]);
    assert.ok(rfc822?.message);
    assert.equal(headerOf(buf, rfc822.message.body), 'Subject: s\r\n\r\n');
    assert.equal(rfc822.message.body.size, 0);
  });

  test('JSON round trip keeps everything (the index is stored as JSON)', () => {
    const parsed = parse(
      crlf('From: A <a@x>\nContent-Type: multipart/mixed; boundary=j\n\n--j\n\nx\n--j--\n'),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(parsed)), parsed);
  });

  test('eightBit looks at header and body bytes', () => {
    assert.equal(parse(crlf('Subject: a\n\nb')).eightBit, false);
    assert.equal(parse(crlf('Subject: é\n\nb')).eightBit, true);
    assert.equal(parse(crlf('Subject: a\n\né')).eightBit, true);
  });
});

describe('parseMessage limits', () => {
  test('part count cap: later children are skipped, structure stays valid', () => {
    const buf = multipartWith(10);
    assert.equal(parse(buf).body.children.length, 10);
    const capped = parse(buf, { maxParts: 5 });
    assert.equal(capped.body.children.length, 4);
    assert.deepEqual(capped.warnings, ['more than 5 MIME parts: rest not parsed']);
    assert.equal(capped.body.bodyEnd, buf.length);
    const single = parse(buf, { maxParts: 1 });
    assert.equal(mimeType(single.body), 'application/octet-stream');
    assert.deepEqual(single.body.children, []);
  });

  test('depth cap 0: the top-level multipart is not descended', () => {
    const parsed = parse(multipartWith(2), { maxDepth: 0 });
    assert.equal(mimeType(parsed.body), 'application/octet-stream');
    assert.deepEqual(parsed.warnings, ['MIME nesting deeper than 0: not descended']);
  });

  test('header block over 1 MiB with the default limit', () => {
    const big = 'X-Big: ' + 'a'.repeat(100) + '\n';
    const text =
      big.repeat(11_000) + 'Subject: late\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n';
    const buf = crlf('Subject: early\n' + text);
    const parsed = parse(buf);
    assert.deepEqual(parsed.warnings, ['header block over 1048576 bytes: rest ignored']);
    assert.equal(parsed.envelope.subject, 'early');
    assert.equal(mimeType(parsed.body), 'text/plain');
    assert.equal(bodyOf(buf, parsed.body), '--b\r\n\r\nx\r\n--b--\r\n');
    assert.ok(parsed.headers.length < 11_000);
  });

  test('nonsense limits are replaced by sane ones', () => {
    const buf = multipartWith(3);
    for (const limits of [
      { maxDepth: -1 },
      { maxParts: Number.NaN },
      { maxHeaderBytes: -5 },
      { maxDepth: 1e9 },
    ]) {
      assert.doesNotThrow(() => parse(buf, limits));
    }
    assert.equal(parse(buf, { maxParts: Number.NaN }).body.children.length, 3);
  });

  test('many sibling parts and thousands of nesting levels stay fast and bounded', () => {
    const wide = parse(multipartWith(5000));
    assert.equal(wide.body.children.length, 999);
    let deep = '';
    for (let i = 0; i < 5000; i++) deep += `Content-Type: message/rfc822\n\n`;
    const parsed = parse(crlf(deep + 'x'), { maxDepth: 100_000 });
    assert.deepEqual(parsed.warnings, ['MIME nesting deeper than 500: not descended']);
  });
});
