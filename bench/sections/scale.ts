import type { BenchContext } from '../lib/context.ts';

export async function scaleSection(ctx: BenchContext): Promise<void> {
  ctx.say('not yet');
}
