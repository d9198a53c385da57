// One mail transaction on an open session (RFC 5321 §3.3): MAIL, RCPT…, then DATA (dot-stuffed) or
// BDAT (RFC 3030), pipelined when the server offers PIPELINING (RFC 2920 §3.1: DATA ends a group).
// The result gives every recipient its deciding reply: its RCPT reply when that was negative, else the
// reply to the end of data. Errors that end the session (timeout, lost connection) are thrown.

import type { DsnNotify } from '../../storage/ports.ts';
import { formatMailFrom, formatRcptTo } from '../wire/client-command.ts';
import { encodeDotData, normalizeCrlf } from '../wire/data-encoder.ts';
import { formatReply, type SmtpReply } from '../wire/reply-parser.ts';
import { SmtpClientError } from './errors.ts';
import type { SmtpClient } from './smtp-client.ts';

export interface EnvelopeRecipient {
  address: string;
  notify?: readonly DsnNotify[];
  /** RFC 3461 ORCPT as "addr-type;address" (decoded). */
  orcpt?: string | null;
}

export interface OutgoingEnvelope {
  /** "" for the null sender <>. */
  from: string;
  recipients: readonly EnvelopeRecipient[];
  /** The message needs SMTPUTF8 (RFC 6531): sent only to servers that offer it. */
  smtputf8?: boolean;
  /** 8-bit body: BODY=8BITMIME when the server offers it (RFC 6152). */
  eightBit?: boolean;
  ret?: 'FULL' | 'HDRS' | null;
  envId?: string | null;
}

export interface RecipientOutcome {
  address: string;
  reply: SmtpReply;
  /** Which command the reply answered: for "(in reply to RCPT TO)" in DSNs. */
  phase: 'mail' | 'rcpt' | 'data' | 'data-end' | 'bdat';
}

export interface SendResult {
  recipients: RecipientOutcome[];
  /** True when the server offered DSN and NOTIFY/ORCPT/RET/ENVID were passed on (RFC 3461 §4). */
  dsnPassedOn: boolean;
}

export interface SendOptions {
  /** Use PIPELINING when offered (default true). */
  pipelining?: boolean;
  /** Use BDAT when CHUNKING is offered (default true). */
  chunking?: boolean;
}

const BLOCK = 1 << 20;

export async function sendMessage(
  client: SmtpClient,
  envelope: OutgoingEnvelope,
  body: Buffer,
  options: SendOptions = {},
): Promise<SendResult> {
  if (envelope.recipients.length === 0) throw new Error('sendMessage: no recipients');
  const t = client.options.timeouts;
  if (envelope.smtputf8 && !client.supports('SMTPUTF8')) {
    // RFC 6531 §3.2: without SMTPUTF8 at the next hop the message cannot be delivered as it is.
    throw new SmtpClientError(
      'unsupported',
      'mail',
      `${client.remote} does not support SMTPUTF8, which this message needs`,
      {
        status: '5.6.7',
      },
    );
  }
  const maxSize = client.maxSize;
  if (maxSize !== null && body.length > maxSize) {
    // RFC 1870 §6: do not send what the server has announced it will refuse.
    throw new SmtpClientError(
      'unsupported',
      'mail',
      `message of ${body.length} octets exceeds the ${maxSize} octets ${client.remote} accepts`,
      {
        status: '5.3.4',
      },
    );
  }
  const dsn = client.supports('DSN');
  const pipelining = options.pipelining !== false && client.supports('PIPELINING');
  const chunking = options.chunking !== false && client.supports('CHUNKING');

  const mailLine = formatMailFrom(envelope.from, {
    size: client.supports('SIZE') ? body.length : undefined,
    body: envelope.eightBit && client.supports('8BITMIME') ? '8BITMIME' : undefined,
    smtputf8: envelope.smtputf8 && client.supports('SMTPUTF8'),
    ret: dsn ? envelope.ret : null,
    envId: dsn ? envelope.envId : null,
  });
  const rcptLines = envelope.recipients.map((r) =>
    formatRcptTo(r.address, dsn ? { notify: r.notify, orcpt: r.orcpt } : {}),
  );

  let mailReply: SmtpReply;
  const rcptReplies: SmtpReply[] = [];
  let dataReply: SmtpReply | null = null;
  if (pipelining) {
    client.write(mailLine + rcptLines.join('') + (chunking ? '' : 'DATA\r\n'));
    mailReply = await client.readReply('mail', t.commandMs);
    for (let i = 0; i < rcptLines.length; i++) rcptReplies.push(await client.readReply('rcpt', t.commandMs));
    if (!chunking) dataReply = await client.readReply('data', t.dataStartMs);
  } else {
    client.write(mailLine);
    mailReply = await client.readReply('mail', t.commandMs);
    if (mailReply.code === 250) {
      for (const line of rcptLines) {
        client.write(line);
        const reply = await client.readReply('rcpt', t.commandMs);
        rcptReplies.push(reply);
        if (reply.code === 421) break;
      }
    }
  }

  const outcomes: RecipientOutcome[] = envelope.recipients.map((r, i) => {
    if (mailReply.code !== 250) return { address: r.address, reply: mailReply, phase: 'mail' };
    const reply = rcptReplies[i] ?? closingReply(rcptReplies);
    return { address: r.address, reply, phase: 'rcpt' };
  });
  const accepted = outcomes.filter((o) => o.reply.code === 250 || o.reply.code === 251);

  if (accepted.length === 0 || !client.usable) {
    // RFC 2920 §3.1: a pipelined DATA that was accepted anyway must be ended with an empty message.
    if (dataReply?.code === 354 && client.usable) {
      client.write('.\r\n');
      await client.readReply('data-end', t.dataEndMs);
    }
    if (!client.usable) for (const o of accepted) o.reply = closedReply(o.reply);
    return { recipients: outcomes, dsnPassedOn: dsn };
  }

  let final: SmtpReply;
  let phase: RecipientOutcome['phase'];
  if (chunking) {
    const data = normalizeCrlf(body);
    client.write(`BDAT ${data.length} LAST\r\n`);
    await writeBlocks(client, data, 'bdat', t.dataBlockMs);
    final = await client.readReply('bdat', t.dataEndMs);
    phase = 'bdat';
  } else {
    if (!pipelining) {
      client.write('DATA\r\n');
      dataReply = await client.readReply('data', t.dataStartMs);
    }
    if (dataReply!.code !== 354) {
      final = dataReply!;
      phase = 'data';
    } else {
      await writeBlocks(client, encodeDotData(body), 'data-end', t.dataBlockMs);
      final = await client.readReply('data-end', t.dataEndMs);
      phase = 'data-end';
    }
  }
  for (const o of accepted) {
    o.reply = final;
    o.phase = phase;
  }
  client.options.log?.debug({ remote: client.remote, reply: formatReply(final) }, 'transaction done');
  return { recipients: outcomes, dsnPassedOn: dsn };
}

async function writeBlocks(
  client: SmtpClient,
  data: Buffer,
  phase: 'bdat' | 'data-end',
  timeoutMs: number,
): Promise<void> {
  for (let at = 0; at < data.length; at += BLOCK) {
    await client.writeBlock(data.subarray(at, at + BLOCK), phase, timeoutMs);
  }
}

/** Recipients not tried after a 421 get that 421. */
function closingReply(replies: SmtpReply[]): SmtpReply {
  return (
    replies.find((r) => r.code === 421) ?? {
      code: 421,
      enhanced: '4.4.2',
      lines: ['session closed before RCPT'],
    }
  );
}

/** An accepted recipient whose data could not be sent because the server closed the session. */
function closedReply(previous: SmtpReply): SmtpReply {
  return previous.code === 421
    ? previous
    : { code: 421, enhanced: '4.4.2', lines: ['session closed before data'] };
}
