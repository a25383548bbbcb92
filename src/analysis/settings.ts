import { statSync } from '../util/observed-fs.js';
import { isAbsolute } from 'node:path';
import { nodeRange } from '../parsers/hcl.js';
import type { Location } from '../types.js';
import type { CliConfig } from './cli-config.js';
import { UNKNOWN } from '../util/unknown.js';
import type { EnvDefinition, EnvValue, Stack, TerramateConfig } from './terramate.js';

export const CACHE_DIR_VAR = 'TF_PLUGIN_CACHE_DIR';
export const MAY_BREAK_LOCK_VAR = 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE';

export type SettingSource =
  | { kind: 'terramate'; definition: EnvDefinition }
  | { kind: 'environment' }
  | { kind: 'cli-config'; file: string; location: Location | null };

export interface EffectiveSetting {
  value: EnvValue;
  source: SettingSource;
}

export type CacheProblem = 'tilde' | 'relative' | 'missing' | 'not-a-directory';

export function sourceLocation(source: SettingSource): Location | null {
  if (source.kind === 'environment') return null;
  if (source.kind === 'cli-config') return source.location;
  // Asked per stack of thousands that share one definition: its position is read from the syntax tree once.
  let location = definitionLocations.get(source.definition);
  if (!location) {
    location = { file: source.definition.file, range: nodeRange(source.definition.node) };
    definitionLocations.set(source.definition, location);
  }
  return location;
}

const definitionLocations = new WeakMap<EnvDefinition, Location>();

function fromCliConfig(config: CliConfig, key: 'pluginCacheDir' | 'mayBreakLockFile'): EffectiveSetting | null {
  const setting = config[key];
  if (!setting) return null;
  if (setting.source === 'environment') return { value: setting.value, source: { kind: 'environment' } };
  const file = setting.file as string;
  return { value: setting.value, source: { kind: 'cli-config', file, location: { file, range: setting.range } } };
}

export type SettingName = typeof CACHE_DIR_VAR | typeof MAY_BREAK_LOCK_VAR;

export interface SettingInputs {
  terramate: TerramateConfig;
  cliConfig: CliConfig;
  env: Record<string, string | undefined>;
}

/**
 * What Terraform run by Terramate in this stack sees: Terramate's `config.run.env` is laid over
 * the process environment, which wins over the CLI configuration files.
 */
export function effectiveSetting({ terramate, cliConfig, env }: SettingInputs, stack: Stack, variable: SettingName): EffectiveSetting | null {
  const fromTerramate = terramate.envFor(stack.dir, env).get(variable);
  const enabled = (value: EnvValue) => (variable === CACHE_DIR_VAR ? value !== '' : value !== '' && value !== '0');
  if (fromTerramate && enabled(fromTerramate.value)) {
    return { value: fromTerramate.value, source: { kind: 'terramate', definition: fromTerramate.definition } };
  }
  return fromCliConfig(cliConfig, variable === CACHE_DIR_VAR ? 'pluginCacheDir' : 'mayBreakLockFile');
}

/**
 * Why a configured cache directory would not work, or null when it would. `pending` says
 * whether a fix not written yet creates the directory (files an earlier pass made in it).
 */
export function cacheDirProblem(value: EnvValue, pending: (dir: string) => boolean = () => false): CacheProblem | null {
  if (value === UNKNOWN) return null;
  if (value.startsWith('~')) return 'tilde';
  if (!isAbsolute(value)) return 'relative';
  try {
    return statSync(value).isDirectory() ? null : 'not-a-directory';
  } catch {
    return pending(value) ? null : 'missing';
  }
}
