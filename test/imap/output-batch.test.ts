import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OutputBatch } from '../../src/imap/server/output-batch.ts';

test('OutputBatch: text and octets come out in order, byte for byte, UTF-8 encoded', () => {
  const batch = new OutputBatch(64);
  batch.text('* 1 FETCH (BODY[] {3}\r\n');
  batch.add(Buffer.from([0xff, 0x00, 0x0a]));
  batch.text(') "Grüße"\r\n');
  const pieces = batch.take();
  assert.equal(pieces.length, 1, 'small pieces are joined');
  assert.deepEqual(
    pieces[0],
    Buffer.concat([
      Buffer.from('* 1 FETCH (BODY[] {3}\r\n'),
      Buffer.from([0xff, 0x00, 0x0a]),
      Buffer.from(') "Grüße"\r\n', 'utf8'),
    ]),
  );
  assert.equal(batch.size, 0);
  assert.deepEqual(batch.take(), []);
});

test('OutputBatch: a piece at the limit or larger is passed on as it is (not copied)', () => {
  const batch = new OutputBatch(16);
  const big = Buffer.alloc(16, 0x41);
  batch.text('head ');
  batch.add(big);
  batch.add(Buffer.from('tail'));
  const pieces = batch.take();
  assert.equal(pieces.length, 3);
  assert.equal(pieces[0]!.toString(), 'head ');
  assert.equal(pieces[1], big, 'the same Buffer');
  assert.equal(pieces[2]!.toString(), 'tail');
});

test('OutputBatch: any sequence of text and octets is kept exactly; size counts what is held', () => {
  const piece = fc.oneof(
    fc.string({ maxLength: 40 }).map((text) => ({ text })),
    fc.uint8Array({ maxLength: 80 }).map((bytes) => ({ bytes: Buffer.from(bytes) })),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 100 }), (pieces, limit) => {
      const batch = new OutputBatch(limit);
      const expected: Buffer[] = [];
      const out: Buffer[] = [];
      for (const [i, p] of pieces.entries()) {
        if ('text' in p) {
          batch.text(p.text);
          expected.push(Buffer.from(p.text, 'utf8'));
        } else {
          batch.add(p.bytes);
          expected.push(p.bytes);
        }
        if (i % 7 === 6) out.push(...batch.take());
      }
      out.push(...batch.take());
      assert.deepEqual(Buffer.concat(out), Buffer.concat(expected));
      assert.equal(batch.size, 0);
    }),
  );
});
