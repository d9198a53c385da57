// Counting Received fields (RFC 5321 §6.3: a message with too many is taken to loop).
// Only the header section counts; a bare LF is accepted as a line end here, as the message parser does.

const LF = 0x0a;
const CR = 0x0d;

export function countReceivedFields(message: Buffer): number {
  let count = 0;
  let pos = 0;
  while (pos < message.length) {
    let end = message.indexOf(LF, pos);
    if (end < 0) end = message.length;
    const lineEnd = end > pos && message[end - 1] === CR ? end - 1 : end;
    if (lineEnd === pos) break; // empty line: end of the header section
    if (
      lineEnd - pos >= 9 &&
      message
        .subarray(pos, pos + 9)
        .toString('latin1')
        .toLowerCase() === 'received:'
    ) {
      count++;
    }
    pos = end + 1;
  }
  return count;
}
