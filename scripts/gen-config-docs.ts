// Writes docs/config.md from the configuration schema: `npm run docs:config`.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConfigDocs } from '../src/config/docs.ts';

const target = join(import.meta.dirname, '..', 'docs', 'config.md');
writeFileSync(target, renderConfigDocs());
console.log(`wrote ${target}`);
