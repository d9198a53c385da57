import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandAssembler, parseCommand, scanLiteral, type AssemblyStep } from '../../src/imap/wire/index.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('scanLiteral', () => {
  const rows: Array<[string, ReturnType<typeof scanLiteral>]> = [
    ['a LOGIN {5}', { size: 5, nonSync: false, binary: false }],
    ['a LOGIN {5+}', { size: 5, nonSync: true, binary: false }],
    ['a APPEND x ~{0}', { size: 0, nonSync: false, binary: true }],
    ['a APPEND x UTF8 (~{12+}', { size: 12, nonSync: true, binary: true }],
    ['{7}', { size: 7, nonSync: false, binary: false }],
    ['a {99999999999999999999}', { size: Infinity, nonSync: false, binary: false }],
    ['a LOGIN {}', null],
    ['a LOGIN {x}', null],
    ['a LOGIN 5}', null],
    ['a LOGIN {5}x', null],
    ['a LOGIN {+}', null],
    ['a LOGIN {5++}', null],
    ['}', null],
    ['', null],
  ];
  for (const [line, expected] of rows) {
    test(JSON.stringify(line), () => assert.deepEqual(scanLiteral(b(line)), expected));
  }
});

describe('CommandAssembler', () => {
  test('a single line is a command', () => {
    const asm = new CommandAssembler();
    assert.deepEqual(asm.pushLine(b('a NOOP')), { kind: 'command', parts: [b('a NOOP')] });
  });

  test('synchronizing and non-synchronizing literals', () => {
    const asm = new CommandAssembler();
    assert.deepEqual(asm.pushLine(b('a LOGIN {3}')), { kind: 'literal', size: 3, sync: true, binary: false });
    asm.pushLiteral(b('bob'));
    assert.deepEqual(asm.pushLine(b(' {4+}')), { kind: 'literal', size: 4, sync: false, binary: false });
    asm.pushLiteral(b('pass'));
    const step = asm.pushLine(b(''));
    assert.equal(step.kind, 'command');
    const parts = (step as Extract<AssemblyStep, { kind: 'command' }>).parts;
    assert.deepEqual(parts, [b('a LOGIN {3}'), b('bob'), b(' {4+}'), b('pass'), b('')]);
    assert.deepEqual(parseCommand(parts), {
      tag: 'a',
      command: { name: 'LOGIN', userid: 'bob', password: 'pass' },
    });
  });

  test('literal8 is reported as binary', () => {
    const asm = new CommandAssembler();
    assert.deepEqual(asm.pushLine(b('a APPEND INBOX ~{3}')), {
      kind: 'literal',
      size: 3,
      sync: true,
      binary: true,
    });
  });

  test('a synchronizing literal over the limit is refused before "+" with NO [TOOBIG]', () => {
    const asm = new CommandAssembler({ maxLiteral: 10 });
    const step = asm.pushLine(b('x1 LOGIN {11}'));
    assert.equal(step.kind, 'reject');
    if (step.kind !== 'reject') return;
    assert.equal(step.close, false);
    assert.equal(step.error.tag, 'x1');
    assert.equal(step.error.status, 'NO');
    assert.equal(step.error.code?.name, 'TOOBIG');
    // reusable afterwards
    assert.deepEqual(asm.pushLine(b('x2 NOOP')), { kind: 'command', parts: [b('x2 NOOP')] });
  });

  test('APPEND has its own literal limit', () => {
    const asm = new CommandAssembler({ maxLiteral: 10, maxAppendLiteral: 1000 });
    assert.equal(asm.pushLine(b('a append INBOX {500}')).kind, 'literal');
    const asm2 = new CommandAssembler({ maxLiteral: 10, maxAppendLiteral: 1000 });
    assert.equal(asm2.pushLine(b('a APPEND INBOX {1001}')).kind, 'reject');
  });

  test('an oversized non-synchronizing literal is discarded, then the command refused', () => {
    const asm = new CommandAssembler({ maxLiteral: 10 });
    assert.deepEqual(asm.pushLine(b('y LOGIN {100+}')), { kind: 'discard', size: 100 });
    asm.pushDiscarded();
    assert.deepEqual(asm.pushLine(b(' {5+}')), { kind: 'discard', size: 5 }); // the rest of the command too
    asm.pushDiscarded();
    const step = asm.pushLine(b(''));
    assert.equal(step.kind, 'reject');
    if (step.kind === 'reject') {
      assert.equal(step.error.tag, 'y');
      assert.equal(step.close, false);
    }
    assert.equal(asm.pushLine(b('z NOOP')).kind, 'command');
  });

  test('a non-synchronizing literal beyond maxDiscard closes the connection', () => {
    const asm = new CommandAssembler({ maxLiteral: 10, maxDiscard: 1000 });
    const step = asm.pushLine(b('y LOGIN {1001+}'));
    assert.equal(step.kind, 'reject');
    if (step.kind === 'reject') assert.equal(step.close, true);
  });

  test('too many literals', () => {
    const asm = new CommandAssembler({ maxLiterals: 2 });
    assert.equal(asm.pushLine(b('a X {1}')).kind, 'literal');
    asm.pushLiteral(b('1'));
    assert.equal(asm.pushLine(b(' {1}')).kind, 'literal');
    asm.pushLiteral(b('2'));
    const step = asm.pushLine(b(' {1}'));
    assert.equal(step.kind, 'reject');
    if (step.kind === 'reject') assert.match(step.error.message, /too many literals/);
  });

  test('command size limit counts lines and literals', () => {
    const asm = new CommandAssembler({ maxCommandSize: 100 });
    const step = asm.pushLine(b('a SEARCH TEXT ' + 'x'.repeat(100)));
    assert.equal(step.kind, 'reject');
    if (step.kind === 'reject') {
      assert.equal(step.error.status, 'BAD');
      assert.equal(step.error.tag, 'a');
    }
    const asm2 = new CommandAssembler({ maxCommandSize: 100, maxLiteral: 1000 });
    assert.equal(asm2.pushLine(b('a SEARCH TEXT {90}')).kind, 'reject');
  });

  test('unreadable tag is reported as null', () => {
    const asm = new CommandAssembler({ maxLiteral: 1 });
    const step = asm.pushLine(b('{5}'));
    assert.equal(step.kind === 'reject' && step.error.tag, null);
  });
});
