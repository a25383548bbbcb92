import { existsSync, readdirSync, statSync } from '../util/observed-fs.js';
import { join } from 'node:path';
import type { HclDocument } from '../parsers/hcl.js';
import { childAttributes, nodeRange } from '../parsers/hcl.js';
import type { Range } from '../types.js';

// Mirrors Terraform's internal/command/cliconfig (LoadConfig, cliConfigFile, loadConfigDir,
// envConfig, Merge) and OpenTofu's config_unix.go file locations.

export type Tool = 'terraform' | 'tofu';

export interface CliSetting {
  /** The value as written. */
  raw: string;
  /** After Terraform's `$VAR` expansion (file values only). */
  value: string;
  source: 'environment' | 'config-file' | 'config-dir';
  file: string | null;
  range: Range | null;
}

export interface CliConfig {
  tool: Tool;
  /** The main file Terraform would read (it may not exist): where a fix would write. */
  mainFile: string | null;
  mainFileOverridden: boolean;
  /** Files actually read, in merge order. */
  files: string[];
  pluginCacheDir: CliSetting | null;
  mayBreakLockFile: CliSetting | null;
}

export interface CliConfigFileReader {
  /** Parses a CLI config file (HCL or, for `*.json`, JSON); null when missing or broken. */
  (path: string): Promise<HclDocument | JsonCliConfig | null>;
}

export interface JsonCliConfig {
  kind: 'json';
  file: string;
  values: Record<string, unknown>;
}

/** Go's os.ExpandEnv: `$NAME` and `${NAME}`; unset names expand to nothing. */
export function expandEnv(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$(?:\{([^}]*)\}|([A-Za-z0-9_]+))/g, (_, braced: string | undefined, bare: string | undefined) => {
    return env[braced ?? bare ?? ''] ?? '';
  });
}

function homeOf(env: Record<string, string | undefined>): string | null {
  return env.HOME || null;
}

function defaultMainFile(tool: Tool, env: Record<string, string | undefined>, exists: (path: string) => boolean): string | null {
  if (process.platform === 'win32' && tool === 'terraform') return env.APPDATA ? join(env.APPDATA, 'terraform.rc') : null;
  const home = homeOf(env);
  if (!home) return null;
  if (tool === 'terraform') return join(home, '.terraformrc');
  const fresh = join(home, '.tofurc');
  const legacy = join(home, '.terraformrc');
  if (env.XDG_CONFIG_HOME && !exists(legacy) && !exists(fresh)) return join(env.XDG_CONFIG_HOME, 'opentofu', 'tofurc');
  if (exists(fresh)) return fresh;
  if (exists(legacy)) return legacy;
  return fresh;
}

function configDir(tool: Tool, env: Record<string, string | undefined>, exists: (path: string) => boolean): string | null {
  const home = homeOf(env);
  if (!home) return null;
  const dir = join(home, '.terraform.d');
  if (tool === 'tofu' && env.XDG_CONFIG_HOME && !exists(dir)) return join(env.XDG_CONFIG_HOME, 'opentofu');
  return dir;
}

function settingFrom(
  doc: HclDocument | JsonCliConfig,
  name: string,
  source: CliSetting['source'],
  env: Record<string, string | undefined>,
): CliSetting | null {
  if ('kind' in doc) {
    const raw = doc.values[name];
    if (raw === undefined || raw === null || raw === '' || raw === false) return null;
    const text = String(raw);
    return { raw: text, value: name === 'plugin_cache_dir' ? expandEnv(text, env) : text, source, file: doc.file, range: null };
  }
  const raw = doc.body?.[name];
  if (raw === undefined || raw === null || raw === '' || raw === false) return null;
  const text = String(raw);
  const attribute = childAttributes(doc.tree.rootNode).find((candidate) => candidate.name === name);
  const range = attribute ? nodeRange(attribute.node) : null;
  return { raw: text, value: name === 'plugin_cache_dir' ? expandEnv(text, env) : text, source, file: doc.file, range };
}

/** What Terraform (or OpenTofu) would load as CLI configuration under this environment. */
export async function resolveCliConfig(
  tool: Tool,
  env: Record<string, string | undefined>,
  read: CliConfigFileReader,
  exists: (path: string) => boolean = existsSync,
): Promise<CliConfig> {
  const override = env.TF_CLI_CONFIG_FILE || env.TERRAFORM_CONFIG || '';
  const mainFile = override || defaultMainFile(tool, env, exists);
  const files: string[] = [];
  const docs: Array<{ doc: HclDocument | JsonCliConfig; source: CliSetting['source'] }> = [];

  if (mainFile && exists(mainFile)) {
    const doc = await read(mainFile);
    files.push(mainFile);
    if (doc) docs.push({ doc, source: 'config-file' });
  }
  // Terraform skips the directory when the file location is overridden.
  const dir = override ? null : configDir(tool, env, exists);
  if (dir && existsSync(dir) && statSync(dir).isDirectory()) {
    const names = readdirSync(dir)
      .filter((name) => name.endsWith('.tfrc') || name.endsWith('.tfrc.json'))
      .sort();
    for (const name of names) {
      const path = join(dir, name);
      files.push(path);
      const doc = await read(path);
      if (doc) docs.push({ doc, source: 'config-dir' });
    }
  }

  // Merge keeps the first non-empty plugin_cache_dir; the environment variable wins over all.
  let pluginCacheDir: CliSetting | null = null;
  const envCache = env.TF_PLUGIN_CACHE_DIR;
  if (envCache) pluginCacheDir = { raw: envCache, value: envCache, source: 'environment', file: null, range: null };
  for (const { doc, source } of docs) pluginCacheDir ??= settingFrom(doc, 'plugin_cache_dir', source, env);

  // This setting saturates: any source turning it on turns it on.
  let mayBreakLockFile: CliSetting | null = null;
  const envMayBreak = env.TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE;
  if (envMayBreak && envMayBreak !== '0') {
    mayBreakLockFile = { raw: envMayBreak, value: envMayBreak, source: 'environment', file: null, range: null };
  }
  for (const { doc, source } of docs) {
    const setting = settingFrom(doc, 'plugin_cache_may_break_dependency_lock_file', source, env);
    if (setting && setting.raw !== 'false') mayBreakLockFile ??= setting;
  }

  return { tool, mainFile, mainFileOverridden: Boolean(override), files, pluginCacheDir, mayBreakLockFile };
}
