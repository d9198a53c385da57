import type { BenchContext } from '../lib/context.ts';

export async function memorySection(ctx: BenchContext): Promise<void> {
  ctx.say('not yet');
}
