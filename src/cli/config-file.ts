// Finding and loading the configuration for a command: --config FILE (on any command), else
// $POSTHORN_CONFIG, else ./posthorn.toml.

import type { Command } from 'commander';
import { loadConfig, resolveConfigPath } from '../config/load.ts';
import type { Config } from '../config/schema.ts';

export function configPathOf(command: Command): string {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  return resolveConfigPath(config);
}

export function loadConfigOf(command: Command): Config {
  return loadConfig(configPathOf(command));
}
