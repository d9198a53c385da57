// The one error the wire layer throws for bad client input. Anything else escaping the parser is a bug.

/** Response code carried by a parse error (e.g. TOOBIG, BADCHARSET with the supported charsets). */
export interface ParseErrorCode {
  name: string;
  /** Code data: atoms, or a parenthesised list of atoms. */
  args: Array<string | number | readonly string[]>;
}

export class ImapParseError extends Error {
  override name = 'ImapParseError';
  /** The command tag, or null when it could not be read (answer with an untagged `* BAD`). */
  tag: string | null;
  /** Upper-case command name when it was read ("UID FETCH" for UID commands), else null. */
  command: string | null;
  /** BAD for syntax errors; NO for well-formed requests refused by the parser (BADCHARSET, TOOBIG). */
  status: 'BAD' | 'NO';
  code: ParseErrorCode | null;

  constructor(
    message: string,
    init: { tag?: string | null; command?: string | null; status?: 'BAD' | 'NO'; code?: ParseErrorCode } = {},
  ) {
    super(message);
    this.tag = init.tag ?? null;
    this.command = init.command ?? null;
    this.status = init.status ?? 'BAD';
    this.code = init.code ?? null;
  }
}
