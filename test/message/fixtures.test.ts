// The MIME torture set in test/fixtures/mime/: every file parses, keeps the structural invariants, and has the
// structure, parameters, byte ranges, sizes, lines and envelope written down here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { parseMessage } from '../../src/message/parse.ts';
import { partAt } from '../../src/message/sections.ts';
import { partText } from '../../src/message/body-decode.ts';
import type { MimePart, ParsedMessage } from '../../src/message/types.ts';
import { assertInvariants, bodyOf, fixture, headerOf, mimeType } from './mime-assert.ts';

function load(name: string): { buf: Buffer; parsed: ParsedMessage } {
  const buf = fixture(name);
  const parsed = parseMessage(buf);
  assertInvariants(parsed, buf);
  return { buf, parsed };
}

function at(parsed: ParsedMessage, section: string): MimePart {
  const part = partAt(parsed.body, section.split('.').map(Number));
  assert.ok(part, `no part ${section}`);
  return part;
}

function shape(part: MimePart): unknown {
  const children = part.children.map(shape);
  const inner = part.message ? { message: shape(part.message.body) } : {};
  return children.length ? { [mimeType(part)]: children } : { [mimeType(part)]: inner };
}

describe('MIME fixtures', () => {
  test('every fixture parses without warnings about internals and keeps the invariants', () => {
    const names = readdirSync(new URL('../fixtures/mime/', import.meta.url)).filter((n) =>
      n.endsWith('.eml'),
    );
    assert.ok(names.length >= 20, `only ${names.length} fixtures`);
    for (const name of names) {
      const { parsed } = load(name);
      assert.ok(!parsed.warnings.some((w) => w.startsWith('parser failed')), `${name}: ${parsed.warnings}`);
      assert.doesNotThrow(() => JSON.parse(JSON.stringify(parsed)), name);
    }
  });

  test('01 simple text/plain: envelope fields raw, names decoded, Sender/Reply-To kept', () => {
    const { buf, parsed } = load('01-simple-plain.eml');
    const { envelope, body } = parsed;
    assert.equal(envelope.date, 'Tue, 1 Jul 2025 12:00:00 +0200 (CEST)');
    assert.equal(envelope.subject, 'Lunch on Friday?'); // folded line joined, not decoded
    assert.deepEqual(envelope.from, [
      { name: 'Alice Crêpe', adl: null, mailbox: 'alice', host: 'crepes.fr' },
    ]);
    assert.deepEqual(envelope.sender, [
      { name: 'Secretary', adl: null, mailbox: 'secretary', host: 'crepes.fr' },
    ]);
    assert.deepEqual(envelope.replyTo, [
      { name: 'Alice (replies)', adl: null, mailbox: 'replies', host: 'crepes.fr' },
    ]);
    assert.deepEqual(
      envelope.to?.map((a) => [a.name, a.mailbox, a.host]),
      [
        ['Bob', 'bob', 'hamburger.edu'],
        [null, 'carol', 'hamburger.edu'],
      ],
    );
    assert.equal(envelope.cc?.[0]?.name, 'Dave, the Cc');
    assert.equal(envelope.bcc?.[0]?.mailbox, 'eve');
    assert.equal(envelope.messageId, '<20250701100000.1234@crepes.fr>');
    assert.equal(envelope.inReplyTo, '<prev@hamburger.edu>');
    assert.equal(parsed.sentDate, Date.UTC(2025, 6, 1, 10, 0, 0));
    assert.equal(parsed.eightBit, true);
    assert.deepEqual(parsed.warnings, []);

    assert.equal(mimeType(body), 'text/plain');
    assert.deepEqual(body.params, { charset: 'utf-8' });
    assert.equal(body.encoding, '8BIT');
    const text = 'Hi Bob,\r\n\r\nCrêpes on Friday?\r\n\r\nAlice\r\n';
    assert.equal(buf.subarray(body.bodyStart, body.bodyEnd).toString('utf8'), text);
    assert.equal(body.size, Buffer.byteLength(text));
    assert.equal(body.lines, 5);
    assert.ok(headerOf(buf, body).startsWith('Return-Path: <alice@crepes.fr>\r\n'));
    assert.ok(headerOf(buf, body).endsWith('Content-Transfer-Encoding: 8bit\r\n\r\n'));
    // Header SEARCH sees decoded values, in order, names lower-cased.
    assert.deepEqual(parsed.headers[3], ['from', 'Alice Crêpe <alice@crepes.fr>']);
    assert.equal(parsed.headers.filter(([k]) => k === 'received').length, 1);
    // BODY[1] of a non-multipart message is its body.
    assert.equal(at(parsed, '1'), body);
  });

  test('02 multipart/alternative text + html; preamble excluded from parts', () => {
    const { buf, parsed } = load('02-alternative-text-html.eml');
    assert.deepEqual(shape(parsed.body), {
      'multipart/alternative': [{ 'text/plain': {} }, { 'text/html': {} }],
    });
    assert.deepEqual(parsed.body.params, { boundary: '=_alt_42' });
    const [plain, html] = parsed.body.children as [MimePart, MimePart];
    assert.equal(bodyOf(buf, plain), 'Caf=E9 au lait, soft =\r\nbreak.');
    assert.equal(plain.encoding, 'QUOTED-PRINTABLE');
    assert.deepEqual(plain.params, { charset: 'iso-8859-1' });
    assert.equal(plain.lines, 1);
    assert.equal(partText(buf, plain), 'Café au lait, soft break.');
    assert.equal(
      headerOf(buf, plain),
      'Content-Type: text/plain; charset="iso-8859-1"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
    );
    // The CRLF before the delimiter belongs to the delimiter, the html part keeps its own trailing blank line.
    assert.equal(bodyOf(buf, html), '<html><body><p>Caf&eacute; au lait</p></body></html>\r\n');
    assert.equal(html.size, 54);
    assert.equal(html.lines, 1);
    assert.ok(bodyOf(buf, parsed.body).startsWith('This is a multi-part message in MIME format.\r\n'));
    assert.equal(parsed.body.bodyEnd, buf.length);
  });

  test('03 base64 attachments: dispositions, ids, descriptions, decoded content', () => {
    const { buf, parsed } = load('03-attachments-base64.eml');
    const [text, pdf, png] = parsed.body.children as [MimePart, MimePart, MimePart];
    assert.equal(bodyOf(buf, text), 'See the menu attached.');
    assert.equal(text.lines, 0);
    assert.equal(mimeType(pdf), 'application/pdf');
    assert.deepEqual(pdf.params, { name: 'menu.pdf' });
    assert.equal(pdf.encoding, 'BASE64');
    assert.equal(pdf.description, 'Friday menu');
    assert.deepEqual(pdf.disposition, { type: 'attachment', params: { filename: 'menu.pdf', size: '286' } });
    const decoded = Buffer.from(bodyOf(buf, pdf), 'base64');
    assert.equal(decoded.length, 286);
    assert.ok(decoded.subarray(0, 8).equals(Buffer.from('%PDF-1.4')));
    assert.equal(mimeType(png), 'image/png');
    assert.equal(png.encoding, 'BASE64'); // upper-cased as received ("BASE64" in the file)
    assert.equal(png.id, '<logo@crepes.fr>');
    assert.deepEqual(png.disposition, { type: 'inline', params: {} });
    assert.equal(png.lines, 0); // not counted for non-text parts
    assert.equal(bodyOf(buf, png), 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAA=');
  });

  test('04 nested multiparts three deep, section numbers', () => {
    const { buf, parsed } = load('04-nested-3-deep.eml');
    assert.deepEqual(shape(parsed.body), {
      'multipart/mixed': [
        {
          'multipart/related': [
            { 'multipart/alternative': [{ 'text/plain': {} }, { 'text/html': {} }] },
            { 'image/gif': {} },
          ],
        },
        { 'text/csv': {} },
      ],
    });
    assert.equal(bodyOf(buf, at(parsed, '1.1.1')), 'plain body');
    assert.equal(bodyOf(buf, at(parsed, '1.1.2')), '<p>html body</p>');
    assert.equal(at(parsed, '1.2').id, '<dot@x>');
    assert.deepEqual(at(parsed, '1').params, { boundary: 'related', type: 'multipart/alternative' });
    assert.equal(bodyOf(buf, at(parsed, '2')), 'a,b\r\n1,2');
    assert.equal(at(parsed, '2').lines, 1);
    assert.deepEqual(at(parsed, '2').params, { name: 'data.csv', charset: 'us-ascii' });
    assert.equal(
      headerOf(buf, at(parsed, '1.1')),
      'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n',
    );
    assert.ok(bodyOf(buf, at(parsed, '1.1')).endsWith('--alt--\r\n')); // epilogue up to the outer delimiter
    assert.equal(partAt(parsed.body, [1, 3]), null);
    assert.equal(partAt(parsed.body, [3]), null);
    assert.equal(partAt(parsed.body, [2, 1]), null);
  });

  test('05 message/rfc822 inside multipart: envelope and body of the inner message', () => {
    const { buf, parsed } = load('05-rfc822-in-multipart.eml');
    const forwarded = at(parsed, '2');
    assert.equal(mimeType(forwarded), 'message/rfc822');
    assert.deepEqual(forwarded.params, {});
    assert.equal(forwarded.description, 'forwarded message');
    assert.ok(forwarded.message);
    const { envelope, body } = forwarded.message;
    assert.equal(envelope.subject, 'Lunch');
    assert.equal(envelope.messageId, '<inner@crepes.fr>');
    assert.deepEqual(envelope.from, [{ name: 'Alice', adl: null, mailbox: 'alice', host: 'crepes.fr' }]);
    assert.deepEqual(envelope.sender, envelope.from);
    // BODY[2] is the whole inner message, BODY[2.HEADER] its header, BODY[2.TEXT] its text.
    assert.ok(bodyOf(buf, forwarded).startsWith('From: Alice <alice@crepes.fr>\r\n'));
    assert.ok(bodyOf(buf, forwarded).endsWith('\r\n\r\nCrepes on Friday?'));
    assert.equal(forwarded.lines, 6);
    assert.ok(headerOf(buf, body).endsWith('Message-ID: <inner@crepes.fr>\r\n\r\n'));
    assert.equal(bodyOf(buf, body), 'Crepes on Friday?');
    assert.equal(at(parsed, '2.1'), body); // non-multipart inner body is part 2.1
    assert.equal(
      headerOf(buf, forwarded),
      'Content-Type: message/rfc822\r\nContent-Description: forwarded message\r\n\r\n',
    );
  });

  test('06 message/rfc822 containing a multipart: numbering continues inside', () => {
    const { buf, parsed } = load('06-rfc822-containing-multipart.eml');
    assert.deepEqual(shape(parsed.body), {
      'multipart/mixed': [
        { 'text/plain': {} },
        {
          'message/rfc822': {
            message: { 'multipart/mixed': [{ 'text/plain': {} }, { 'application/octet-stream': {} }] },
          },
        },
      ],
    });
    assert.equal(bodyOf(buf, at(parsed, '2.1')), 'Inner text.');
    assert.equal(bodyOf(buf, at(parsed, '2.2')), 'AAECAwQF');
    assert.deepEqual(at(parsed, '2.2').disposition, { type: 'attachment', params: { filename: 'x.bin' } });
    const inner = at(parsed, '2').message;
    assert.ok(inner);
    assert.equal(inner.envelope.subject, 'Menu attached');
    assert.ok(headerOf(buf, inner.body).startsWith('From: alice@crepes.fr\r\n'));
    assert.ok(bodyOf(buf, inner.body).startsWith('--level1\r\n'));
    assert.ok(bodyOf(buf, at(parsed, '2')).endsWith('--level1--\r\n'));
    assert.equal(at(parsed, '2').lines, 18);
  });

  test('07 missing close delimiters: inner part ends at the outer boundary, last part at EOF', () => {
    const { buf, parsed } = load('07-missing-final-boundary.eml');
    assert.deepEqual(shape(parsed.body), {
      'multipart/mixed': [
        { 'text/plain': {} },
        { 'multipart/alternative': [{ 'text/plain': {} }, { 'text/html': {} }] },
        { 'text/plain': {} },
      ],
    });
    assert.equal(bodyOf(buf, at(parsed, '1')), 'first part');
    assert.equal(bodyOf(buf, at(parsed, '2.1')), 'inner first');
    // The html part's header is cut short by the outer boundary: no body, header without the line break.
    const html = at(parsed, '2.2');
    assert.equal(headerOf(buf, html), 'Content-Type: text/html');
    assert.equal(html.size, 0);
    assert.equal(bodyOf(buf, at(parsed, '3')), 'last part, no close delimiter anywhere\r\n');
    assert.equal(at(parsed, '3').bodyEnd, buf.length);
    assert.equal(parsed.body.bodyEnd, buf.length);
    assert.ok(bodyOf(buf, parsed.body).startsWith('preamble\r\n--cut\r\n'));
  });

  test('08 boundary declared but never used: one text/plain part with a warning', () => {
    const { buf, parsed } = load('08-boundary-never-found.eml');
    assert.equal(mimeType(parsed.body), 'text/plain');
    assert.deepEqual(parsed.body.params, { charset: 'us-ascii' });
    assert.deepEqual(parsed.body.children, []);
    assert.equal(
      bodyOf(buf, parsed.body),
      'This body never uses its boundary.\r\n--elsewhere\r\nStill text.\r\n',
    );
    assert.equal(parsed.body.lines, 3);
    assert.deepEqual(parsed.warnings, ['multipart boundary never found: read as text/plain']);
  });

  test('09 multipart without boundary parameter: one text/plain part with a warning', () => {
    const { buf, parsed } = load('09-missing-boundary-param.eml');
    assert.equal(mimeType(parsed.body), 'text/plain');
    assert.equal(
      bodyOf(buf, parsed.body),
      '--x\r\nContent-Type: text/plain\r\n\r\nlooks like a part\r\n--x--\r\n',
    );
    assert.equal(parsed.body.lines, 5);
    assert.equal(parsed.warnings.length, 1);
  });

  test('10 boundary text mid-line or indented is content; padding allowed; longest prefix wins', () => {
    const { buf, parsed } = load('10-boundary-inside-line.eml');
    assert.deepEqual(shape(parsed.body), {
      'multipart/mixed': [{ 'text/plain': {} }, { 'multipart/alternative': [{ 'text/plain': {} }] }],
    });
    assert.equal(
      bodyOf(buf, at(parsed, '1')),
      'text with --=_b in the middle of a line\r\n --=_b indented is not a boundary either\r\nx--=_b neither',
    );
    assert.equal(at(parsed, '1').lines, 2);
    // "--=_b   " (transport padding) was a delimiter: part 2 starts right after that line.
    assert.ok(headerOf(buf, at(parsed, '2')).startsWith('Content-Type: multipart/alternative'));
    assert.equal(at(parsed, '2').params['boundary'], '=_b_inner');
    assert.equal(bodyOf(buf, at(parsed, '2.1')), 'longest match wins');
  });

  test('11 raw UTF-8 in headers', () => {
    const { parsed } = load('11-8bit-headers-utf8.eml');
    assert.equal(parsed.envelope.subject, 'Grüße aus Köln – ☕');
    assert.deepEqual(parsed.envelope.from, [
      { name: 'Jörg Müller', adl: null, mailbox: 'joerg', host: 'example.de' },
    ]);
    assert.equal(parsed.envelope.to?.[0]?.name, 'Zoë');
    assert.deepEqual(
      parsed.headers.find(([k]) => k === 'subject'),
      ['subject', 'Grüße aus Köln – ☕'],
    );
    assert.equal(parsed.eightBit, true);
  });

  test('12 raw Latin-1 in headers falls back to Latin-1', () => {
    const { buf, parsed } = load('12-8bit-headers-latin1.eml');
    assert.equal(parsed.envelope.subject, 'Información del café');
    assert.equal(parsed.envelope.from?.[0]?.name, 'José');
    assert.equal(partText(buf, parsed.body), 'Mañana.\r\n');
  });

  test('13 wrong and unknown charsets decode gracefully', () => {
    const { buf, parsed } = load('13-wrong-unknown-charsets.eml');
    assert.equal(
      parsed.envelope.subject,
      '=?x-klingon?q?caf=E9?= and =?utf-8?q?ok=C3=A9?=',
      'ENVELOPE keeps the raw text',
    );
    assert.deepEqual(
      parsed.headers.find(([k]) => k === 'subject'),
      ['subject', 'café and oké'],
    );
    const [unknown, asciiButUtf8, utf7, cp1252] = parsed.body.children as [
      MimePart,
      MimePart,
      MimePart,
      MimePart,
    ];
    assert.equal(unknown.params['charset'], 'x-unknown-charset');
    assert.equal(partText(buf, unknown), 'Olé from an unknown charset');
    assert.equal(partText(buf, asciiButUtf8), 'Plain “ascii” that is really UTF-8');
    assert.equal(partText(buf, utf7), '+AGEAYgBj-', 'UTF-7 is refused, bytes kept');
    assert.equal(partText(buf, cp1252), '“quoted” € sign');
  });

  test('14 encoded words: B and Q, adjacent, split multi-byte, invalid left alone', () => {
    const { parsed } = load('14-encoded-words.eml');
    const subject = parsed.headers.find(([k]) => k === 'subject')?.[1];
    assert.equal(subject, 'Hello wörld€ | =?utf-8?X?invalid?= =?utf-8?B?!!!?= =?utf-8?q?unterminated');
    assert.ok(
      parsed.envelope.subject?.startsWith('=?utf-8?B?SGVsbG8g?= =?utf-8?Q?w=C3=B6rld?= =?utf-8?B?4oK=?='),
    );
    assert.equal(parsed.envelope.from?.[0]?.name, 'Keld Jørn Simonsen');
    assert.deepEqual(
      parsed.envelope.to?.map((a) => a.name),
      ['Keith Moore', 'Jörg'],
    );
    assert.equal(parsed.envelope.cc?.[0]?.name, 'André Pirard');
    assert.deepEqual(
      parsed.headers.find(([k]) => k === 'x-mixed'),
      ['x-mixed', 'plain (a) b c'],
    );
  });

  test('15 RFC 2231 parameters: continuations, charsets, precedence over plain values', () => {
    const { parsed } = load('15-rfc2231-filename.eml');
    const [first, second] = parsed.body.children as [MimePart, MimePart];
    assert.deepEqual(first.params, { name: '€ rates.txt' });
    assert.deepEqual(first.disposition, {
      type: 'attachment',
      params: { filename: '€ exchange rates for 2025.txt' },
    });
    assert.deepEqual(second.params, { name: 'long file name in two pieces.txt', charset: 'us-ascii' });
    assert.deepEqual(second.disposition?.params, { filename: 'café.txt' });
  });

  test('16 no Date, From or Subject: nulls, no sent date', () => {
    const { buf, parsed } = load('16-missing-headers.eml');
    const e = parsed.envelope;
    for (const value of [
      e.date,
      e.subject,
      e.from,
      e.sender,
      e.replyTo,
      e.to,
      e.cc,
      e.bcc,
      e.messageId,
      e.inReplyTo,
    ])
      assert.equal(value, null);
    assert.equal(parsed.sentDate, null);
    assert.equal(bodyOf(buf, parsed.body), 'A message without Date, From or Subject.\r\n');
  });

  test('17 empty body after the blank line', () => {
    const { buf, parsed } = load('17-no-body.eml');
    assert.equal(parsed.body.bodyStart, buf.length);
    assert.equal(parsed.body.size, 0);
    assert.equal(parsed.body.lines, 0);
    assert.equal(headerOf(buf, parsed.body), 'From: alice@crepes.fr\r\nSubject: Empty body\r\n\r\n');
  });

  test('18 header without blank line or body: everything is header', () => {
    const { buf, parsed } = load('18-headers-only.eml');
    assert.equal(parsed.body.bodyStart, buf.length);
    assert.equal(parsed.body.bodyEnd, buf.length);
    assert.equal(parsed.envelope.subject, 'No blank line, no body');
  });

  test('19 bare LF line endings: same structure, offsets in the stored bytes', () => {
    const { buf, parsed } = load('19-bare-lf.eml');
    assert.ok(!buf.includes('\r'));
    assert.deepEqual(shape(parsed.body), { 'multipart/mixed': [{ 'text/plain': {} }, { 'text/plain': {} }] });
    assert.equal(bodyOf(buf, at(parsed, '1')), 'line one\nline two');
    assert.equal(at(parsed, '1').lines, 1);
    assert.equal(headerOf(buf, at(parsed, '1')), 'Content-Type: text/plain\n\n');
    assert.equal(bodyOf(buf, at(parsed, '2')), 'second');
    assert.equal(parsed.envelope.subject, 'Bare LF');
  });

  test('20 nesting deeper than the cap stops descending with a warning', () => {
    const { parsed } = load('20-deep-nesting.eml');
    assert.deepEqual(parsed.warnings, ['MIME nesting deeper than 20: not descended']);
    let part = parsed.body;
    let depth = 0;
    while (part.type === 'multipart') {
      assert.equal(part.children.length, 1);
      part = part.children[0] as MimePart;
      depth++;
    }
    assert.equal(depth, 20);
    assert.equal(mimeType(part), 'application/octet-stream');
    assert.equal(part.params['boundary'], 'deep-20');

    const shallow = parseMessage(fixture('20-deep-nesting.eml'), { maxDepth: 30 });
    assert.deepEqual(shallow.warnings, []);
  });

  test('21 huge header: parsed in full by default, truncated with a lower limit', () => {
    const buf = fixture('21-huge-header.eml');
    const full = parseMessage(buf);
    assertInvariants(full, buf);
    assert.deepEqual(shape(full.body), { 'multipart/mixed': [{ 'text/plain': {} }] });
    assert.ok(full.headers.some(([k]) => k === 'x-after'));

    const limited = parseMessage(buf, { maxHeaderBytes: 16 * 1024 });
    assertInvariants(limited, buf);
    assert.deepEqual(limited.warnings, ['header block over 16384 bytes: rest ignored']);
    // Content-Type comes after the limit, so the default applies; the body still starts after the blank line.
    assert.equal(mimeType(limited.body), 'text/plain');
    assert.equal(limited.body.bodyStart, full.body.bodyStart);
    assert.ok(!limited.headers.some(([k]) => k === 'x-after'));
    assert.equal(limited.envelope.subject, 'Huge header');
  });

  test('22 multipart/digest children default to message/rfc822', () => {
    const { buf, parsed } = load('22-digest.eml');
    assert.deepEqual(shape(parsed.body), {
      'multipart/digest': [
        { 'message/rfc822': { message: { 'text/plain': {} } } },
        { 'message/rfc822': { message: { 'text/plain': {} } } },
        { 'text/plain': {} },
      ],
    });
    assert.deepEqual(at(parsed, '1').params, {});
    assert.equal(at(parsed, '1').message?.envelope.subject, 'first');
    assert.equal(bodyOf(buf, at(parsed, '1.1')), 'first message');
    assert.equal(at(parsed, '2').message?.envelope.subject, 'second');
    assert.equal(bodyOf(buf, at(parsed, '3')), 'not a message');
  });

  test('23 address torture: groups, routes, comments, quoted local parts, obsolete date', () => {
    const { parsed } = load('23-addresses.eml');
    const e = parsed.envelope;
    assert.deepEqual(e.from, [
      { name: 'Joe Q. Public', adl: null, mailbox: 'john.q.public', host: 'example.com' },
    ]);
    assert.deepEqual(
      e.to?.map((a) => [a.name, a.mailbox, a.host]),
      [
        ['Mary Smith', 'mary', 'example.net'],
        [null, 'jdoe', 'test.example'],
      ],
    );
    assert.deepEqual(e.cc, [
      { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
      { name: null, adl: null, mailbox: null, host: null },
    ]);
    assert.deepEqual(
      e.bcc?.map((a) => [a.name, a.mailbox, a.host]),
      [
        [null, 'A Group', null],
        ['Ed Jones', 'c', 'a.test'],
        [null, 'joe', 'where.test'],
        ['John', 'jdoe', 'one.test'],
        [null, null, null],
      ],
    );
    assert.deepEqual(e.replyTo, [{ name: 'Pete', adl: null, mailbox: 'pete', host: 'silly.test' }]);
    assert.deepEqual(e.sender, [{ name: 'John', adl: null, mailbox: 'john doe', host: 'example.com' }]);
    assert.equal(parsed.sentDate, Date.UTC(1969, 1, 14, 3, 2, 0));
  });

  test('24 part header cut short by a boundary line', () => {
    const { buf, parsed } = load('24-header-cut-by-boundary.eml');
    const [cut, ok] = parsed.body.children as [MimePart, MimePart];
    assert.equal(headerOf(buf, cut), 'Content-Type: text/plain');
    assert.equal(cut.size, 0);
    assert.equal(bodyOf(buf, ok), 'ok');
  });
});
