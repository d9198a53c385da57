import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  forwardedText,
  forwardSubject,
  quoteForReply,
  referencesFor,
  replyHeaders,
  replySubject,
} from '../../src/mua/compose/reply.ts';
import { attachmentData, buildMessageView } from '../../src/mua/render/message-view.ts';

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'));

const ALTERNATIVE = crlf(`From: Alice <alice@crepes.fr>
To: Bob <bob@hamburger.edu>, Carol <carol@x.org>
Cc: Dave <dave@y.org>, alice@crepes.fr
Reply-To: Crêpe team <team@crepes.fr>
Subject: =?UTF-8?Q?Cr=C3=AApes?=
Date: Tue, 3 Mar 2026 14:05:09 +0100
Message-ID: <m2@crepes.fr>
In-Reply-To: <m1@hamburger.edu>
References: <m0@x.org> <m1@hamburger.edu>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 at 8?
> earlier text

--alt
Content-Type: text/html; charset=utf-8

<p>Caf&eacute; at <b>8</b>?</p>
--alt--

--outer
Content-Type: application/pdf; name="menu.pdf"
Content-Disposition: attachment; filename*=utf-8''men%C3%BC.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer
Content-Type: image/png
Content-Disposition: inline
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--outer--
`);

const HTML_ONLY = crlf(`From: news@shop.example
To: bob@hamburger.edu
Subject: Offer
Content-Type: text/html; charset=utf-8

<html><head><style>p{color:red}</style><script>alert(1)</script></head>
<body><h1>Big sale</h1><p>Click <a href="https://evil.example/login">your bank</a> now.</p><img src="x.png"></body></html>
`);

describe('reading', () => {
  test('text/plain wins in multipart/alternative; attachments numbered with section and decoded size', () => {
    const view = buildMessageView(ALTERNATIVE);
    assert.equal(view.subject, 'Crêpes');
    assert.equal(view.textSource, 'plain');
    assert.equal(view.text, 'Café at 8?\n> earlier text');
    assert.deepEqual(
      view.attachments.map((a) => ({ ...a })),
      [
        {
          index: 1,
          section: '2',
          filename: 'menü.pdf',
          contentType: 'application/pdf',
          size: 9,
          disposition: 'attachment',
        },
        { index: 2, section: '3', filename: null, contentType: 'image/png', size: 8, disposition: 'inline' },
      ],
    );
    assert.equal(attachmentData(ALTERNATIVE, view, 1)?.toString('latin1'), '%PDF-1.4\n');
    assert.equal(attachmentData(ALTERNATIVE, view, 3), null);
    assert.equal(view.date?.toISOString(), '2026-03-03T13:05:09.000Z');
    assert.deepEqual(view.references, ['<m0@x.org>', '<m1@hamburger.edu>']);
  });
  test('HTML alone becomes readable text; link targets are shown, scripts and styles dropped', () => {
    const view = buildMessageView(HTML_ONLY);
    assert.equal(view.textSource, 'html');
    assert.match(view.text, /BIG SALE/);
    assert.match(view.text, /your bank \[https:\/\/evil\.example\/login\]/);
    assert.doesNotMatch(view.text, /alert|color:red|x\.png/);
  });
  test('a message that is a single attachment has it as part 1', () => {
    const view = buildMessageView(
      crlf('Subject: scan\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERg==\n'),
    );
    assert.equal(view.textSource, 'none');
    assert.deepEqual(
      view.attachments.map((a) => [a.section, a.contentType, a.size]),
      [['1', 'application/pdf', 4]],
    );
  });
});

describe('replying and forwarding', () => {
  const original = buildMessageView(ALTERNATIVE);
  const addresses = (list: Array<{ address: string }>) => list.map((a) => a.address);

  test('subjects get one prefix', () => {
    assert.equal(replySubject('Crêpes'), 'Re: Crêpes');
    assert.equal(replySubject('RE: Crêpes'), 'RE: Crêpes');
    assert.equal(replySubject('Re[2]: x'), 'Re[2]: x');
    assert.equal(forwardSubject('Crêpes'), 'Fwd: Crêpes');
    assert.equal(forwardSubject('Fw: x'), 'Fw: x');
  });
  test('reply goes to Reply-To; reply-all adds To and Cc without me and without duplicates', () => {
    const reply = replyHeaders(original, { all: false, mine: ['bob@hamburger.edu'] });
    assert.deepEqual(addresses(reply.to), ['team@crepes.fr']);
    assert.deepEqual(reply.cc, []);
    assert.equal(reply.inReplyTo, '<m2@crepes.fr>');
    assert.deepEqual(reply.references, ['<m0@x.org>', '<m1@hamburger.edu>', '<m2@crepes.fr>']);
    const all = replyHeaders(original, { all: true, mine: ['BOB@hamburger.edu'] });
    assert.deepEqual(addresses(all.to), ['team@crepes.fr', 'carol@x.org']);
    assert.deepEqual(addresses(all.cc), ['dave@y.org', 'alice@crepes.fr']);
  });
  test('a reply to my own message goes to its recipients', () => {
    const reply = replyHeaders(original, { all: false, mine: ['alice@crepes.fr'] });
    assert.deepEqual(addresses(reply.to), ['bob@hamburger.edu', 'carol@x.org']);
  });
  test('References start from In-Reply-To when there are none, and keep the root when trimmed', () => {
    const simple = buildMessageView(crlf('Message-ID: <b@x>\nIn-Reply-To: <a@x>\nSubject: s\n\nt\n'));
    assert.deepEqual(referencesFor(simple), ['<a@x>', '<b@x>']);
    const ids = Array.from({ length: 30 }, (_, i) => `<r${i}@x>`).join(' ');
    const long = buildMessageView(crlf(`Message-ID: <last@x>\nReferences: ${ids}\n\nt\n`));
    const refs = referencesFor(long);
    assert.equal(refs.length, 20);
    assert.equal(refs[0], '<r0@x>');
    assert.equal(refs.at(-1), '<last@x>');
  });
  test('quote: attribution line and "> " before each line', () => {
    const q = quoteForReply(original);
    assert.match(q, /^On .+2026 .+, Alice <alice@crepes\.fr> wrote:\n> Café at 8\?\n>> earlier text\n$/);
  });
  test('forwarded text carries the original header block', () => {
    const f = forwardedText(original);
    assert.match(
      f,
      /^---------- Forwarded message ----------\nFrom: Alice <alice@crepes\.fr>\nDate: .+\nSubject: Crêpes\nTo: Bob <bob@hamburger\.edu>, Carol <carol@x\.org>\nCc: Dave <dave@y\.org>, alice@crepes\.fr\n\nCafé at 8\?/,
    );
  });
});
