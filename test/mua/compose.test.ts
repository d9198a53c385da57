import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeQuotedPrintable } from '../../src/message/body-decode.ts';
import { parseMessage } from '../../src/message/parse.ts';
import { partText } from '../../src/message/body-decode.ts';
import {
  encodeBase64Lines,
  encodeQuotedPrintable,
  needsEncoding,
} from '../../src/mua/compose/body-encoding.ts';
import {
  addressField,
  formatDateHeader,
  messageIds,
  newMessageId,
  parseRecipients,
  unstructuredField,
} from '../../src/mua/compose/headers.ts';
import { buildMessage, envelopeRecipients, type Draft } from '../../src/mua/compose/mime-build.ts';
import { parseTemplate, renderTemplate } from '../../src/mua/compose/editor-template.ts';
import { buildMessageView } from '../../src/mua/render/message-view.ts';
import { stripBcc } from '../../src/mua/commands/send.ts';

function draft(overrides: Partial<Draft> = {}): Draft {
  return {
    from: { name: 'Alice Crêpe', address: 'alice@crepes.fr' },
    to: [{ name: 'Bob', address: 'bob@hamburger.edu' }],
    cc: [],
    bcc: [{ name: '', address: 'secret@crepes.fr' }],
    subject: 'Crêpes tonight?',
    text: 'Hello Bob,\nare you coming?\n',
    attachments: [],
    messageId: '<id1@crepes.fr>',
    date: new Date('2026-03-03T13:05:09Z'),
    ...overrides,
  };
}

describe('body encodings', () => {
  test('quoted-printable round-trips UTF-8 with lines of at most 76 characters', () => {
    const text = 'Grüße aus Paris — ' + 'é'.repeat(60) + ' trailing space \nline = two\t\nthree';
    const encoded = encodeQuotedPrintable(text);
    for (const line of encoded.split('\r\n')) assert.ok(line.length <= 76, line);
    assert.match(encoded, /trailing space=20\r\n/, 'a space at the end of a line is encoded');
    assert.match(encoded, /line =3D two=09\r\n/);
    const decoded = decodeQuotedPrintable(Buffer.from(encoded)).toString('utf8');
    assert.equal(decoded, text.replace(/\n/g, '\r\n'));
  });
  test('7bit is enough for short ASCII lines', () => {
    assert.equal(needsEncoding('plain\nascii'), false);
    assert.equal(needsEncoding('x'.repeat(999)), true);
    assert.equal(needsEncoding('café'), true);
  });
  test('base64 lines of 76', () => {
    const lines = encodeBase64Lines(Buffer.alloc(200, 7)).split('\r\n');
    assert.deepEqual(
      lines.map((l) => l.length),
      [76, 76, 76, 40],
    );
  });
});

describe('headers', () => {
  test('non-ASCII subjects become encoded words and fold', () => {
    const field = unstructuredField('Subject', 'Crêpes ' + 'très bonnes '.repeat(8));
    assert.match(field, /^Subject: =\?UTF-8\?Q\?Cr=C3=AApes/);
    for (const line of field.split('\r\n')) assert.ok(line.length <= 78, line);
    const parsed = parseMessage(Buffer.from(field + '\r\n\r\n'));
    assert.equal(
      parsed.headers.find(([n]) => n === 'subject')?.[1],
      'Crêpes ' + 'très bonnes '.repeat(8).trim(),
    );
  });
  test('addresses: names encoded or quoted, IDN domains in ASCII', () => {
    assert.equal(
      addressField('To', [
        { name: 'Jürgen', address: 'j@bücher.de' },
        { name: 'Smith, John', address: 'john@x.org' },
        { name: '', address: 'plain@x.org' },
      ]),
      'To: =?UTF-8?Q?J=C3=BCrgen?= <j@xn--bcher-kva.de>, "Smith, John" <john@x.org>,\r\n plain@x.org',
    );
  });
  test('recipients typed on the command line', () => {
    assert.deepEqual(parseRecipients(['Bob <bob@hamburger.edu>, carol@x.org', 'dave@y.org']), [
      { name: 'Bob', address: 'bob@hamburger.edu' },
      { name: '', address: 'carol@x.org' },
      { name: '', address: 'dave@y.org' },
    ]);
    assert.throws(() => parseRecipients(['not an address']), /not an e-mail address/);
  });
  test('Message-ID names the sender domain; Date is RFC 5322', () => {
    assert.match(newMessageId('alice@crepes.fr'), /^<[\w.-]+@crepes\.fr>$/);
    assert.notEqual(newMessageId('a@b.c'), newMessageId('a@b.c'));
    assert.match(
      formatDateHeader(new Date()),
      /^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/,
    );
    assert.deepEqual(messageIds(' <a@b> junk <c@d>'), ['<a@b>', '<c@d>']);
  });
});

describe('building messages', () => {
  test('a text message parses back with the same headers and text', () => {
    const built = buildMessage(draft(), { includeBcc: false });
    const view = buildMessageView(built.bytes);
    assert.equal(view.subject, 'Crêpes tonight?');
    assert.equal(view.from[0]?.name, 'Alice Crêpe');
    assert.equal(view.to[0]?.mailbox, 'bob');
    assert.equal(view.messageId, '<id1@crepes.fr>');
    assert.equal(view.text, 'Hello Bob,\nare you coming?');
    assert.equal(view.bcc.length, 0, 'Bcc is not in the transmitted copy');
    assert.equal(built.smtputf8, false);
    assert.ok(
      !built.bytes.includes('\n'.charCodeAt(0)) || !/[^\r]\n/.test(built.bytes.toString('latin1')),
      'CRLF only',
    );
    assert.match(built.bytes.toString('latin1'), /\r\nMIME-Version: 1\.0\r\n/);
  });
  test('the Sent copy keeps Bcc', () => {
    const view = buildMessageView(buildMessage(draft(), { includeBcc: true }).bytes);
    assert.equal(view.bcc[0]?.mailbox, 'secret');
  });
  test('envelope recipients include Bcc, once each', () => {
    const d = draft({ cc: [{ name: '', address: 'BOB@hamburger.edu' }] });
    assert.deepEqual(envelopeRecipients(d), ['bob@hamburger.edu', 'secret@crepes.fr']);
  });
  test('attachments: multipart/mixed, base64, RFC 2231 file names; message/rfc822 as it is', () => {
    const inner = Buffer.from('From: x@y.z\r\nSubject: inner\r\n\r\nInner body\r\n');
    const d = draft({
      text: 'See attached.\n',
      inReplyTo: '<orig@x>',
      references: ['<root@x>', '<orig@x>'],
      attachments: [
        {
          filename: 'résumé final.pdf',
          contentType: 'application/pdf',
          data: Buffer.from('%PDF-1.4 binary \x00\xff'),
        },
        { filename: 'inner.eml', contentType: 'message/rfc822', data: inner },
      ],
    });
    const built = buildMessage(d, { includeBcc: false });
    const text = built.bytes.toString('latin1');
    assert.match(text, /\r\nIn-Reply-To: <orig@x>\r\nReferences: <root@x> <orig@x>\r\n/);
    const view = buildMessageView(built.bytes);
    assert.equal(view.text, 'See attached.');
    assert.deepEqual(
      view.attachments.map((a) => [a.index, a.filename, a.contentType, a.size]),
      [
        [1, 'résumé final.pdf', 'application/pdf', 19],
        [2, 'inner.eml', 'message/rfc822', inner.length],
      ],
    );
    const parsed = parseMessage(built.bytes);
    const pdf = parsed.body.children[1]!;
    assert.equal(pdf.encoding, 'BASE64');
    assert.equal(parsed.body.children[2]!.message?.envelope.subject, 'inner');
    assert.equal(partText(built.bytes, parsed.body.children[0]!), 'See attached.\r\n');
  });
  test('a non-ASCII local part makes it an SMTPUTF8 message with UTF-8 headers', () => {
    const built = buildMessage(draft({ to: [{ name: 'Jörg', address: 'jörg@bücher.de' }] }), {
      includeBcc: false,
    });
    assert.equal(built.smtputf8, true);
    assert.match(built.bytes.toString('utf8'), /\r\nTo: Jörg <jörg@xn--bcher-kva\.de>\r\n/);
  });
});

describe('sending a saved draft', () => {
  test('Bcc fields (folded ones too) are removed; everything else is kept byte for byte', () => {
    const source = Buffer.from(
      'From: a@b.c\r\nBcc: x@y.z,\r\n  w@y.z\r\nTo: d@e.f\r\nbcc: v@y.z\r\nSubject: s\r\n\r\nBcc: not a header\r\n',
    );
    assert.equal(
      stripBcc(source).toString(),
      'From: a@b.c\r\nTo: d@e.f\r\nSubject: s\r\n\r\nBcc: not a header\r\n',
    );
  });
});

describe('editor template', () => {
  test('renders and reads back, with continuation lines and attachments', () => {
    const text = renderTemplate({
      from: 'Alice <alice@crepes.fr>',
      to: 'bob@hamburger.edu',
      cc: '',
      bcc: '',
      subject: 'Hi',
      attach: ['/tmp/a.txt'],
      body: 'Body\n\nmore',
    });
    assert.equal(
      text,
      'From: Alice <alice@crepes.fr>\nTo: bob@hamburger.edu\nCc: \nBcc: \nSubject: Hi\nAttach: /tmp/a.txt\n\nBody\n\nmore',
    );
    const edited = text.replace('To: bob@hamburger.edu', 'To: bob@hamburger.edu,\n carol@x.org');
    const parsed = parseTemplate(edited);
    assert.equal(parsed.to, 'bob@hamburger.edu, carol@x.org');
    assert.deepEqual(parsed.attach, ['/tmp/a.txt']);
    assert.equal(parsed.body, 'Body\n\nmore');
  });
  test('unknown header lines are an error, not silently part of the body', () => {
    assert.throws(() => parseTemplate('To: a@b.c\nX-Foo: 1\n\nbody'), /unknown header "X-Foo"/);
  });
});
