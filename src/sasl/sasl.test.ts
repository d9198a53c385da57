import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createClientMechanism,
  createServerMechanism,
  decodeSaslBase64,
  encodePlainMessage,
  encodeSaslBase64,
  parsePlainMessage,
} from './index.ts';

describe('SASL base64', () => {
  test('decodes strictly', () => {
    assert.equal(decodeSaslBase64('dGVzdA==')!.toString(), 'test');
    assert.equal(decodeSaslBase64('=')!.length, 0);
    for (const bad of ['dGVzdA', 'dGVz dA==', 'dGVzdA=x', '!!!!', 'dGVzdA===', '']) {
      assert.equal(decodeSaslBase64(bad)?.length ?? null, bad === '' ? 0 : null, bad);
    }
  });
  test('encodes the empty buffer as requested', () => {
    assert.equal(encodeSaslBase64(Buffer.alloc(0), '='), '=');
    assert.equal(encodeSaslBase64(Buffer.from('ab')), 'YWI=');
  });
});

describe('PLAIN', () => {
  test('parses authzid, authcid, password', () => {
    assert.deepEqual(parsePlainMessage(Buffer.from('\0alice@example.org\0pässword')), {
      authzid: '',
      authcid: 'alice@example.org',
      password: 'pässword',
    });
    assert.deepEqual(parsePlainMessage(Buffer.from('admin\0alice\0pw')), {
      authzid: 'admin',
      authcid: 'alice',
      password: 'pw',
    });
  });
  test('refuses malformed messages', () => {
    for (const bad of ['alice\0pw', '\0\0pw', '\0alice\0', 'a\0b\0c\0d', '\0' + 'x'.repeat(256) + '\0pw']) {
      assert.equal(parsePlainMessage(Buffer.from(bad)), null, JSON.stringify(bad));
    }
    assert.equal(parsePlainMessage(Buffer.from([0, 0xff, 0xfe, 0, 0x41])), null);
  });
  test('server: empty challenge without initial response, then credentials', () => {
    const m = createServerMechanism('plain')!;
    assert.deepEqual(m.start(null), { kind: 'challenge', data: Buffer.alloc(0) });
    const step = m.next(encodePlainMessage({ authcid: 'bob', password: 'x' }));
    assert.deepEqual(step, {
      kind: 'credentials',
      credentials: { authzid: '', authcid: 'bob', password: 'x' },
    });
    assert.equal(m.next(Buffer.from('again')).kind, 'malformed');
  });
  test('server: initial response', () => {
    const step = createServerMechanism('PLAIN')!.start(Buffer.from('\0bob\0x'));
    assert.equal(step.kind, 'credentials');
    assert.equal(createServerMechanism('PLAIN')!.start(Buffer.alloc(0)).kind, 'malformed');
  });
});

describe('LOGIN', () => {
  test('server asks user name then password', () => {
    const m = createServerMechanism('LOGIN')!;
    assert.deepEqual(m.start(null), { kind: 'challenge', data: Buffer.from('Username:') });
    assert.deepEqual(m.next(Buffer.from('alice')), { kind: 'challenge', data: Buffer.from('Password:') });
    assert.deepEqual(m.next(Buffer.from('pw')), {
      kind: 'credentials',
      credentials: { authzid: '', authcid: 'alice', password: 'pw' },
    });
  });
  test('server takes the user name as initial response', () => {
    const m = createServerMechanism('LOGIN')!;
    assert.deepEqual(m.start(Buffer.from('alice')), { kind: 'challenge', data: Buffer.from('Password:') });
    assert.equal(m.next(Buffer.alloc(0)).kind, 'malformed');
  });
  test('client answers by challenge text', () => {
    const c = createClientMechanism(['LOGIN'], { authcid: 'alice', password: 'pw' })!;
    assert.equal(c.initialResponse(), null);
    assert.equal(c.respond(Buffer.from('Username:')).toString(), 'alice');
    assert.equal(c.respond(Buffer.from('Password:')).toString(), 'pw');
  });
});

describe('mechanism choice', () => {
  test('unknown server mechanism', () => assert.equal(createServerMechanism('CRAM-MD5'), null));
  test('client prefers PLAIN', () => {
    assert.equal(createClientMechanism(['LOGIN', 'PLAIN'], { authcid: 'a', password: 'b' })!.name, 'PLAIN');
    assert.equal(createClientMechanism(['CRAM-MD5'], { authcid: 'a', password: 'b' }), null);
    const plain = createClientMechanism(['plain'], { authcid: 'a', password: 'b' })!;
    assert.equal(plain.initialResponse()!.toString(), '\0a\0b');
  });
});
