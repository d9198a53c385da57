// What every bench section gets: where to put temporary state, the run's options, a way to say what it is
// doing, and where to put its rows and raw figures.

import type { Row } from './report.ts';

export interface BenchOptions {
  /** Small sizes and short runs (development on a busy machine). */
  quick: boolean;
  /** Only the --scale run (1,000 / 100,000 / 1,000,000 messages). */
  scale: boolean;
  /** Sections to run (all when empty). */
  only: string[];
  /** Run Posthorn under node --cpu-prof and summarise where the time goes. */
  profile: boolean;
  /** Sessions for the IDLE memory figure. */
  idleSessions: number;
}

export interface BenchContext {
  tmp: string;
  options: BenchOptions;
  /** Directory for .cpuprofile files (when options.profile). */
  profileDir: string | null;
  say(line: string): void;
  rows: Row[];
  /** Raw figures per section, written to results.json. */
  raw: Record<string, unknown>;
  notes: string[];
}

/** `quick ? small : full`, for sizes and durations. */
export function pick<T>(ctx: BenchContext, full: T, quick: T): T {
  return ctx.options.quick ? quick : full;
}
