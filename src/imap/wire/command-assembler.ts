// Command framing for the session: a command is a line, or lines joined by literals ({n}, {n+} RFC 7888,
// ~{n} RFC 3516). The session reads lines and literal bytes from the transport; this decides what to read
// next, enforces the limits before any `+` is sent, and hands back the parts for parseCommand().
//
// Session loop (pseudo-code):
//   let step = asm.pushLine((await t.readLine(max)).bytes);
//   for (;;) {
//     if (step.kind === 'literal') { if (step.sync) t.write('+ Ready\r\n');
//                                   asm.pushLiteral(await t.readBytes(step.size)); }
//     else if (step.kind === 'discard') { await t.skipBytes(step.size); asm.pushDiscarded(); }
//     else break;
//     step = asm.pushLine((await t.readLine(max)).bytes);
//   }
//   'command' -> parseCommand(step.parts, opts);  'reject' -> answer step.error (then BYE + close if step.close)

import { ImapParseError } from './errors.ts';
import { isAtomChar, isTagChar } from './tokenizer.ts';

export interface LiteralMarker {
  size: number;
  /** `{n+}`: the client sends the data without waiting for `+` (LITERAL+ / LITERAL-, RFC 7888). */
  nonSync: boolean;
  /** `~{n}`: literal8 (RFC 3516). */
  binary: boolean;
}

/** The literal announced at the end of a line (CRLF already stripped), or null. Sizes beyond 2^53 are Infinity. */
export function scanLiteral(line: Buffer): LiteralMarker | null {
  let i = line.length - 1;
  if (i < 2 || line[i] !== 0x7d) return null; // "}"
  i--;
  const nonSync = line[i] === 0x2b; // "+"
  if (nonSync) i--;
  const digitsEnd = i + 1;
  while (i >= 0 && line[i]! >= 0x30 && line[i]! <= 0x39) i--;
  if (i < 0 || i + 1 === digitsEnd || line[i] !== 0x7b) return null; // "{"
  const digits = line.toString('latin1', i + 1, digitsEnd);
  const binary = i > 0 && line[i - 1] === 0x7e; // "~"
  const size = digits.length > 15 ? Infinity : Number(digits);
  return { size, nonSync, binary };
}

export interface CommandLimits {
  /** Largest literal accepted in APPEND (the APPENDLIMIT). */
  maxAppendLiteral: number;
  /** Largest literal accepted in any other command. */
  maxLiteral: number;
  /** Most octets in one command: its lines plus its non-APPEND literals. */
  maxCommandSize: number;
  /** Most literals in one command. */
  maxLiterals: number;
  /** Largest refused non-synchronizing literal that is still read and dropped; beyond it, close. */
  maxDiscard: number;
}

export const DEFAULT_COMMAND_LIMITS: CommandLimits = {
  maxAppendLiteral: 50 * 1024 * 1024,
  maxLiteral: 64 * 1024,
  maxCommandSize: 1024 * 1024,
  maxLiterals: 1000,
  maxDiscard: 1024 * 1024,
};

export type AssemblyStep =
  /** The command is complete: parts = [line, literal, line, …, line]. */
  | { kind: 'command'; parts: Buffer[] }
  /** Read `size` octets and pushLiteral() them; when `sync`, first send a continuation request (`+ …`). */
  | { kind: 'literal'; size: number; sync: boolean; binary: boolean }
  /** The command is refused but the client is already sending `size` octets: skip them, pushDiscarded(). */
  | { kind: 'discard'; size: number }
  /** Answer `error` (tagged when error.tag is set); with `close`, then send BYE and close the connection. */
  | { kind: 'reject'; error: ImapParseError; close: boolean };

/** Collects one command at a time; reusable (resets itself after 'command' and 'reject'). */
export class CommandAssembler {
  readonly #limits: CommandLimits;
  #parts: Buffer[] = [];
  #size = 0;
  #literals = 0;
  #tag: string | null = null;
  #isAppend = false;
  #pending: ImapParseError | null = null; // refused; discarding the rest of the command

  constructor(limits: Partial<CommandLimits> = {}) {
    this.#limits = { ...DEFAULT_COMMAND_LIMITS, ...limits };
  }

  /** Tag of the command being assembled (read from its first line), or null. */
  get tag(): string | null {
    return this.#tag;
  }

  /** Feeds one line (without CRLF). */
  pushLine(line: Buffer): AssemblyStep {
    if (this.#parts.length === 0 && this.#pending === null) this.#peekCommand(line);
    this.#size += line.length + 2;
    if (this.#pending === null && this.#size > this.#limits.maxCommandSize) {
      this.#pending = this.#error('command line too long', 'BAD');
    }
    const marker = scanLiteral(line);
    if (this.#pending === null) this.#parts.push(line);
    if (!marker) return this.#finish();

    if (this.#pending === null) {
      this.#literals++;
      const max = this.#isAppend ? this.#limits.maxAppendLiteral : this.#limits.maxLiteral;
      if (this.#literals > this.#limits.maxLiterals) this.#pending = this.#error('too many literals', 'BAD');
      else if (marker.size > max) {
        // RFC 7889 / RFC 9051 §7.1: TOOBIG; answered before any "+" so a synchronizing client sends nothing.
        this.#pending = this.#error(
          `literal of ${marker.size} octets exceeds the limit of ${max}`,
          'NO',
          'TOOBIG',
        );
      } else if (!this.#isAppend && this.#size + marker.size > this.#limits.maxCommandSize) {
        this.#pending = this.#error('command too long', 'BAD');
      }
    }
    if (this.#pending === null) {
      if (!this.#isAppend) this.#size += marker.size;
      return { kind: 'literal', size: marker.size, sync: !marker.nonSync, binary: marker.binary };
    }
    if (!marker.nonSync) return this.#finish(); // the client waits for "+": refusing now ends the command
    if (marker.size > this.#limits.maxDiscard) {
      const error = this.#pending;
      this.#reset();
      return { kind: 'reject', error, close: true };
    }
    return { kind: 'discard', size: marker.size };
  }

  /** Feeds the octets of the literal requested by the last step. */
  pushLiteral(data: Buffer): void {
    this.#parts.push(data);
  }

  /** Confirms that the octets of a 'discard' step were skipped. */
  pushDiscarded(): void {}

  #finish(): AssemblyStep {
    const pending = this.#pending;
    const parts = this.#parts;
    this.#reset();
    if (pending) return { kind: 'reject', error: pending, close: false };
    return { kind: 'command', parts };
  }

  #reset(): void {
    this.#parts = [];
    this.#size = 0;
    this.#literals = 0;
    this.#pending = null;
    // #tag is kept until the next command starts, for error reporting after a reject.
  }

  #error(message: string, status: 'BAD' | 'NO', code?: string): ImapParseError {
    return new ImapParseError(message, {
      tag: this.#tag,
      status,
      ...(code ? { code: { name: code, args: [] } } : {}),
    });
  }

  // Reads tag and command name loosely from the first line, for limits and error replies.
  #peekCommand(line: Buffer): void {
    let i = 0;
    while (i < line.length && isTagChar(line[i]!)) i++;
    this.#tag = i > 0 && (i === line.length || line[i] === 0x20) ? line.toString('latin1', 0, i) : null;
    const start = i + 1;
    let end = start;
    while (end < line.length && isAtomChar(line[end]!)) end++;
    this.#isAppend = line.toString('latin1', start, end).toUpperCase() === 'APPEND';
  }
}
