// The test zone parser must refuse what a name server would refuse, or the record tests prove nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseZone } from './zone-parser.ts';

describe('test zone parser', () => {
  test('directives, @, relative and omitted owners, TTL/class, parentheses, escapes, comments', () => {
    const records = parseZone(
      [
        '$ORIGIN crepes.fr.',
        '$TTL 300',
        '@  IN MX 10 mail ; comment',
        '   3600 IN TXT "v=spf1 mx ~all"',
        'sel._domainkey  TXT ( "a\\"b;c"',
        '                      "d" )  ; split over lines',
        '_imaps._tcp IN SRV 0 1 993 mail.crepes.fr.',
        '_pop3._tcp IN SRV 0 0 0 .',
        'mail.crepes.fr. IN A 192.0.2.1',
      ].join('\n'),
    );
    assert.deepEqual(
      records.map(({ name, type, data, ttl }) => ({ name, type, data, ttl })),
      [
        { name: 'crepes.fr', type: 'MX', data: { preference: 10, exchange: 'mail.crepes.fr' }, ttl: 300 },
        { name: 'crepes.fr', type: 'TXT', data: ['v=spf1 mx ~all'], ttl: 3600 },
        { name: 'sel._domainkey.crepes.fr', type: 'TXT', data: ['a"b;c', 'd'], ttl: 300 },
        {
          name: '_imaps._tcp.crepes.fr',
          type: 'SRV',
          data: { priority: 0, weight: 1, port: 993, target: 'mail.crepes.fr' },
          ttl: 300,
        },
        {
          name: '_pop3._tcp.crepes.fr',
          type: 'SRV',
          data: { priority: 0, weight: 0, port: 0, target: '.' },
          ttl: 300,
        },
        { name: 'mail.crepes.fr', type: 'A', data: '192.0.2.1', ttl: 300 },
      ],
    );
  });

  const bad: [string, RegExp][] = [
    ['crepes.fr. IN TXT unquoted', /must be quoted/],
    [`crepes.fr. IN TXT "${'x'.repeat(256)}"`, /longer than 255/],
    ['crepes.fr. IN A 300.1.1.1', /bad IPv4/],
    ['crepes.fr. IN AAAA 192.0.2.1', /bad IPv6/],
    ['crepes.fr. IN MX mail.crepes.fr.', /bad number|MX needs/],
    ['relative IN A 192.0.2.1', /without \$ORIGIN/],
    [`${'a'.repeat(64)}.crepes.fr. IN A 192.0.2.1`, /bad domain name/],
    ['crepes.fr. IN A <public IPv4 address>', /bad IPv4/],
    ['crepes.fr. IN TXT ( "x"', /unbalanced/],
    ['crepes.fr. IN TXT "x', /unterminated/],
    ['crepes.fr. IN CAA 0 issue "x"', /unsupported type CAA/],
    ['crepes.fr. IN SRV 0 1 70000 mail.crepes.fr.', /bad number/],
  ];
  for (const [line, error] of bad) {
    test(`refuses ${JSON.stringify(line.slice(0, 60))}`, () => assert.throws(() => parseZone(line), error));
  }
});
