import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeQuotedPrintable,
  decodeTransferEncoding,
  partBody,
  partText,
} from '../../src/message/body-decode.ts';
import { parseMessage } from '../../src/message/parse.ts';
import { partAt } from '../../src/message/sections.ts';

describe('transfer decoding', () => {
  test('quoted-printable: escapes, soft breaks (CRLF and LF), broken escapes kept', () => {
    assert.equal(decodeQuotedPrintable(Buffer.from('caf=C3=A9 =\r\nau =\nlait')).toString(), 'café au lait');
    assert.equal(decodeQuotedPrintable(Buffer.from('a=ZZ=4')).toString(), 'a=ZZ=4');
    assert.equal(decodeQuotedPrintable(Buffer.from('=3D=3d')).toString(), '==');
  });

  test('base64 tolerates line breaks; 7bit/8bit/binary and unknown encodings are passed through', () => {
    assert.equal(decodeTransferEncoding(Buffer.from('Y2Fm\r\nw6k=\r\n'), 'BASE64').toString(), 'café');
    assert.equal(decodeTransferEncoding(Buffer.from('as is'), '8BIT').toString(), 'as is');
    assert.equal(decodeTransferEncoding(Buffer.from('as is'), 'X-UUENCODE').toString(), 'as is');
  });

  test('partBody / partText on a parsed message', () => {
    const buf = Buffer.from(
      'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n' +
        'Content-Transfer-Encoding: quoted-printable\r\n\r\nOl=E9\r\n--b\r\nContent-Type: application/octet-stream\r\n' +
        'Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n',
    );
    const parsed = parseMessage(buf);
    const text = partAt(parsed.body, [1]);
    const binary = partAt(parsed.body, [2]);
    assert.ok(text && binary);
    assert.equal(partText(buf, text), 'Olé');
    assert.deepEqual([...partBody(buf, binary)], [0, 1, 2]);
  });
});
