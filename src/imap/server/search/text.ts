// The searchable text of a stored message: its header decoded for display, and the decoded text of its
// text/* parts (also inside attached messages). Attachments of other types are not searched.

import { partText } from '../../../message/body-decode.ts';
import type { MimePart, ParsedMessage } from '../../../message/types.ts';

const MAX_TEXT = 4 * 1024 * 1024;

export function searchableText(bytes: Buffer, parsed: ParsedMessage): { header: string; body: string } {
  const header = parsed.headers.map(([name, value]) => `${name}: ${value}`).join('\n');
  const body: string[] = [];
  let size = 0;
  const visit = (part: MimePart): void => {
    if (size > MAX_TEXT) return;
    if (part.type === 'multipart') part.children.forEach(visit);
    else if (part.message) {
      const inner = bytes.toString('utf8', part.message.body.headerStart, part.message.body.bodyStart);
      body.push(inner);
      size += inner.length;
      visit(part.message.body);
    } else if (part.type === 'text') {
      const text = partText(bytes, part);
      body.push(text);
      size += text.length;
    }
  };
  visit(parsed.body);
  return { header, body: body.join('\n') };
}
