// Test helpers for the IMAP wire tests: build command parts from a transcript-like string.

import { parseCommand, type ParseOptions, type TaggedCommand } from '../../src/imap/wire/index.ts';

/**
 * Splits wire text into parts the way the session assembles them: "a1 LOGIN {3}\r\nbob {4}\r\npass" becomes
 * [line, literal, line, literal, line]. Each literal's size is taken from its {n} marker.
 */
export function partsOf(wire: string | Buffer): Buffer[] {
  const data = typeof wire === 'string' ? Buffer.from(wire, 'utf8') : wire;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const crlf = data.indexOf('\r\n', at);
    if (crlf < 0) {
      parts.push(data.subarray(at));
      return parts;
    }
    const line = data.subarray(at, crlf);
    const m = /~?\{([0-9]+)\+?\}$/.exec(line.toString('latin1'));
    if (!m) throw new Error(`line without literal marker: ${line}`);
    parts.push(line);
    const size = Number(m[1]);
    parts.push(data.subarray(crlf + 2, crlf + 2 + size));
    at = crlf + 2 + size;
  }
}

export function parse(wire: string | Buffer, options?: ParseOptions): TaggedCommand {
  return parseCommand(partsOf(wire), options);
}
