import { pluginCacheDir } from '../../src/rules/plugin-cache-dir.js';
import type { FileTree } from '../support/project.js';
import { runRuleTests } from '../support/rule-tester.js';
import { REALISTIC_STACK, REALISTIC_TERRAFORMRC, REALISTIC_TERRAMATE_ROOT } from '../support/realistic-configs.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const ROOT_CONFIG = 'terramate {\n  required_version = ">= 0.9.0"\n}\n';
const project = (extra: FileTree = {}): FileTree => ({
  'terramate.tm.hcl': ROOT_CONFIG,
  'stacks/app/stack.tm.hcl': 'stack {\n  name = "app"\n}\n',
  'stacks/app/main.tf': 'terraform {}\n',
  ...extra,
});
const runEnv = (variable: string) => `terramate {\n  config {\n    run {\n      env {\n        ${variable}\n      }\n    }\n  }\n}\n`;

/** The directory the fixes point at, existing (a file map holds no empty directory). */
const HOME_CACHE: FileTree = { '.terraform.d/plugin-cache/.keep': '' };
/** An existing directory elsewhere in the home directory. */
const OTHER_CACHE: FileTree = { 'cache/.keep': '' };
/** The line the unsafe fix appends to the CLI configuration file. */
const CLI_CONFIG_LINE = 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n';


const REALISTIC_PROJECT: FileTree = { 'terramate.tm.hcl': 'terramate {\n  required_version = "~> 0.9.0"\n}\n', ...REALISTIC_STACK };

const CACHE_AT_ROOT = lines(
  'terramate {',
  '  required_version = ">= 0.9.0"',
  '  config {',
  '    run {',
  '      env {',
  '        TF_PLUGIN_CACHE_DIR = "${terramate.root.path.fs.absolute}/.cache"',
  '      }',
  '    }',
  '  }',
  '}',
);
const TOFU_PROJECT = project({ Makefile: 'init:\n\tterramate run -- tofu init\n' });

runRuleTests(pluginCacheDir, {
  valid: [
    {
      name: '~/.terraformrc with $HOME expanded, when the directory exists',
      files: project(),
      home: { '.terraformrc': 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n', ...HOME_CACHE },
    },
    {
      name: 'a full ~/.terraformrc whose cache directory exists (realistic file)',
      files: REALISTIC_PROJECT,
      home: { '.terraformrc': REALISTIC_TERRAFORMRC, ...HOME_CACHE },
    },
    { name: '~/.terraform.d/*.tfrc', files: project(), home: { '.terraform.d/cache.tfrc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE } },
    {
      name: '~/.terraform.d/*.tfrc.json',
      files: project(),
      home: { '.terraform.d/cache.tfrc.json': JSON.stringify({ plugin_cache_dir: '<HOME>/cache' }), ...OTHER_CACHE },
    },
    {
      name: 'the file TF_CLI_CONFIG_FILE names',
      files: project(),
      home: { 'custom.rc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE },
      env: { TF_CLI_CONFIG_FILE: '<HOME>/custom.rc' },
    },
    {
      name: 'the file TERRAFORM_CONFIG names',
      files: project(),
      home: { 'custom.rc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE },
      env: { TERRAFORM_CONFIG: '<HOME>/custom.rc' },
    },
    {
      name: 'Terramate config.run.env with terramate.root.path.fs.absolute resolved',
      files: project({ 'terramate.tm.hcl': CACHE_AT_ROOT, '.cache/.keep': '' }),
    },
    {
      name: 'a full root terramate.tm.hcl whose cache directory exists (realistic file)',
      files: { 'terramate.tm.hcl': REALISTIC_TERRAMATE_ROOT, '.terraform-cache-dir/.keep': '', ...REALISTIC_STACK },
    },
    {
      name: 'settings from files brought in with import',
      files: {
        'terramate.tm.hcl': 'import {\n  source = "/imports/*.tm.hcl"\n}\n',
        'imports/config.tm.hcl': runEnv('TF_PLUGIN_CACHE_DIR = "<HOME>/cache"'),
        'stacks/app/stack.tm.hcl': 'stack {}\n',
        'stacks/app/main.tf': 'terraform {}\n',
      },
      home: OTHER_CACHE,
    },
    { name: 'a project without stacks', files: { 'terramate.tm.hcl': ROOT_CONFIG } },
    {
      name: 'a stack where Terraform never runs',
      files: { 'terramate.tm.hcl': ROOT_CONFIG, 'stacks/docs/stack.tm.hcl': 'stack {}\n', 'stacks/docs/file': 'this is dev!\n' },
    },
    { name: "OpenTofu's ~/.tofurc for a project whose init runs tofu", files: TOFU_PROJECT, home: { '.tofurc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE } },
    {
      name: "OpenTofu's $XDG_CONFIG_HOME/opentofu/tofurc for a project whose init runs tofu",
      files: TOFU_PROJECT,
      home: { 'xdg/opentofu/tofurc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE },
      env: { XDG_CONFIG_HOME: '<HOME>/xdg' },
    },
  ],
  invalid: [
    {
      name: 'no cache anywhere: reported at the root terramate block; --fix sets up a cache inside the project that every clone has',
      files: project(),
      home: HOME_CACHE,
      errors: [{ messageId: 'none', file: 'terramate.tm.hcl', line: 1, data: { count: 1, stacks: 'stacks/app', cliFile: '<HOME>/.terraformrc' } }],
      output: {
        'terramate.tm.hcl': lines(
          'terramate {',
          '  required_version = ">= 0.9.0"',
          '  config {',
          '    run {',
          '      env {',
          '        TF_PLUGIN_CACHE_DIR = "${terramate.root.path.fs.absolute}/.terraform-plugin-cache"',
          '      }',
          '    }',
          '  }',
          '}',
        ),
        '.terraform-plugin-cache/.gitignore': '*\n!.gitignore\n',
        '~/.terraformrc': null,
      },
    },
    {
      name: 'a cache directory inside the project that does not exist: --fix creates it with its own .gitignore',
      files: project({ 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "${terramate.root.path.fs.absolute}/cache/plugins"\n      }\n    }\n  }\n}\n' }),
      errors: [{ messageId: 'missing', file: 'terramate.tm.hcl', line: 6, data: { value: '<ROOT>/cache/plugins' } }],
      output: { 'cache/plugins/.gitignore': '*\n!.gitignore\n' },
    },
    {
      name: 'no cache anywhere: --unsafe-fixes creates ~/.terraformrc with the setting (and the directory)',
      files: project(),
      errors: [{ messageId: 'none', file: 'terramate.tm.hcl', line: 1 }],
      unsafe: true,
      output: { '~/.terraformrc': CLI_CONFIG_LINE, 'terramate.tm.hcl': ROOT_CONFIG },
    },
    {
      name: 'a commented-out setting does not count; --unsafe-fixes appends the setting',
      files: project(),
      home: { '.terraformrc': '# plugin_cache_dir = "/tmp"\n// plugin_cache_dir = "/tmp"\n' },
      errors: [{ messageId: 'none', file: 'terramate.tm.hcl', line: 1, data: { cliFile: '<HOME>/.terraformrc' } }],
      unsafe: true,
      output: { '~/.terraformrc': `# plugin_cache_dir = "/tmp"\n// plugin_cache_dir = "/tmp"\n${CLI_CONFIG_LINE}` },
    },
    {
      name: 'a ~/.terraformrc cache directory that does not exist, at its line; --unsafe-fixes creates it',
      files: project(),
      home: { '.terraformrc': '# cache\nplugin_cache_dir = "${HOME}/.terraform.d/plugin-cache"\n' },
      errors: [{ messageId: 'missing', file: '~/.terraformrc', line: 2, data: { value: '<HOME>/.terraform.d/plugin-cache', source: '<HOME>/.terraformrc' } }],
      unsafe: true,
      output: { '~/.terraformrc': '# cache\nplugin_cache_dir = "${HOME}/.terraform.d/plugin-cache"\n' },
    },
    {
      name: 'a full ~/.terraformrc whose cache directory does not exist; --unsafe-fixes creates it (realistic file)',
      files: REALISTIC_PROJECT,
      home: { '.terraformrc': REALISTIC_TERRAFORMRC },
      errors: [{ messageId: 'missing', file: '~/.terraformrc', line: 18, data: { value: '<HOME>/.terraform.d/plugin-cache', source: '<HOME>/.terraformrc' } }],
      unsafe: true,
      output: { '~/.terraformrc': REALISTIC_TERRAFORMRC },
    },
    {
      name: 'a full root terramate.tm.hcl whose cache directory does not exist (realistic file)',
      files: { 'terramate.tm.hcl': REALISTIC_TERRAMATE_ROOT, ...REALISTIC_STACK },
      errors: [{ messageId: 'missing', file: 'terramate.tm.hcl', line: 23, data: { value: '<ROOT>/.terraform-cache-dir', source: 'terramate config.run.env in terramate.tm.hcl' } }],
      unsafe: true,
      output: { 'terramate.tm.hcl': REALISTIC_TERRAMATE_ROOT },
    },
    {
      name: 'two stacks with the same missing directory: one finding',
      files: project({ 'stacks/web/stack.tm.hcl': 'stack {}\n', 'stacks/web/main.tf': 'terraform {}\n' }),
      home: { '.terraformrc': 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n' },
      errors: [{ messageId: 'missing', file: '~/.terraformrc', line: 1, data: { value: '<HOME>/.terraform.d/plugin-cache' } }],
    },
    {
      name: 'a cache path that is a file',
      files: project(),
      home: { '.terraformrc': 'plugin_cache_dir = "$HOME/cache"\n', cache: '' },
      errors: [{ messageId: 'not-a-directory', file: '~/.terraformrc', line: 1, data: { value: '<HOME>/cache', source: '<HOME>/.terraformrc' } }],
    },
    {
      name: '~ is never expanded, even when the directory it means exists',
      files: project(),
      home: { '.terraformrc': 'plugin_cache_dir = "~/.terraform.d/plugin-cache"\n', ...HOME_CACHE },
      errors: [{ messageId: 'tilde', file: '~/.terraformrc', line: 1, data: { value: '~/.terraform.d/plugin-cache', source: '<HOME>/.terraformrc' } }],
    },
    {
      name: 'a relative directory',
      files: project(),
      home: { '.terraformrc': 'plugin_cache_dir = "plugin-cache"\n' },
      errors: [{ messageId: 'relative', file: '~/.terraformrc', line: 1, data: { value: 'plugin-cache', source: '<HOME>/.terraformrc' } }],
    },
    {
      name: 'TF_CLI_CONFIG_FILE replaces ~/.terraform.d/*.tfrc too; --unsafe-fixes writes to the file it names',
      files: project(),
      home: { 'empty.rc': 'disable_checkpoint = true\n', '.terraform.d/cache.tfrc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE },
      env: { TF_CLI_CONFIG_FILE: '<HOME>/empty.rc' },
      errors: [{ messageId: 'none', file: 'terramate.tm.hcl', line: 1, data: { cliFile: '<HOME>/empty.rc' } }],
      unsafe: true,
      output: { '~/empty.rc': `disable_checkpoint = true\n${CLI_CONFIG_LINE}`, '~/.terraformrc': null },
    },
    {
      name: 'the environment variable wins over ~/.terraformrc',
      files: project(),
      home: { '.terraformrc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE },
      env: { TF_PLUGIN_CACHE_DIR: '<HOME>/nonexistent/cache' },
      errors: [{ messageId: 'missing', file: null, line: null, data: { value: '<HOME>/nonexistent/cache', source: 'the environment' } }],
    },
    {
      name: '~/.terraformrc wins over ~/.terraform.d/*.tfrc',
      files: project(),
      home: { '.terraformrc': 'plugin_cache_dir = "~/c"\n', '.terraform.d/a.tfrc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE },
      errors: [{ messageId: 'tilde', file: '~/.terraformrc', line: 1, data: { value: '~/c' } }],
    },
    {
      name: '$VAR is not expanded in the environment variable',
      files: project(),
      home: HOME_CACHE,
      env: { TF_PLUGIN_CACHE_DIR: '$HOME/.terraform.d/plugin-cache' },
      errors: [{ messageId: 'relative', file: null, line: null, data: { value: '$HOME/.terraform.d/plugin-cache', source: 'the environment' } }],
    },
    {
      name: 'null in a nearer config.run.env removes the root setting',
      files: project({ 'terramate.tm.hcl': CACHE_AT_ROOT, '.cache/.keep': '', 'stacks/config.tm.hcl': runEnv('TF_PLUGIN_CACHE_DIR = null') }),
      errors: [{ messageId: 'none', file: 'terramate.tm.hcl', line: 1, data: { count: 1, stacks: 'stacks/app' } }],
    },
    {
      name: 'the nearest config.run.env definition wins: a relative one in the stack',
      files: project({ 'terramate.tm.hcl': CACHE_AT_ROOT, '.cache/.keep': '', 'stacks/app/env.tm.hcl': runEnv('TF_PLUGIN_CACHE_DIR = "cache"') }),
      errors: [{ messageId: 'relative', file: 'stacks/app/env.tm.hcl', line: 5, data: { value: 'cache', source: 'terramate config.run.env in stacks/app/env.tm.hcl' } }],
    },
    {
      name: 'a stack whose .tf files are generated counts',
      files: {
        'terramate.tm.hcl': ROOT_CONFIG,
        'stacks/docs/stack.tm.hcl': 'stack {}\n',
        'stacks/docs/file': 'this is dev!\n',
        'stacks/generate.tm.hcl': 'generate_hcl "_providers.tf" {\n  content {\n    terraform {}\n  }\n}\n',
      },
      errors: [{ messageId: 'none', file: 'terramate.tm.hcl', line: 1, data: { count: 1, stacks: 'stacks/docs' } }],
    },
    {
      name: "a Terraform project does not read OpenTofu's ~/.tofurc",
      files: project(),
      home: { '.tofurc': 'plugin_cache_dir = "<HOME>/cache"\n', ...OTHER_CACHE },
      errors: [{ messageId: 'none', file: 'terramate.tm.hcl', line: 1, data: { cliFile: '<HOME>/.terraformrc' } }],
    },
  ],
});
