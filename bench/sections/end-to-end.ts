import type { BenchContext } from '../lib/context.ts';

export async function endToEndSection(ctx: BenchContext): Promise<void> {
  ctx.say('not yet');
}
