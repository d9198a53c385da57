// Date header -> epoch milliseconds (RFC 5322 §3.3 date-time, with the §4.3 obsolete forms).
// Accepted: optional day name, comments anywhere, 2/3-digit years (§4.3: 00-49 -> 20xx, 50-99 -> 19xx,
// 3 digits + 1900), optional seconds, numeric zones, the obsolete names UT/GMT/EST/EDT/CST/CDT/MST/MDT/PST/PDT,
// military letters (taken as -0000 as §4.3 advises, their meaning having been botched), a missing zone (UTC),
// and the asctime order "Mon Jan  2 15:04:05 2006". Anything else, or an impossible date, gives null.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$/i;
const ZONE_NAMES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  est: -5 * 60,
  edt: -4 * 60,
  cst: -6 * 60,
  cdt: -5 * 60,
  mst: -7 * 60,
  mdt: -6 * 60,
  pst: -8 * 60,
  pdt: -7 * 60,
};
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export interface DateFields {
  /** The instant, in epoch milliseconds. */
  epochMs: number;
  /** The calendar date as written in the header, in the sender's zone (RFC 9051 §6.4.4 SENTBEFORE/SENTON/
   *  SENTSINCE compare this, "disregarding time and timezone"). Month is 1-12. */
  year: number;
  month: number;
  day: number;
  /** The zone offset as written, in minutes east of UTC. */
  offsetMinutes: number;
}

/** Parses a Date header value to epoch ms; null when it is not a usable date. Never throws. */
export function parseDate(value: string | null | undefined): number | null {
  return parseDateFields(value)?.epochMs ?? null;
}

/** Parses a Date header value keeping the written calendar date and zone; null when unusable. Never throws. */
export function parseDateFields(value: string | null | undefined): DateFields | null {
  if (typeof value !== 'string') return null;
  const text = stripComments(value).trim();
  if (text === '') return null;
  const iso = ISO_WITH_ZONE.exec(text);
  if (iso) {
    const ms = Date.parse(text.replace(' ', 'T'));
    if (!Number.isFinite(ms)) return null;
    const zone = iso[1] ?? 'Z';
    const offset = zone.toUpperCase() === 'Z' ? 0 : (zoneOffsetMinutes(zone) ?? 0);
    const local = new Date(ms + offset * 60_000);
    return {
      epochMs: ms,
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      offsetMinutes: offset,
    };
  }
  const words = text
    .replace(/,/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words[0] !== undefined && DAY_NAMES.test(words[0])) words.shift();

  let day: string | undefined;
  let monthWord: string | undefined;
  let year: string | undefined;
  let time: string | undefined;
  let zone: string | undefined;
  if (words[0] !== undefined && /^[a-z]/i.test(words[0])) {
    // asctime: month day time year [zone]
    [monthWord, day, time, year, zone] = words;
    if (time !== undefined && !time.includes(':')) [year, time, zone] = [time, year, zone];
  } else {
    [day, monthWord, year, time, zone] = words;
  }
  const month = monthIndex(monthWord);
  if (
    day === undefined ||
    month < 0 ||
    year === undefined ||
    !/^\d{1,2}$/.test(day) ||
    !/^\d{2,4}$/.test(year)
  )
    return null;

  const hms = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/.exec(time ?? '00:00');
  if (!hms) return null;
  const [hour, minute, second] = [Number(hms[1]), Number(hms[2]), Number(hms[3] ?? 0)];
  const offset = zoneOffsetMinutes(zone);
  if (offset === null || hour > 23 || minute > 59 || second > 60) return null;

  const y = fullYear(year);
  const d = Number(day);
  if (d < 1 || d > daysInMonth(y, month)) return null;
  const epochMs = Date.UTC(y, month, d, hour, minute, second) - offset * 60_000;
  return { epochMs, year: y, month: month + 1, day: d, offsetMinutes: offset };
}

function monthIndex(word: string | undefined): number {
  if (word === undefined || word.length < 3) return -1;
  return MONTHS.indexOf(word.slice(0, 3).toLowerCase());
}

// RFC 5322 §4.3 obs-year.
function fullYear(text: string): number {
  const n = Number(text);
  if (text.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (text.length === 3) return 1900 + n;
  return n;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[3]);
    if (minutes > 59) return null;
    const total = Number(numeric[2]) * 60 + minutes;
    return numeric[1] === '-' ? -total : total;
  }
  const name = zone.toLowerCase();
  if (name in ZONE_NAMES) return ZONE_NAMES[name] ?? 0;
  if (/^[a-ik-z]$/.test(name)) return 0; // military zones: -0000 per RFC 5322 §4.3
  return /^[a-z]{1,5}$/.test(name) ? 0 : null; // unknown alphabetic zone: treat as UTC
}

function stripComments(text: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && depth > 0) i++;
    else if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}
