import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeCommandLine, parseCommand, type SmtpCommand } from './command-parser.ts';
import { serializeReply as formatReply } from './reply.ts';

function ok(line: string): SmtpCommand {
  const r = parseCommand(line);
  assert.ok(r.ok, `${line}: ${r.ok ? '' : formatReply(r.reply)}`);
  return r.command;
}
function refused(line: string): string {
  const r = parseCommand(line);
  assert.ok(!r.ok, `${line} should be refused`);
  return formatReply(r.reply).trim();
}

describe('command parser', () => {
  test('simple verbs, case-insensitive', () => {
    assert.deepEqual(ok('ehlo client.example'), { verb: 'EHLO', domain: 'client.example' });
    assert.deepEqual(ok('HELO [192.0.2.1]'), { verb: 'HELO', domain: '[192.0.2.1]' });
    assert.deepEqual(ok('Data'), { verb: 'DATA' });
    assert.deepEqual(ok('RSET'), { verb: 'RSET' });
    assert.deepEqual(ok('QUIT'), { verb: 'QUIT' });
    assert.deepEqual(ok('NOOP'), { verb: 'NOOP', argument: null });
    assert.deepEqual(ok('NOOP hello there'), { verb: 'NOOP', argument: 'hello there' });
    assert.deepEqual(ok('HELP'), { verb: 'HELP', topic: null });
    assert.deepEqual(ok('VRFY Smith'), { verb: 'VRFY', argument: 'Smith' });
    assert.deepEqual(ok('starttls'), { verb: 'STARTTLS' });
  });

  test('arguments where none are allowed', () => {
    assert.equal(refused('DATA now'), '501 5.5.4 Syntax: DATA');
    assert.equal(refused('QUIT x'), '501 5.5.4 Syntax: QUIT');
    assert.equal(refused('EHLO'), '501 5.5.4 Syntax: EHLO hostname');
    assert.equal(refused('VRFY'), '501 5.5.4 Syntax: VRFY address');
  });

  test('unknown verbs', () => {
    assert.equal(refused('FOO bar'), '500 5.5.1 Command not recognized');
    assert.equal(refused(''), '500 5.5.1 Command not recognized');
    assert.equal(parseCommand('MAILFROM:<a@b>').ok, false);
  });

  test('MAIL with paths and parameters', () => {
    const c = ok('MAIL FROM:<Alice@Example.ORG> SIZE=1000 BODY=8BITMIME SMTPUTF8');
    assert.equal(c.verb, 'MAIL');
    if (c.verb !== 'MAIL') return;
    assert.equal(c.sender!.address, 'Alice@example.org');
    assert.deepEqual(c.params, [
      { name: 'SIZE', value: '1000' },
      { name: 'BODY', value: '8BITMIME' },
      { name: 'SMTPUTF8', value: null },
    ]);
    const nul = ok('mail from:<>');
    assert.equal(nul.verb === 'MAIL' && nul.sender, null);
    const spaced = ok('MAIL FROM: <a@b.example>');
    assert.equal(spaced.verb === 'MAIL' && spaced.sender!.address, 'a@b.example');
  });

  test('MAIL and RCPT syntax errors', () => {
    assert.equal(refused('MAIL <a@b>'), '501 5.5.4 Syntax: MAIL FROM:<address> [parameters]');
    assert.equal(
      refused('MAIL FROM:a@b'),
      '501 5.1.7 Bad sender address syntax: address must be enclosed in <>',
    );
    assert.equal(refused('RCPT TO:<a>'), '501 5.1.3 Bad recipient address syntax: missing "@domain"');
    assert.equal(refused('RCPT TO:<a@b'), '501 5.1.3 Bad recipient address syntax: missing ">"');
    assert.equal(refused('RCPT TO:<a@b>x'), '501 5.5.4 Syntax: RCPT TO:<address> [parameters]');
    assert.equal(refused('RCPT TO:<a@b> =x'), '501 5.5.4 Syntax: RCPT TO:<address> [parameters]');
    assert.equal(refused('RCPT TO:<a..b@c>'), '501 5.1.3 Bad recipient address syntax: bad local part');
    assert.equal(refused('RCPT TO:<a@-b.example>'), '501 5.1.3 Bad recipient address syntax: bad domain');
  });

  test('RCPT forms', () => {
    const pm = ok('RCPT TO:<Postmaster>');
    assert.equal(pm.verb === 'RCPT' && pm.recipient.address, 'postmaster');
    const routed = ok('RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>');
    assert.equal(routed.verb === 'RCPT' && routed.recipient.address, 'userc@d.bar.org');
    const quoted = ok('RCPT TO:<"john"@example.org>');
    assert.equal(quoted.verb === 'RCPT' && quoted.recipient.address, 'john@example.org');
    const quoted2 = ok('RCPT TO:<"john doe"@example.org>');
    assert.equal(quoted2.verb === 'RCPT' && quoted2.recipient.address, '"john doe"@example.org');
    const literal = ok('RCPT TO:<x@[IPv6:2001:db8::1]>');
    assert.equal(literal.verb === 'RCPT' && literal.recipient.literal, true);
    const utf8 = ok('RCPT TO:<jürgen@bücher.example> NOTIFY=SUCCESS,FAILURE');
    assert.ok(utf8.verb === 'RCPT');
    if (utf8.verb === 'RCPT') {
      assert.equal(utf8.recipient.utf8, true);
      assert.equal(utf8.recipient.asciiDomain, 'xn--bcher-kva.example');
    }
  });

  test('AUTH and BDAT', () => {
    assert.deepEqual(ok('AUTH plain'), { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: null });
    assert.deepEqual(ok('AUTH PLAIN AGFsaWNlAHB3'), {
      verb: 'AUTH',
      mechanism: 'PLAIN',
      initialResponse: 'AGFsaWNlAHB3',
    });
    assert.deepEqual(ok('AUTH PLAIN ='), { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: '=' });
    assert.equal(refused('AUTH'), '501 5.5.4 Syntax: AUTH mechanism [initial-response]');
    assert.deepEqual(ok('BDAT 86 LAST'), { verb: 'BDAT', size: 86, last: true });
    assert.deepEqual(ok('bdat 0'), { verb: 'BDAT', size: 0, last: false });
    const r = parseCommand('BDAT x');
    assert.ok(!r.ok && r.verb === 'BDAT');
    assert.equal(parseCommand('BDAT 1 FIRST').ok, false);
  });

  test('command line decoding refuses control characters and bad UTF-8', () => {
    assert.equal(decodeCommandLine(Buffer.from('NOOP\r')), null);
    assert.equal(decodeCommandLine(Buffer.from('NOOP\0')), null);
    assert.equal(decodeCommandLine(Buffer.from([0x4e, 0xff])), null);
    assert.equal(decodeCommandLine(Buffer.from('NOOP\ttab')), 'NOOP\ttab');
    assert.equal(decodeCommandLine(Buffer.from('RCPT TO:<ü@x>')), 'RCPT TO:<ü@x>');
  });

  test('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        const r = parseCommand(s);
        assert.ok(r.ok || r.reply.code >= 500);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        parseCommand('MAIL FROM:' + s);
        parseCommand('RCPT TO:<' + s);
      }),
    );
  });
});
