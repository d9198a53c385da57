// Process entry: parse argv and dispatch to the command families in cli/.

import { enableCompileCache } from 'node:module';

// Caches compiled (type-stripped) modules on disk: a CLI call then starts in a fraction of the time.
// Modules are loaded after this call, hence the dynamic imports.
enableCompileCache();
const { buildProgram } = await import('./cli/program.ts');
const { reportError } = await import('./cli/errors.ts');

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
