// Command framing over the Transport with the wire layer's CommandAssembler (RFC 9051 §2.2.1, §7.5; RFC 7888):
// lines and literals are read as the assembler asks; `+` is sent only for synchronizing literals it accepted,
// so an oversized literal is answered NO [TOOBIG] before the client sends it.

import { LineTooLong, type Transport } from '../../net/transport.ts';
import { CommandAssembler } from '../wire/command-assembler.ts';
import { ImapParseError } from '../wire/errors.ts';

export interface FramingLimits {
  maxLineLength: number;
  maxLiteralSize: number;
}

export type FramedInput =
  | { kind: 'command'; parts: Buffer[] }
  | { kind: 'end' }
  /** Refused before parsing; `fatal` ends the session after the reply. */
  | { kind: 'refused'; error: ImapParseError; fatal: boolean };

export class CommandReader {
  readonly #transport: Transport;
  readonly #limits: FramingLimits;
  readonly #assembler: CommandAssembler;

  constructor(transport: Transport, limits: FramingLimits) {
    this.#transport = transport;
    this.#limits = limits;
    this.#assembler = new CommandAssembler({
      maxAppendLiteral: limits.maxLiteralSize,
      maxLiteral: limits.maxLineLength,
      maxCommandSize: 4 * limits.maxLineLength,
      maxLiterals: 1000,
      maxDiscard: limits.maxLiteralSize,
    });
  }

  /** Reads one command; `onContinue` sends the continuation request for a synchronizing literal. */
  async read(onContinue: () => void): Promise<FramedInput> {
    let line = await this.#line(true);
    if (line === null) return { kind: 'end' };
    if (line instanceof ImapParseError) return { kind: 'refused', error: line, fatal: false };
    for (;;) {
      const step = this.#assembler.pushLine(line);
      switch (step.kind) {
        case 'command':
          return { kind: 'command', parts: step.parts };
        case 'reject':
          return { kind: 'refused', error: step.error, fatal: step.close };
        case 'literal': {
          if (step.sync) onContinue();
          const data = await this.#transport.readBytes(step.size);
          if (data === null) return { kind: 'end' };
          this.#assembler.pushLiteral(data);
          break;
        }
        case 'discard':
          if (!(await this.#transport.skipBytes(step.size))) return { kind: 'end' };
          this.#assembler.pushDiscarded();
          break;
      }
      const next = await this.#line(false);
      if (next === null) return { kind: 'end' };
      if (next instanceof ImapParseError) return { kind: 'refused', error: next, fatal: true };
      line = next;
    }
  }

  async #line(first: boolean): Promise<Buffer | ImapParseError | null> {
    try {
      const line = await this.#transport.readLine(this.#limits.maxLineLength);
      return line === null ? null : line.bytes;
    } catch (error) {
      if (error instanceof LineTooLong) {
        return new ImapParseError('command line too long', {
          tag: first ? null : this.#assembler.tag,
          code: { name: 'TOOBIG', args: [] },
        });
      }
      throw error;
    }
  }
}
