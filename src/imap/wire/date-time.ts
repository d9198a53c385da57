// IMAP dates: `date` for SEARCH (dd-Mon-yyyy) and `date-time` for APPEND / INTERNALDATE
// ("dd-Mon-yyyy hh:mm:ss +zzzz", RFC 9051 §9).

import type { ImapDate } from './command-types.ts';
import { ImapParseError } from './errors.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function monthNumber(name: string): number {
  const lower = name.toLowerCase();
  const i = MONTHS.findIndex((m) => m.toLowerCase() === lower);
  if (i < 0) throw new ImapParseError(`invalid month "${name}"`);
  return i + 1;
}

/** Date.UTC without its mapping of years 0..99 to 1900..1999. */
function utc(year: number, month: number, day: number, h = 0, min = 0, s = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, h, min, s));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month + 1, 0)).getUTCDate();
}

function checkDate(year: number, month: number, day: number): void {
  if (year < 1 || day < 1 || day > daysInMonth(year, month)) {
    throw new ImapParseError(`invalid date ${day}-${MONTHS[month - 1]}-${year}`);
  }
}

/** date-text = date-day "-" date-month "-" date-year (day 1 or 2 digits, month name any case). */
export function parseDate(text: string): ImapDate {
  const m = /^([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})$/.exec(text);
  if (!m) throw new ImapParseError(`invalid date "${text.slice(0, 30)}" (expected dd-Mon-yyyy)`);
  const day = Number(m[1]);
  const month = monthNumber(m[2]!);
  const year = Number(m[3]);
  checkDate(year, month, day);
  return { year, month, day };
}

/**
 * date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE (the quotes removed
 * by the caller). date-day-fixed is SP DIGIT or 2DIGIT; a bare 1-digit day is accepted too.
 */
export function parseDateTime(text: string): Date {
  const m =
    /^ ?([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})$/.exec(
      text,
    );
  if (!m)
    throw new ImapParseError(
      `invalid date-time "${text.slice(0, 40)}" (expected "dd-Mon-yyyy hh:mm:ss +zzzz")`,
    );
  const day = Number(m[1]);
  const month = monthNumber(m[2]!);
  const year = Number(m[3]);
  checkDate(year, month, day);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const zoneHours = Number(m[8]);
  const zoneMinutes = Number(m[9]);
  if (hour > 23 || minute > 59 || second > 60 || zoneMinutes > 59 || zoneHours > 99) {
    throw new ImapParseError(`invalid time in date-time "${text}"`);
  }
  const offset = (m[7] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  return new Date(utc(year, month, day, hour, minute, Math.min(second, 59)) - offset * 60_000);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * INTERNALDATE text (without quotes): "dd-Mon-yyyy hh:mm:ss +zzzz" in the given zone offset (minutes east of
 * UTC, default 0). The day is zero-padded, which both date-day-fixed forms allow.
 */
export function formatDateTime(date: Date, offsetMinutes = 0): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${pad2(local.getUTCDate())}-${MONTHS[local.getUTCMonth()]}-${String(local.getUTCFullYear()).padStart(4, '0')} ` +
    `${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())} ` +
    `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

/** "d-Mon-yyyy" for an ImapDate (tests, clients). */
export function formatDate(date: ImapDate): string {
  return `${date.day}-${MONTHS[date.month - 1]}-${date.year}`;
}

/** Days since 1970-01-01 for comparing dates (SEARCH BEFORE/ON/SINCE ignore time and zone). */
export function dayNumber(date: ImapDate): number {
  return Math.floor(utc(date.year, date.month, date.day) / 86_400_000);
}

/** The calendar date of an instant in a zone (minutes east of UTC), for SEARCH BEFORE/ON/SINCE. */
export function imapDateOf(date: Date, offsetMinutes = 0): ImapDate {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}
