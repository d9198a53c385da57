// ImapSession: one connection from greeting to BYE (RFC 9051 §3, §5.5, §7.5).
//
// Invariants:
// - Commands run one at a time; the next command is read only after the tagged reply of the previous one
//   (pipelined input waits in the Transport).
// - Every command passes one gate (command-table.ts): allowed in the current state, then run.
// - Untagged updates about the selected mailbox (EXISTS, EXPUNGE/VANISHED, FETCH FLAGS) are sent only just before
//   a tagged reply or during IDLE, and EXPUNGE never during FETCH/STORE/SEARCH by sequence number (§7.5.1).
// - Output beyond config.imap.max_output_buffer for a reader that does not read ends the session.

import type { Logger } from '../../log/logger.ts';
import { TransportTimeout, type Transport } from '../../net/transport.ts';
import type { SelectedMailbox, ViewUpdate } from '../../mailbox/selected-mailbox.ts';
import { parseCommand } from '../wire/parse-command.ts';
import { ImapParseError } from '../wire/errors.ts';
import type { Command } from '../wire/command-types.ts';
import { formatSequenceSet } from '../wire/sequence-set.ts';
import { capabilities } from './capabilities.ts';
import { specFor } from './command-table.ts';
import { flagList, mailboxName, type Piece } from './encode.ts';
import { errorCompletion } from './error-responses.ts';
import { CommandReader } from './framing.ts';
import { formatCompletion, type Completion } from './reply.ts';
import type { ConnectionFacts, SessionContext } from './session-context.ts';
import type { SessionState } from './state.ts';
import { flagsFetchResponse } from './commands/fetch-untagged.ts';

const MAX_UNAUTHENTICATED_COMMANDS = 50;
const MAX_BAD_COMMANDS = 20;
const FLOW_HIGH_WATER = 256 * 1024;

export class SlowReader extends Error {
  override name = 'SlowReader';
}

export const SYSTEM_FLAGS = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'];

export class ImapSession {
  readonly ctx: SessionContext;
  readonly transport: Transport;
  readonly facts: ConnectionFacts;
  readonly log: Logger;
  state: SessionState = { kind: 'notAuthenticated' };
  /** Extensions enabled with ENABLE or implicitly (CONDSTORE by a CONDSTORE-enabling command). */
  readonly enabled = new Set<string>();
  authFailures = 0;
  /** SEARCHRES (RFC 5182): the UIDs saved by SEARCH RETURN (SAVE); `$` refers to them. */
  savedSearch: number[] = [];
  /** Run once right after the tagged reply of the current command (STARTTLS handshake, BYE after failures). */
  afterReply: (() => Promise<void>) | null = null;
  #unauthenticatedCommands = 0;
  #reader: CommandReader;
  #badCommands = 0;

  constructor(ctx: SessionContext, transport: Transport, facts: ConnectionFacts) {
    this.ctx = ctx;
    this.transport = transport;
    this.facts = facts;
    this.log = ctx.log.child({ cid: facts.id, proto: 'imap', remote: facts.remote });
    this.#reader = new CommandReader(transport, {
      maxLineLength: ctx.config.imap.max_line_length,
      maxLiteralSize: ctx.config.imap.max_literal_size,
    });
  }

  // ------------------------------------------------------------ facts for handlers

  get secure(): boolean {
    return this.transport.secure;
  }
  /** LOGIN/AUTHENTICATE may be used now (RFC 9051 §6.2.3 LOGINDISABLED). */
  get authAllowed(): boolean {
    return this.secure || this.facts.loopback || this.ctx.config.imap.allow_insecure_auth;
  }
  get rev2(): boolean {
    return this.enabled.has('IMAP4REV2');
  }
  /** Mailbox names and strings are UTF-8 (IMAP4rev2 or UTF8=ACCEPT enabled). */
  get utf8(): boolean {
    return this.enabled.has('IMAP4REV2') || this.enabled.has('UTF8=ACCEPT');
  }
  get condstore(): boolean {
    return this.enabled.has('CONDSTORE') || this.enabled.has('QRESYNC');
  }
  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }
  get selected(): SelectedMailbox | null {
    return this.state.kind === 'selected' ? this.state.selected : null;
  }

  capabilities(): string[] {
    return capabilities({
      authenticated: this.state.kind === 'authenticated' || this.state.kind === 'selected',
      secure: this.secure,
      starttls: this.facts.starttls && this.ctx.tls !== null,
      plaintextAuth: this.facts.loopback || this.ctx.config.imap.allow_insecure_auth,
      appendLimit: this.ctx.config.imap.max_literal_size,
    });
  }

  encodeMailbox(name: string): string {
    return mailboxName(name, this.utf8);
  }

  // ------------------------------------------------------------ output

  /** Writes `* ` + pieces + CRLF. */
  untagged(...pieces: Piece[]): void {
    this.write('* ', ...pieces, '\r\n');
  }

  write(...pieces: Piece[]): void {
    for (const piece of pieces) this.transport.write(piece);
    if (this.transport.pendingOutput > this.ctx.config.imap.max_output_buffer) {
      throw new SlowReader(`more than ${this.ctx.config.imap.max_output_buffer} octets unread`);
    }
  }

  /** Waits for a slow reader during long responses (FETCH of many messages). */
  async flow(): Promise<void> {
    if (this.transport.pendingOutput > FLOW_HIGH_WATER) await this.transport.drain();
  }

  /** Sends a continuation request and reads the client's line (AUTHENTICATE, IDLE). Null at end of input. */
  async continuation(text: string): Promise<Buffer | null> {
    this.write(`+ ${text}\r\n`);
    const line = await this.transport.readLine(this.ctx.config.imap.max_line_length);
    return line ? line.bytes : null;
  }

  // ------------------------------------------------------------ state changes

  /** Leaves the selected state (CLOSE, UNSELECT, SELECT of another mailbox, LOGOUT). */
  deselect(): void {
    if (this.state.kind !== 'selected') return;
    this.state.selected.close();
    this.state = { kind: 'authenticated', account: this.state.account };
  }

  /** Sends the pending updates of the selected mailbox (RFC 9051 §7.5). */
  async announce(options: { expunges: boolean }): Promise<void> {
    const selected = this.selected;
    if (!selected || !selected.hasPending) {
      if (selected?.takeKeywordsChanged()) this.writeFlags(selected);
      return;
    }
    this.writeUpdate(selected, await selected.sync(options));
  }

  writeUpdate(selected: SelectedMailbox, update: ViewUpdate): void {
    if (update.gone) {
      this.untagged('BYE Selected mailbox was deleted');
      this.deselect();
      this.state = { kind: 'logout' };
      return;
    }
    if (update.expunged.length > 0) {
      if (this.qresync) this.untagged(`VANISHED ${formatSequenceSet(update.expunged.map((e) => e.uid))}`);
      else for (const e of update.expunged) this.untagged(`${e.seq} EXPUNGE`);
    }
    if (update.exists !== null) {
      this.untagged(`${update.exists} EXISTS`);
      if (!this.rev2) this.untagged('0 RECENT');
    }
    if (selected.takeKeywordsChanged()) this.writeFlags(selected);
    for (const { seq, record } of update.flags) this.write(...flagsFetchResponse(this, seq, record));
  }

  /** FLAGS and PERMANENTFLAGS (RFC 9051 §7.3.5, §7.1). */
  writeFlags(selected: SelectedMailbox): void {
    selected.takeKeywordsChanged();
    const keywords = [...selected.keywords];
    this.untagged(`FLAGS ${flagList([...SYSTEM_FLAGS, ...keywords])}`);
    const permanent = selected.readOnly ? [] : [...SYSTEM_FLAGS, ...keywords, '\\*'];
    this.untagged(`OK [PERMANENTFLAGS ${flagList(permanent)}] Flags permitted`);
  }

  // ------------------------------------------------------------ the command loop

  async run(): Promise<void> {
    const config = this.ctx.config.imap;
    this.untagged(
      `OK [CAPABILITY ${this.capabilities().join(' ')}] ${this.ctx.config.hostname} Posthorn IMAP ready`,
    );
    let abandon = false;
    try {
      while (this.state.kind !== 'logout') {
        const authenticated = this.state.kind !== 'notAuthenticated';
        this.transport.setIdleTimeout(
          (authenticated ? config.idle_timeout_s : config.preauth_timeout_s) * 1000,
        );
        const input = await this.#reader.read(() => this.write('+ Ready for literal data\r\n'));
        if (input.kind === 'end') break;
        if (input.kind === 'refused') {
          const completion = errorCompletion(input.error, this.log, this.facts.id);
          this.write(formatCompletion(input.error.tag ?? '*', completion));
          if (input.fatal || this.#countBad()) {
            this.untagged('BYE Too many invalid commands');
            break;
          }
          continue;
        }
        if (!authenticated && ++this.#unauthenticatedCommands > MAX_UNAUTHENTICATED_COMMANDS) {
          this.untagged('BYE Too many commands without authentication');
          break;
        }
        await this.#execute(input.parts);
      }
    } catch (error) {
      if (error instanceof TransportTimeout) {
        this.untaggedQuietly('BYE Autologout; idle for too long');
      } else if (error instanceof SlowReader) {
        this.log.info({ err: error }, 'closing session of a slow reader');
        abandon = true;
      } else {
        this.log.debug({ err: error }, 'session ended with an error');
      }
    } finally {
      this.deselect();
      this.state = { kind: 'logout' };
      // A reader that does not read would not take the rest either: drop the connection at once.
      if (abandon) this.transport.destroy();
      else await this.transport.close();
    }
  }

  /** Ends the session from outside (server stop): BYE, then the connection closes. */
  shutdown(reason: string): void {
    this.untaggedQuietly(`BYE ${reason}`);
    this.state = { kind: 'logout' };
    void this.transport.close();
  }

  untaggedQuietly(text: string): void {
    try {
      this.untagged(text);
    } catch {
      // the connection is going away anyway
    }
  }

  async #execute(parts: Buffer[]): Promise<void> {
    let tag = '*';
    let completion: Completion;
    // A command's untagged responses and its tagged reply leave in one write (released at the latest when
    // the session waits for input: continuation requests, IDLE).
    this.transport.hold();
    try {
      const parsed = parseCommand(parts, {
        utf8Mailboxes: this.utf8,
        maxSequenceRanges: 10_000,
        maxSearchDepth: 32,
      });
      tag = parsed.tag;
      // Trace without arguments: no passwords, no message contents in logs.
      this.log.trace({ tag, command: parsed.command.name }, 'imap command');
      completion = await this.#dispatch(parsed.command, tag);
    } catch (error) {
      if (error instanceof SlowReader || error instanceof TransportTimeout) throw error;
      if (error instanceof ImapParseError && error.tag) tag = error.tag;
      completion = errorCompletion(error, this.log, this.facts.id);
    }
    if (completion.status === 'BAD' && this.#countBad()) {
      this.write(formatCompletion(tag, completion));
      this.untagged('BYE Too many invalid commands');
      this.state = { kind: 'logout' };
      this.transport.release();
      return;
    }
    if (completion.status !== 'BAD') this.#badCommands = 0;
    this.write(formatCompletion(tag, completion));
    this.transport.release();
    const after = this.afterReply;
    this.afterReply = null;
    if (after) await after();
  }

  #countBad(): boolean {
    return ++this.#badCommands >= MAX_BAD_COMMANDS;
  }

  async #dispatch(command: Command, tag: string): Promise<Completion> {
    const spec = specFor(command);
    if (!spec.allowedIn.includes(this.state.kind)) {
      const why =
        this.state.kind === 'notAuthenticated'
          ? 'Authenticate first'
          : this.state.kind === 'authenticated' && spec.allowedIn.includes('selected')
            ? 'No mailbox selected'
            : 'Command not allowed in this state';
      return { status: 'BAD', code: null, text: why };
    }
    let completion: Completion;
    try {
      completion = await spec.run(this, command, tag);
    } catch (error) {
      if (error instanceof SlowReader || error instanceof TransportTimeout) throw error;
      completion = errorCompletion(error, this.log, this.facts.id);
    }
    if (this.state.kind === 'selected') {
      try {
        await this.announce({ expunges: spec.expunges ? spec.expunges(command) : true });
      } catch (error) {
        if (error instanceof SlowReader) throw error;
        // The command itself is done; its result stands. The updates are sent at the next chance.
        this.log.warn({ err: error }, 'could not announce mailbox updates');
      }
    }
    return completion;
  }
}
