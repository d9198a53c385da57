// Results: every figure is a Row with Posthorn's value, the anchor's value (Postfix or Dovecot, measured in the
// same run) and the ratio. The ratio always reads "Posthorn relative to the anchor, higher is better":
// value/anchor for rates, anchor/value for times and memory. A target, when the issue set one, is checked
// against the ratio (or against Posthorn's own value for absolute targets such as "SELECT under 100 ms").

export type Better = 'higher' | 'lower';

export interface Row {
  section: string;
  name: string;
  unit: string;
  better: Better;
  posthorn: number | null;
  anchor: number | null;
  anchorName: string | null;
  /** Posthorn relative to the anchor, ≥ 1 means Posthorn is at least as good. */
  ratio: number | null;
  target?: string;
  /** Whether the target was met (null when not measured). */
  met?: boolean | null;
  note?: string;
}

export function row(
  section: string,
  name: string,
  unit: string,
  better: Better,
  posthorn: number | null,
  anchor: number | null,
  anchorName: string | null,
  extra: { target?: string; met?: boolean | null; note?: string; ratioTarget?: number } = {},
): Row {
  let ratio: number | null = null;
  if (posthorn !== null && anchor !== null && posthorn > 0 && anchor > 0) {
    ratio = better === 'higher' ? posthorn / anchor : anchor / posthorn;
  }
  let met = extra.met;
  if (extra.ratioTarget !== undefined) met = ratio === null ? null : ratio >= extra.ratioTarget;
  return {
    section,
    name,
    unit,
    better,
    posthorn,
    anchor,
    anchorName,
    ratio,
    target: extra.target,
    met,
    note: extra.note,
  };
}

export function fmt(value: number | null, unit = ''): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const n = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${n} ${unit}` : n;
}

function pad(s: string, width: number, right = false): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

/** The table as text: one block per section. */
export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => ({
    r,
    name: r.name,
    posthorn: fmt(r.posthorn, r.unit),
    anchor: r.anchor === null ? '—' : `${fmt(r.anchor, r.unit)}`,
    ratio: r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    target: r.target ? `${r.target} ${r.met === true ? 'met' : r.met === false ? 'NOT met' : '?'}` : '',
  }));
  const w = {
    name: Math.max(28, ...cells.map((c) => Math.max(c.name.length, c.r.section.length))),
    posthorn: Math.max(14, ...cells.map((c) => c.posthorn.length)),
    anchor: Math.max(15, ...cells.map((c) => Math.max(c.anchor.length, (c.r.anchorName ?? '').length))),
    ratio: 7,
  };
  const out: string[] = [];
  let section = '';
  for (const c of cells) {
    if (c.r.section !== section) {
      section = c.r.section;
      const anchorName = c.r.anchorName ?? 'anchor';
      out.push('');
      out.push(
        `${pad(section, w.name)}  ${pad('Posthorn', w.posthorn, true)}  ${pad(anchorName, w.anchor, true)}  ${pad('ratio', w.ratio, true)}  target`,
      );
      out.push('-'.repeat(w.name + w.posthorn + w.anchor + w.ratio + 24));
    }
    out.push(
      `${pad(c.name, w.name)}  ${pad(c.posthorn, w.posthorn, true)}  ${pad(c.anchor, w.anchor, true)}  ${pad(c.ratio, w.ratio, true)}  ${c.target}`,
    );
  }
  return out.join('\n');
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number | null {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}
