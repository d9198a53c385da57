// Process entry: parse argv and dispatch to the command families in cli/.

import { buildProgram } from './cli/program.ts';
import { reportError } from './cli/errors.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
