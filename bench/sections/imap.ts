import type { BenchContext } from '../lib/context.ts';

export async function imapSection(ctx: BenchContext): Promise<void> {
  ctx.say('not yet');
}
