import assert from 'node:assert/strict';
import { duplexPair } from 'node:stream';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Transport } from '../../net/transport.ts';
import { encodeDotData, normalizeCrlf } from './data-encoder.ts';

describe('data encoder', () => {
  const cases: Array<[string, string]> = [
    ['', '.\r\n'],
    ['a', 'a\r\n.\r\n'],
    ['a\r\n', 'a\r\n.\r\n'],
    ['a\nb\n', 'a\r\nb\r\n.\r\n'],
    ['a\rb', 'a\r\nb\r\n.\r\n'],
    ['.\r\n', '..\r\n.\r\n'],
    ['x\r\n.\r\n..y\n.', 'x\r\n..\r\n...y\r\n..\r\n.\r\n'],
    ['a.b\r\n', 'a.b\r\n.\r\n'],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => assert.equal(encodeDotData(Buffer.from(input)).toString(), expected));
  }

  test('normalizeCrlf returns the same buffer when nothing changes', () => {
    const b = Buffer.from('a\r\nb\r\n');
    assert.equal(normalizeCrlf(b), b);
  });

  test('property: the server-side reader gets back exactly the normalised body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', '.', '\r', '\n', '\r\n', '..', 'ü', ' '), { maxLength: 40 }),
        async (pieces) => {
          const body = Buffer.from(pieces.join(''));
          const [a, b] = duplexPair();
          const reader = new Transport(a);
          b.write(encodeDotData(body));
          const got = await reader.readDotData(1 << 20);
          assert.ok(got);
          assert.equal(got.bareLf, false);
          assert.equal(got.bareCr, false);
          assert.deepEqual(got.data, normalizeCrlf(body));
          a.destroy();
          b.destroy();
        },
      ),
      { numRuns: 300 },
    );
  });
});
