import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidMailboxName } from '../../src/mailbox/errors.ts';
import {
  canonicalMailboxName,
  createName,
  isInferior,
  parentNames,
  referenceName,
  validateNewName,
} from '../../src/mailbox/names.ts';

describe('mailbox names', () => {
  test('INBOX is case-insensitive, also as the first level', () => {
    assert.equal(canonicalMailboxName('inbox'), 'INBOX');
    assert.equal(canonicalMailboxName('InBoX'), 'INBOX');
    assert.equal(canonicalMailboxName('inbox/Work'), 'INBOX/Work');
    assert.equal(canonicalMailboxName('inboxes'), 'inboxes');
    assert.equal(canonicalMailboxName('Work/inbox'), 'Work/inbox');
  });

  test('valid new names are returned canonical', () => {
    assert.equal(validateNewName('Work/Projects/2026'), 'Work/Projects/2026');
    assert.equal(validateNewName('Reçus'), 'Reçus');
    assert.equal(validateNewName('inbox/a'), 'INBOX/a');
    assert.equal(createName('Work/'), 'Work');
  });

  for (const bad of [
    '',
    '/Work',
    'Work/',
    'a//b',
    'a/*',
    '100%',
    'a/../b',
    '..',
    'a/./b',
    'tab\there',
    'nul\u0000',
    'del\u007f',
    'e\u0301', // not NFC
    ' lead',
    'trail /x',
    'x'.repeat(1001),
    Array.from({ length: 33 }, () => 'a').join('/'),
    '\ud800',
  ]) {
    test(`refuses ${JSON.stringify(bad.slice(0, 30))}`, () => {
      assert.throws(() => validateNewName(bad), InvalidMailboxName);
    });
  }

  test('reference names refuse only hostile input', () => {
    assert.equal(referenceName('a//b'), 'a//b');
    assert.throws(() => referenceName('a\r\nb'), InvalidMailboxName);
    assert.throws(() => referenceName(''), InvalidMailboxName);
  });

  test('hierarchy helpers', () => {
    assert.deepEqual(parentNames('a/b/c'), ['a', 'a/b']);
    assert.deepEqual(parentNames('a'), []);
    assert.equal(isInferior('a/b', 'a'), true);
    assert.equal(isInferior('ab', 'a'), false);
    assert.equal(isInferior('a', 'a'), false);
  });
});
