// Mail address syntax for accounts and aliases: RFC 5321 §4.1.2 (Mailbox = Local-part "@" Domain) with
// RFC 6531 UTF-8 local parts, and IDNA domains turned into A-labels (node:url domainToASCII).
// Normal form: the local part as given (unquoted when quoting is not needed), the domain lower-case ASCII.

import { domainToASCII } from 'node:url';
import { InvalidAddress } from './errors.ts';

export interface ParsedAddress {
  /** Local part as given, or unquoted when it is a valid dot-atom once unquoted; "" for a catch-all. */
  local: string;
  /** Lower-case ASCII (A-labels). */
  domain: string;
  /** local@domain, or @domain for a catch-all. */
  address: string;
}

const MAX_ADDRESS_OCTETS = 254; // RFC 5321 §4.5.3.1.3: a 256-octet path includes the angle brackets
const MAX_LOCAL_OCTETS = 64; // RFC 5321 §4.5.3.1.1
const MAX_DOMAIN_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;
const SPECIALS = '()<>[]:;@\\,"';

function describe(char: string): string {
  const code = char.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).padStart(4, '0')})`;
  if (char === ' ') return 'a space';
  return `"${char}"`;
}

function octets(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Why `local` is not a dot-atom (RFC 5322 §3.2.3, atext widened by RFC 6531), or null when it is one. */
function dotAtomProblem(local: string): string | null {
  if (local.startsWith('.')) return 'starts with a dot';
  if (local.endsWith('.')) return 'ends with a dot';
  if (local.includes('..')) return 'has two dots in a row';
  for (const char of local) {
    const code = char.codePointAt(0)!;
    if (code >= 0x80) continue; // UTF-8 (RFC 6531)
    if (code <= 0x20 || code === 0x7f || SPECIALS.includes(char)) {
      return `contains ${describe(char)}, which is not allowed unquoted`;
    }
  }
  return null;
}

/** The unescaped content of a quoted local part ("..." with \-escapes), or a problem. */
function unquote(quoted: string): { value: string } | { problem: string } {
  let value = '';
  for (let i = 1; i < quoted.length - 1; i++) {
    let char = quoted[i]!;
    if (char === '\\') {
      i++;
      if (i >= quoted.length - 1) return { problem: 'ends its quoted string with a lone backslash' };
      char = quoted[i]!;
    } else if (char === '"') {
      return { problem: 'has a double quote inside its quoted string that is not escaped' };
    }
    const code = char.codePointAt(0)!;
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
      return { problem: `contains ${describe(char)}` };
    }
    value += char;
  }
  return { value };
}

function checkLocal(local: string, whole: string): string {
  if (local === '') throw new InvalidAddress(`"${whole}": the local part (before "@") is empty`);
  let normal = local;
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) {
    const result = unquote(local);
    if ('problem' in result) throw new InvalidAddress(`"${whole}": the local part ${result.problem}`);
    if (result.value === '') throw new InvalidAddress(`"${whole}": the local part is an empty quoted string`);
    // RFC 5321 §4.1.2: a quoted local part that needs no quoting is the same as the unquoted one.
    if (dotAtomProblem(result.value) === null) normal = result.value;
  } else {
    const problem = dotAtomProblem(local);
    if (problem) throw new InvalidAddress(`"${whole}": the local part ${problem}`);
  }
  if (octets(normal) > MAX_LOCAL_OCTETS) {
    throw new InvalidAddress(`"${whole}": the local part is longer than ${MAX_LOCAL_OCTETS} octets`);
  }
  return normal;
}

/** A domain in normal form: IDNA to A-labels, lower case, without a trailing dot. Throws InvalidAddress. */
export function normalizeDomain(input: string): string {
  if (input === '') throw new InvalidAddress('the domain is empty');
  if (input.startsWith('[')) {
    throw new InvalidAddress(`domain "${input}": address literals ([...]) are not supported`);
  }
  for (const char of input) {
    const code = char.codePointAt(0)!;
    if (code <= 0x20 || code === 0x7f)
      throw new InvalidAddress(`domain "${input}" contains ${describe(char)}`);
    // domainToASCII parses like a URL host and would cut "a/b.example" to "a": refuse such ASCII first.
    if (code < 0x80 && !/[A-Za-z0-9.-]/.test(char))
      throw new InvalidAddress(`domain "${input}" contains ${describe(char)}`);
  }
  const name = input.endsWith('.') ? input.slice(0, -1) : input;
  const ascii = domainToASCII(name);
  if (ascii === '')
    throw new InvalidAddress(`domain "${input}" is not a valid (internationalized) domain name`);
  if (ascii.length > MAX_DOMAIN_OCTETS) {
    throw new InvalidAddress(`domain "${input}" is longer than ${MAX_DOMAIN_OCTETS} characters`);
  }
  const labels = ascii.split('.');
  for (const label of labels) {
    if (label === '') throw new InvalidAddress(`domain "${input}" has an empty label`);
    if (label.length > MAX_LABEL_OCTETS) {
      throw new InvalidAddress(`domain "${input}" has a label longer than ${MAX_LABEL_OCTETS} characters`);
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      throw new InvalidAddress(`domain "${input}": label "${label}" starts or ends with "-"`);
    }
    const bad = [...label].find((c) => !/[a-z0-9-]/.test(c));
    if (bad !== undefined) throw new InvalidAddress(`domain "${input}" contains ${describe(bad)}`);
  }
  if (/^[0-9]+$/.test(labels.at(-1)!)) {
    throw new InvalidAddress(`domain "${input}" looks like an IP address; only domain names are supported`);
  }
  return ascii;
}

/** Parses and normalises "local@domain". Throws InvalidAddress with what is wrong. */
export function parseAddress(input: string): ParsedAddress {
  if (input === '') throw new InvalidAddress('the address is empty');
  const at = input.lastIndexOf('@');
  if (at === -1) throw new InvalidAddress(`"${input}" has no "@" (expected local-part@domain)`);
  if (octets(input) > MAX_ADDRESS_OCTETS) {
    throw new InvalidAddress(`"${input}" is longer than ${MAX_ADDRESS_OCTETS} octets`);
  }
  const domainPart = input.slice(at + 1);
  let domain: string;
  try {
    domain = normalizeDomain(domainPart);
  } catch (error) {
    throw new InvalidAddress(`"${input}": ${(error as Error).message}`);
  }
  const local = checkLocal(input.slice(0, at), input);
  return { local, domain, address: `${local}@${domain}` };
}

/** Like parseAddress, but also accepts "@domain" (a catch-all alias). */
export function parseAliasAddress(input: string): ParsedAddress {
  if (input.startsWith('@')) {
    try {
      const domain = normalizeDomain(input.slice(1));
      return { local: '', domain, address: `@${domain}` };
    } catch (error) {
      throw new InvalidAddress(`"${input}": ${(error as Error).message}`);
    }
  }
  return parseAddress(input);
}

/** "user+tag" -> { base: "user", tag: "tag" } (RFC 5233 subaddressing); null without separator. */
export function splitSubaddress(local: string, separator: string): { base: string; tag: string } | null {
  const index = local.indexOf(separator);
  if (index <= 0) return null;
  return { base: local.slice(0, index), tag: local.slice(index + separator.length) };
}
