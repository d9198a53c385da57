import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listPattern, patternMatcher } from '../../src/imap/server/list-pattern.ts';

test('LIST wildcards: * crosses levels, % does not; INBOX is case-insensitive', () => {
  const all = patternMatcher('*');
  assert.equal(all('a/b/c'), true);
  const top = patternMatcher('%');
  assert.equal(top('Work'), true);
  assert.equal(top('Work/x'), false);
  const under = patternMatcher(listPattern('Work/', '%'));
  assert.equal(under('Work/x'), true);
  assert.equal(under('Work/x/y'), false);
  assert.equal(under('Work'), false);
  assert.equal(patternMatcher('inB*')('INBOX'), true);
  assert.equal(patternMatcher(listPattern('', 'inbox/%'))('INBOX/Sub'), true);
  assert.equal(patternMatcher('Wo.k')('Work'), false, 'regex characters are literal');
  assert.equal(patternMatcher('Re(1)')('Re(1)'), true);
  assert.equal(patternMatcher('Reçus/%')('Reçus/Été'), true);
});
