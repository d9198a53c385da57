import type { BenchContext } from '../lib/context.ts';

export async function outboundSection(ctx: BenchContext): Promise<void> {
  ctx.say('not yet');
}
