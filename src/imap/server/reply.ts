// Tagged completions as data (RFC 9051 §7.1): handlers return ok(...) or throw no(...)/bad(...); the session
// writes the tagged line. Response codes are given as their wire text ("READ-WRITE", "APPENDUID 38505 3955").

export type Status = 'OK' | 'NO' | 'BAD';

export interface Completion {
  status: Status;
  code: string | null;
  text: string;
}

/** A refusal thrown by a handler (or the gate), answered as a tagged NO/BAD. */
export class ImapReply extends Error {
  override name = 'ImapReply';
  readonly completion: Completion;
  constructor(completion: Completion) {
    super(completion.text);
    this.completion = completion;
  }
}

export function ok(text: string, code: string | null = null): Completion {
  return { status: 'OK', code, text };
}

export function no(text: string, code: string | null = null): ImapReply {
  return new ImapReply({ status: 'NO', code, text });
}

export function bad(text: string, code: string | null = null): ImapReply {
  return new ImapReply({ status: 'BAD', code, text });
}

export function formatCompletion(tag: string, c: Completion): string {
  return `${tag} ${c.status} ${c.code ? `[${c.code}] ` : ''}${c.text}\r\n`;
}
