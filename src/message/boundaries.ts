// Multipart boundary lines (RFC 2046 §5.1.1). A delimiter line starts with "--" + boundary at the very start of a
// line; the RFC asks implementors to compare only that prefix, so transport padding or anything else after it is
// ignored, and "--" right after the boundary makes it the close delimiter. All open multiparts' boundaries are
// checked at once so an inner part missing its close delimiter still ends at an outer boundary. When several
// boundaries match one line the longest wins (ties: the innermost), as Dovecot does.

export interface BoundaryHit {
  /** Offset of the '-' starting the delimiter line. */
  lineStart: number;
  /** Offset just after the line's LF (or the end of the message). */
  lineEnd: number;
  /** Index into the stack of the boundary that matched (0 = outermost). */
  index: number;
  /** True for the close delimiter "--boundary--". */
  close: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const LF_DASH_DASH = Buffer.from('\n--', 'latin1');

export class BoundaryStack {
  private readonly markers: Buffer[] = [];

  get size(): number {
    return this.markers.length;
  }

  /** Opens a multipart's boundary; returns its index. */
  push(boundary: Buffer): number {
    this.markers.push(boundary);
    return this.markers.length - 1;
  }

  /** Drops the boundary at `index` and every one opened after it. */
  truncate(index: number): void {
    this.markers.length = Math.min(this.markers.length, Math.max(0, index));
  }

  /** The boundary line starting at `lineStart`, if that line is one. */
  matchLine(buf: Buffer, lineStart: number): BoundaryHit | null {
    if (buf[lineStart] !== DASH || buf[lineStart + 1] !== DASH) return null;
    const from = lineStart + 2;
    let best = -1;
    let bestLength = -1;
    for (let i = this.markers.length - 1; i >= 0; i--) {
      const marker = this.markers[i];
      if (!marker || marker.length <= bestLength || from + marker.length > buf.length) continue;
      if (buf.compare(marker, 0, marker.length, from, from + marker.length) === 0) {
        best = i;
        bestLength = marker.length;
      }
    }
    if (best < 0) return null;
    const after = from + bestLength;
    const close = buf[after] === DASH && buf[after + 1] === DASH;
    const newline = buf.indexOf(LF, lineStart);
    return { lineStart, lineEnd: newline < 0 ? buf.length : newline + 1, index: best, close };
  }

  /** The first boundary line at or after `pos`, which must be the start of a line. */
  findFrom(buf: Buffer, pos: number): BoundaryHit | null {
    if (this.markers.length === 0 || pos >= buf.length) return null;
    const first = this.matchLine(buf, pos);
    if (first) return first;
    let searchFrom = pos;
    for (;;) {
      const at = buf.indexOf(LF_DASH_DASH, searchFrom);
      if (at < 0) return null;
      const hit = this.matchLine(buf, at + 1);
      if (hit) return hit;
      searchFrom = at + 1;
    }
  }
}

/**
 * Where the content before a boundary line ends: the line break in front of the delimiter belongs to the
 * delimiter (RFC 2046 §5.1.1), so it is excluded, but never before `floor`.
 */
export function endBeforeBoundary(buf: Buffer, hit: BoundaryHit | null, floor: number): number {
  if (!hit) return Math.max(floor, buf.length);
  let end = hit.lineStart;
  if (end > 0 && buf[end - 1] === LF) {
    end--;
    if (end > 0 && buf[end - 1] === CR) end--;
  }
  return Math.max(floor, end);
}
