// Addresses as a reader sees them: the real address always beside the display name (a name such as
// "PayPal Support" proves nothing), and internationalised domains in Unicode only when each label is
// written in one script. A label that mixes scripts (Latin "pаypal" with a Cyrillic "а") is shown as
// punycode, the way browsers show such host names (Chromium IDN display policy, UTS #39 §5.1).

import { domainToASCII, domainToUnicode } from 'node:url';
import type { EnvelopeAddress } from '../../message/types.ts';
import { safeLine } from './terminal-safe.ts';

const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }));
const NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

// Combinations that are one writing system in practice (Chromium allows these with Latin too).
const ALLOWED_SETS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptsOf(label: string): Set<string> {
  const found = new Set<string>();
  for (const ch of label) {
    if (NEUTRAL.test(ch)) continue;
    const script = SCRIPT_PATTERNS.find((s) => s.pattern.test(ch));
    found.add(script ? script.name : `U+${(ch.codePointAt(0) ?? 0).toString(16)}`);
  }
  return found;
}

export function isMixedScript(label: string): boolean {
  const scripts = scriptsOf(label);
  if (scripts.size <= 1) return false;
  return !ALLOWED_SETS.some((allowed) => [...scripts].every((s) => allowed.has(s)));
}

/** The domain to show: Unicode when every label is single-script, else its ASCII (punycode) form. */
export function displayDomain(domain: string): string {
  if (/^[\x20-\x7e]*$/.test(domain) && !/(^|\.)xn--/i.test(domain)) return domain;
  const ascii = domainToASCII(domain);
  if (ascii === '') return domain; // not a valid IDN: show what was written (escaped by the caller)
  const unicode = domainToUnicode(ascii);
  if (unicode === '' || unicode.split('.').some(isMixedScript)) return ascii;
  return unicode;
}

/** `local@domain` with the domain as displayDomain() shows it. */
export function displayAddressSpec(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  return `${address.slice(0, at)}@${displayDomain(address.slice(at + 1))}`;
}

/** Bare address of an ENVELOPE address, or null for group markers. */
export function addressOf(address: EnvelopeAddress): string | null {
  if (address.host === null || address.mailbox === null) return null;
  return address.host === '' ? address.mailbox : `${address.mailbox}@${address.host}`;
}

/** `Name <local@domain>` (or `local@domain`) for one line on a terminal, escaped. */
export function displayAddress(address: EnvelopeAddress): string {
  const spec = addressOf(address);
  const shown = spec === null ? '' : displayAddressSpec(spec);
  const name = address.name?.trim() ?? '';
  if (name === '' || name === spec) return safeLine(shown);
  return safeLine(`${/[<>@,;:"]/.test(name) ? JSON.stringify(name) : name} <${shown}>`);
}

export function displayAddressList(addresses: readonly EnvelopeAddress[] | null | undefined): string {
  return (addresses ?? [])
    .filter((a) => addressOf(a) !== null)
    .map(displayAddress)
    .join(', ');
}

/** Shortest form for a list column: the name when there is one, but with the address beside it. */
export function displayAddressShort(addresses: readonly EnvelopeAddress[] | null | undefined): string {
  const first = (addresses ?? []).find((a) => addressOf(a) !== null);
  if (!first) return '';
  const more = (addresses ?? []).filter((a) => addressOf(a) !== null).length - 1;
  return displayAddress(first) + (more > 0 ? ` +${more}` : '');
}
