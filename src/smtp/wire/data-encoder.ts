// Sending a message body: CRLF normalisation (RFC 5321 §2.3.8: only CRLF ends a line, so lone CR and
// lone LF become CRLF), dot-stuffing for DATA (§4.5.2) and the terminating CRLF.CRLF (§4.1.1.4).
// BDAT (RFC 3030) needs the normalisation but no stuffing.

const CR = 13;
const LF = 10;
const DOT = 46;

/** Every line ending becomes CRLF; the result ends with CRLF (an empty body stays empty). */
export function normalizeCrlf(body: Buffer): Buffer {
  let needed = false;
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (b === LF && (i === 0 || body[i - 1] !== CR)) needed = true;
    else if (b === CR && body[i + 1] !== LF) needed = true;
    if (needed) break;
  }
  const endsWell =
    body.length === 0 || (body.length >= 2 && body[body.length - 2] === CR && body[body.length - 1] === LF);
  if (!needed && endsWell) return body;
  const out = Buffer.allocUnsafe(body.length * 2 + 2);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b === CR) {
      out[n++] = CR;
      out[n++] = LF;
      if (body[i + 1] === LF) i++;
    } else if (b === LF) {
      out[n++] = CR;
      out[n++] = LF;
    } else {
      out[n++] = b;
    }
  }
  if (n > 0 && !(out[n - 2] === CR && out[n - 1] === LF)) {
    out[n++] = CR;
    out[n++] = LF;
  }
  return out.subarray(0, n);
}

/** The DATA payload: normalised, dot-stuffed, followed by ".\r\n". */
export function encodeDotData(body: Buffer): Buffer {
  const normal = normalizeCrlf(body);
  let dots = 0;
  for (let i = 0; i < normal.length; i++) {
    if (normal[i] === DOT && (i === 0 || normal[i - 1] === LF)) dots++;
  }
  const out = Buffer.allocUnsafe(normal.length + dots + 3);
  let n = 0;
  for (let i = 0; i < normal.length; i++) {
    if (normal[i] === DOT && (i === 0 || normal[i - 1] === LF)) out[n++] = DOT;
    out[n++] = normal[i]!;
  }
  out[n++] = DOT;
  out[n++] = CR;
  out[n++] = LF;
  return out.subarray(0, n);
}
