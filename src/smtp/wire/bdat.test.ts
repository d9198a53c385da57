import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BdatAccumulator } from './bdat.ts';

test('BDAT accumulator joins chunks and enforces the limit', () => {
  const acc = new BdatAccumulator(10);
  acc.add(Buffer.from('abcd'));
  acc.add(Buffer.from('efg'));
  assert.equal(acc.message().toString(), 'abcdefg');
  assert.equal(acc.wouldExceed(3), false);
  assert.equal(acc.wouldExceed(4), true);
  acc.addSize(4);
  assert.equal(acc.tooBig, true);
  assert.equal(acc.size, 11);
  assert.equal(acc.message().length, 0);
});
