// Base64 as SASL exchanges carry it (RFC 4954 §4, RFC 9051 §6.2.2): strict decoding, so that a client
// response that is not valid base64 is refused (SMTP 501, IMAP BAD) instead of silently mangled.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes strict base64; "=" alone is the empty response (RFC 4954 §4). Returns null when invalid. */
export function decodeSaslBase64(text: string): Buffer | null {
  if (text === '=') return Buffer.alloc(0);
  if (!BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** Encodes a challenge or response; the empty buffer becomes "=" where an argument is required. */
export function encodeSaslBase64(data: Buffer, emptyAs: '' | '=' = ''): string {
  return data.length === 0 ? emptyAs : data.toString('base64');
}
