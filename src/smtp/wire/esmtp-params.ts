// ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 Mail-parameters / Rcpt-parameters) and the meaning
// of the ones we support: SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), RET/ENVID/NOTIFY/ORCPT
// (RFC 3461), AUTH (RFC 4954 §5). Pure: text in, typed values or the reply to refuse with out.

import type { SmtpReply } from './reply-parser.ts';
import { replies } from './reply-table.ts';
import { decodeUtf8AddrXtext, decodeXtext } from './xtext.ts';

export interface EsmtpParam {
  /** Upper-cased keyword. */
  name: string;
  /** Value after "=", or null for a bare keyword. */
  value: string | null;
}

export type DsnNotifyValue = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY';

export interface MailParams {
  /** Declared size (RFC 1870), or null. */
  size: number | null;
  body: '7BIT' | '8BITMIME' | null;
  smtputf8: boolean;
  ret: 'FULL' | 'HDRS' | null;
  /** Decoded ENVID, or null. */
  envId: string | null;
  /** RFC 4954 §5 AUTH=<mailbox>; decoded; "<>" when the client gave none. Informational only. */
  auth: string | null;
}

export interface RcptParams {
  /** Empty = not given (the MTA's default applies). */
  notify: DsnNotifyValue[];
  /** "addr-type;decoded-address", or null. */
  orcpt: string | null;
}

export type ParamsResult<T> = { ok: true; value: T } | { ok: false; reply: SmtpReply };

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF8-non-ascii under SMTPUTF8 (RFC 6531 §3.3).
const VALUE = /^[\x21-\x3c\x3e-\x7e\u0080-\u{10FFFF}]+$/u;
/** RFC 3461 §4.4: ENVID is at most 100 characters; §4.2: ORCPT at most 500. */
const MAX_ENVID = 100;
const MAX_ORCPT = 500;

/** Splits "KEY=VALUE KEY2" into params; null when a parameter is malformed. */
export function splitParams(text: string): EsmtpParam[] | null {
  const params: EsmtpParam[] = [];
  for (const token of text.split(' ')) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    const value = eq < 0 ? null : token.slice(eq + 1);
    if (!KEYWORD.test(name)) return null;
    if (value !== null && !VALUE.test(value)) return null;
    params.push({ name: name.toUpperCase(), value });
  }
  return params;
}

export function interpretMailParams(params: readonly EsmtpParam[]): ParamsResult<MailParams> {
  const out: MailParams = { size: null, body: null, smtputf8: false, ret: null, envId: null, auth: null };
  const seen = new Set<string>();
  for (const { name, value } of params) {
    if (seen.has(name)) return { ok: false, reply: replies.paramDuplicate(name) };
    seen.add(name);
    switch (name) {
      case 'SIZE':
        if (value === null || !/^\d{1,20}$/.test(value)) return bad(name);
        out.size = Number(value);
        break;
      case 'BODY': {
        const v = value?.toUpperCase();
        if (v === '7BIT' || v === '8BITMIME') out.body = v;
        else if (v === 'BINARYMIME')
          return { ok: false, reply: replies.paramNotRecognized('BODY=BINARYMIME') };
        else return bad(name);
        break;
      }
      case 'SMTPUTF8':
        if (value !== null) return bad(name);
        out.smtputf8 = true;
        break;
      case 'RET': {
        const v = value?.toUpperCase();
        if (v !== 'FULL' && v !== 'HDRS') return bad(name);
        out.ret = v;
        break;
      }
      case 'ENVID': {
        const decoded = value === null ? null : decodeXtext(value);
        if (decoded === null || decoded.length > MAX_ENVID) return bad(name);
        out.envId = decoded;
        break;
      }
      case 'AUTH': {
        const decoded = value === null ? null : decodeXtext(value);
        if (decoded === null) return bad(name);
        out.auth = decoded;
        break;
      }
      default:
        return { ok: false, reply: replies.paramNotRecognized(name) };
    }
  }
  return { ok: true, value: out };
}

export function interpretRcptParams(params: readonly EsmtpParam[]): ParamsResult<RcptParams> {
  const out: RcptParams = { notify: [], orcpt: null };
  const seen = new Set<string>();
  for (const { name, value } of params) {
    if (seen.has(name)) return { ok: false, reply: replies.paramDuplicate(name) };
    seen.add(name);
    switch (name) {
      case 'NOTIFY': {
        const notify = parseNotify(value);
        if (!notify) return bad(name);
        out.notify = notify;
        break;
      }
      case 'ORCPT': {
        const orcpt = value === null ? null : parseOrcpt(value);
        if (orcpt === null) return bad(name);
        out.orcpt = orcpt;
        break;
      }
      default:
        return { ok: false, reply: replies.paramNotRecognized(name) };
    }
  }
  return { ok: true, value: out };
}

/** RFC 3461 §4.1: "NEVER" alone, or a comma list of SUCCESS, FAILURE, DELAY. */
export function parseNotify(value: string | null): DsnNotifyValue[] | null {
  if (value === null) return null;
  const items = value.toUpperCase().split(',');
  if (items.length === 1 && items[0] === 'NEVER') return ['NEVER'];
  const out: DsnNotifyValue[] = [];
  for (const item of items) {
    if (item !== 'SUCCESS' && item !== 'FAILURE' && item !== 'DELAY') return null;
    if (out.includes(item)) return null;
    out.push(item);
  }
  return out;
}

/** RFC 3461 §4.2: addr-type ";" xtext (RFC 6533: utf-8-addr-xtext for addr-type utf-8). */
export function parseOrcpt(value: string): string | null {
  if (value.length > MAX_ORCPT) return null;
  const semi = value.indexOf(';');
  if (semi <= 0) return null;
  const type = value.slice(0, semi);
  if (!/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(type)) return null;
  const lower = type.toLowerCase();
  const raw = value.slice(semi + 1);
  const decoded = lower === 'utf-8' ? decodeUtf8AddrXtext(raw) : decodeXtext(raw);
  if (decoded === null || decoded === '') return null;
  return `${lower};${decoded}`;
}

function bad(name: string): { ok: false; reply: SmtpReply } {
  return { ok: false, reply: replies.paramInvalid(name) };
}
