// What the output may use: colours only on a terminal (and never with NO_COLOR or TERM=dumb,
// no-color.org), a width to fit only when it is known.

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta';

const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

export interface TerminalInfo {
  /** Colours and other SGR codes allowed. */
  color: boolean;
  /** Columns to fit into; null when output is not a terminal and COLUMNS is unset (no cutting). */
  width: number | null;
}

export function detectTerminal(
  stream: { isTTY?: boolean; columns?: number },
  env: NodeJS.ProcessEnv,
): TerminalInfo {
  const tty = stream.isTTY === true;
  const color = tty && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
  const fromEnv = Number(env['COLUMNS']);
  const width = tty ? (stream.columns ?? 80) : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : null;
  return { color, width };
}

export function paint(text: string, style: Style | null | undefined, terminal: TerminalInfo): string {
  if (!style || !terminal.color || text === '') return text;
  const [on, off] = CODES[style];
  return `\x1b[${on}m${text}\x1b[${off}m`;
}
