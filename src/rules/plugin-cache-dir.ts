import { join } from 'node:path';
import type { Analysis } from '../analysis/analysis.js';
import { CACHE_DIR_VAR, cacheDirProblem, sourceLocation, type SettingSource } from '../analysis/settings.js';
import type { Stack } from '../analysis/terramate.js';
import { UNKNOWN } from '../util/unknown.js';
import type { CreateFile, Fix } from '../types.js';
import { listWithMore } from '../util/list.js';
import { displayPath, isInsideRoot } from '../util/path.js';
import { createRule, type RuleReport } from './framework/create-rule.js';
import { configRootLocation } from './terramate-config/locations.js';
import { runEnvFix } from './terramate-config/run-env-fix.js';

const messages = {
  none: 'No provider plugin cache is in effect for {{count}} stack(s)',
  tilde: 'The plugin cache directory starts with "~", which Terraform never expands',
  relative: 'The plugin cache directory is a relative path, so every stack gets a cache of its own',
  missing: 'The plugin cache directory does not exist, and Terraform does not create it',
  'not-a-directory': 'The plugin cache directory exists but is not a directory',
} as const;

const help = {
  'none-why': 'Every stack downloads its own copy of each provider during init.',
  'none-remedy':
    'Set TF_PLUGIN_CACHE_DIR in the root Terramate config.run.env to a directory in the project (--fix does: `${terramate.root.path.fs.absolute}/.terraform-plugin-cache`, kept in every clone by its own .gitignore), or plugin_cache_dir in {{cliFile}} (--fix --unsafe-fixes).',
  stacks: 'Stacks: {{stacks}}.',
  setting: 'It is "{{value}}", from {{source}}.',
  'tilde-why': 'Terraform would use a directory literally named "~" inside each stack. Use an absolute path or $HOME.',
  'relative-why': "Terraform resolves it against each stack's directory. Use an absolute path.",
  'missing-why': 'Terraform fails with "The specified plugin cache dir ... cannot be opened". Create it (mkdir -p).',
  'not-a-directory-why': 'Terraform cannot use a file as its cache: point it at a directory.',
} as const;

/** Where a setting came from, as a place name for `{{source}}`. */
function sourceName(source: SettingSource, root: string): string {
  if (source.kind === 'environment') return 'the environment';
  if (source.kind === 'terramate') return `terramate config.run.env in ${displayPath(root, source.definition.file)}`;
  return source.file;
}

/** The cache the safe fix sets up: inside the project, so that it exists in every clone. */
export const PROJECT_CACHE_DIR = '.terraform-plugin-cache';
// Terramate evaluates the root path when it runs each stack.
const RUN_ENV_VALUE = `"\${terramate.root.path.fs.absolute}/${PROJECT_CACHE_DIR}"`;
// Keeps the directory in git (so every clone has it) and what Terraform puts in it out.
const CACHE_GITIGNORE = '*\n!.gitignore\n';

/** A `.gitignore` that makes `dir` exist in every clone, unless the directory already has one. */
function cacheGitignore(analysis: Analysis, dir: string): CreateFile | null {
  const file = join(dir, '.gitignore');
  // Through the file store: a .gitignore an earlier fix pass created counts, and an unreadable one is left alone.
  const existing = analysis.files.read(file);
  if (existing.ok || !existing.missing) return null;
  return { kind: 'create', file, text: CACHE_GITIGNORE };
}

/** Safe: the root config.run.env points every stack at a cache directory the fix creates in the project. */
async function projectCacheFix(analysis: Analysis): Promise<Fix | null> {
  const setting = await runEnvFix(analysis, CACHE_DIR_VAR, RUN_ENV_VALUE, '');
  if (!setting) return null;
  const gitignore = cacheGitignore(analysis, join(analysis.root, PROJECT_CACHE_DIR));
  return {
    description: `set ${CACHE_DIR_VAR} = ${RUN_ENV_VALUE} in the root Terramate config.run.env${gitignore ? ` and create ${PROJECT_CACHE_DIR}/.gitignore (the directory then exists in every clone; its contents stay out of git)` : ''}`,
    safe: true,
    changes: gitignore ? [...setting.changes, gitignore] : setting.changes,
  };
}

/** A missing cache directory: created with its own .gitignore inside the project (safe), by mkdir outside it (unsafe). */
function missingDirectoryFix(analysis: Analysis, dir: string): Fix {
  const gitignore = isInsideRoot(analysis.root, dir) ? cacheGitignore(analysis, dir) : null;
  if (gitignore) return { description: `create ${displayPath(analysis.root, dir)}/.gitignore (the directory then exists in every clone)`, safe: true, changes: [gitignore] };
  return { description: `create ${dir}`, safe: false, changes: [{ kind: 'mkdir', dir }] };
}

const CLI_CONFIG_LINE = 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"';

/** Unsafe: the CLI config file Terraform reads gets the seed author's line, and the directory is made. */
async function cliConfigFix(analysis: Analysis, cliFile: string | null): Promise<Fix | null> {
  const home = analysis.env.HOME;
  if (!cliFile || !home) return null;
  const text = analysis.text(cliFile);
  const cacheDir = join(home, '.terraform.d', 'plugin-cache');
  const change =
    text === undefined
      ? ({ kind: 'create', file: cliFile, text: `${CLI_CONFIG_LINE}\n` } as const)
      : ({ kind: 'text', file: cliFile, start: text.length, end: text.length, text: `${text === '' || text.endsWith('\n') ? '' : '\n'}${CLI_CONFIG_LINE}\n` } as const);
  return {
    description: `add ${CLI_CONFIG_LINE} to ${cliFile} and create ${cacheDir}`,
    safe: false,
    changes: [change, { kind: 'mkdir', dir: cacheDir }],
  };
}

export const pluginCacheDir = createRule({
  id: 'plugin-cache-dir',
  severity: 'warning',
  fixable: true,
  summary: 'No usable provider plugin cache is in effect for the stacks.',
  messages,
  help,
  async check({ analysis, options }) {
    const stacks = await analysis.terraformStacks();
    const problems = new Map<string, RuleReport<typeof messages, typeof help>>();
    const reports: Array<RuleReport<typeof messages, typeof help>> = [];
    // Thousands of stacks usually name one directory: it is looked at once.
    const problemOf = new Map<string | symbol, ReturnType<typeof cacheDirProblem>>();
    for (const tool of await analysis.launchTools()) {
      const uncached: Stack[] = [];
      for (const stack of stacks) {
        const setting = await analysis.setting(stack, tool, CACHE_DIR_VAR);
        if (!setting) {
          uncached.push(stack);
          continue;
        }
        let problem = problemOf.get(setting.value);
        if (problem === undefined) {
          problem = cacheDirProblem(setting.value, (dir) => analysis.files.pendingUnder(dir));
          problemOf.set(setting.value, problem);
        }
        if (!problem || setting.value === UNKNOWN) continue;
        const source = sourceName(setting.source, analysis.root);
        const key = `${problem}\0${setting.value}\0${source}`;
        if (problems.has(key)) continue;
        const fix: Fix | null = problem === 'missing' ? missingDirectoryFix(analysis, setting.value) : null;
        problems.set(key, {
          messageId: problem,
          help: [{ messageId: 'setting', data: { value: setting.value, source } }, { messageId: `${problem}-why` }],
          location: sourceLocation(setting.source),
          fix,
        });
      }
      if (uncached.length === 0) continue;
      const cli = await analysis.cliConfig(tool);
      reports.push({
        messageId: 'none',
        data: { count: uncached.length },
        help: [
          { messageId: 'none-why' },
          { messageId: 'none-remedy', data: { cliFile: cli.mainFile ?? `the ${tool} CLI configuration` } },
          { messageId: 'stacks', data: { stacks: listWithMore(uncached, 3, (stack) => displayPath(analysis.root, stack.dir)) } },
        ],
        location: await configRootLocation(analysis),
        fix: options.unsafeFixes
          ? await cliConfigFix(analysis, cli.mainFile)
          : await projectCacheFix(analysis),
      });
    }
    reports.unshift(...problems.values());
    return reports;
  },
});
