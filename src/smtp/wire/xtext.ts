// xtext (RFC 3461 §4) for ENVID and ORCPT, and utf-8-addr-xtext (RFC 6533 §3) for ORCPT=utf-8;...

/** Decodes xtext: "+HH" escapes; other octets 33..126 except "+" and "=" stand for themselves. */
export function decodeXtext(text: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 33 || c > 126 || c === 0x3d) {
      return null;
    } else {
      bytes.push(c);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return null;
  }
}

/** Encodes text as xtext; octets outside 33..126 and "+", "=" become "+HH" (UTF-8 octets each escaped). */
export function encodeXtext(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte < 33 || byte > 126 || byte === 0x2b || byte === 0x3d) {
      out += '+' + byte.toString(16).toUpperCase().padStart(2, '0');
    } else {
      out += String.fromCharCode(byte);
    }
  }
  return out;
}

/**
 * Decodes utf-8-addr-xtext / utf-8-addr-unitext (RFC 6533 §3): UTF-8 characters as themselves,
 * "\x{HEX}" for escaped code points; also tolerates xtext "+HH" escapes of ASCII.
 */
export function decodeUtf8AddrXtext(text: string): string | null {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const m = /^\\x\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(i));
      if (!m) return null;
      const cp = parseInt(m[1]!, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return null;
      out += String.fromCodePoint(cp);
      i += m[0].length - 1;
    } else if (c === '+') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return null;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else {
      const code = c.codePointAt(0)!;
      if (code < 33 || code === 127 || c === '=') return null;
      out += c;
    }
  }
  return out;
}
