// `posthorn demo`: the reference story end to end in one process (src/demo/reference-story.ts). Exits 0 when
// all seven steps happened within --timeout, 1 naming the missing steps otherwise.

import type { Command } from 'commander';
import { runReferenceStory } from '../demo/reference-story.ts';
import { UserError } from './errors.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run the reference story: alice@crepes.fr → crepes.fr queue → hamburger.edu → Bob’s IDLE session, ' +
        'two servers on loopback, each step narrated as it happens',
    )
    .option('--timeout <seconds>', 'time the whole story may take', '10')
    .option('--verbose', 'also show both servers’ log lines (stderr)')
    .option('--route <host:port>', 'send hamburger.edu’s mail there instead of its MX (to watch a failure)')
    .action(async (options: { timeout: string; verbose?: boolean; route?: string }) => {
      const seconds = Number(options.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        throw new UserError(`--timeout: expected a number of seconds, got "${options.timeout}"`);
      }
      const result = await runReferenceStory({
        out: process.stdout,
        timeoutMs: seconds * 1000,
        serverLog: options.verbose ? process.stderr : null,
        route: options.route,
      });
      if (!result.ok) throw new UserError(result.failure ?? 'the reference story did not finish');
    });
}
