import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyAuthResults, authservIdOf, stripForgedAuthResults } from '../../src/auth/auth-results.ts';

describe('authservIdOf (RFC 8601 §2.2)', () => {
  const cases: [string, string | null][] = [
    ['mx.hamburger.edu; spf=pass smtp.mailfrom=crepes.fr', 'mx.hamburger.edu'],
    ['MX.Hamburger.EDU 1; dkim=pass', 'mx.hamburger.edu'],
    ['(comment) mx.hamburger.edu (nested (comment)); none', 'mx.hamburger.edu'],
    ['"mx.hamburger.edu"; none', 'mx.hamburger.edu'],
    ['"mx\\.hamburger.edu" ; none', 'mx.hamburger.edu'],
    ['mx.hamburger.edu;none', 'mx.hamburger.edu'],
    ['   ', null],
    ['"unterminated', null],
  ];
  for (const [value, expected] of cases) {
    test(JSON.stringify(value), () => assert.equal(authservIdOf(value), expected));
  }
});

const HEADER = [
  'Authentication-Results: mx.hamburger.edu; dkim=pass header.d=bank.example',
  'Received: from relay.example by mx.hamburger.edu; Sun, 1 Mar 2026 10:00:00 +0000',
  'Authentication-Results: relay.example; spf=pass smtp.mailfrom=crepes.fr',
  'authentication-results:',
  '  (sneaky) MX.HAMBURGER.EDU.;',
  '\tdmarc=pass header.from=bank.example',
  'From: alice@crepes.fr',
  'Subject: test',
  '',
  'Authentication-Results: mx.hamburger.edu; body lines are not fields',
  '',
].join('\r\n');

describe('stripForgedAuthResults', () => {
  test('removes fields claiming our host name (any case, folded, with comments), keeps others and the body', () => {
    const out = stripForgedAuthResults(Buffer.from(HEADER), 'mx.hamburger.edu').toString();
    assert.equal(
      out,
      [
        'Received: from relay.example by mx.hamburger.edu; Sun, 1 Mar 2026 10:00:00 +0000',
        'Authentication-Results: relay.example; spf=pass smtp.mailfrom=crepes.fr',
        'From: alice@crepes.fr',
        'Subject: test',
        '',
        'Authentication-Results: mx.hamburger.edu; body lines are not fields',
        '',
      ].join('\r\n'),
    );
  });

  test('returns the same buffer when nothing claims our name', () => {
    const message = Buffer.from(
      'Authentication-Results: other.example; none\r\nFrom: a@b.example\r\n\r\nx\r\n',
    );
    assert.equal(stripForgedAuthResults(message, 'mx.hamburger.edu'), message);
  });

  test('a host name that only starts like ours is not ours', () => {
    const message = Buffer.from('Authentication-Results: mx.hamburger.edu.evil.example; dkim=pass\r\n\r\n');
    assert.equal(stripForgedAuthResults(message, 'mx.hamburger.edu'), message);
  });

  test('applyAuthResults strips, then puts ours on top', () => {
    const ours = 'Authentication-Results: mx.hamburger.edu;\r\n spf=pass smtp.mailfrom=alice@crepes.fr';
    const folded = applyAuthResults(Buffer.from(HEADER), 'mx.hamburger.edu', ours).toString();
    const out = folded.replace(/\r\n[ \t]+/g, ' ');
    assert.ok(
      out.startsWith(
        'Authentication-Results: mx.hamburger.edu; spf=pass smtp.mailfrom=alice@crepes.fr\r\nReceived:',
      ),
      out,
    );
    assert.equal(out.match(/^Authentication-Results: mx\.hamburger\.edu/gim)!.length, 2); // ours + the body line
  });
});
