import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockfileCacheEnv } from '../../src/rules/lockfile-cache-env.js';
import { FIXTURES, type FileTree } from '../support/project.js';
import { runRuleTests } from '../support/rule-tester.js';
import { REALISTIC_STACK, REALISTIC_TERRAFORMRC, REALISTIC_TERRAMATE_ROOT } from '../support/realistic-configs.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const STACKS: FileTree = {
  'stacks/a/stack.tm.hcl': 'stack {}\n',
  'stacks/a/main.tf': 'terraform {}\n',
  'stacks/b/stack.tm.hcl': 'stack {}\n',
  'stacks/b/main.tf': 'terraform {}\n',
};
const ROOT_CONFIG = lines(
  '# project settings',
  'terramate {',
  '  required_version = ">= 0.9.0"',
  '',
  '  config {',
  '    run {',
  '      env {',
  '        TF_PLUGIN_CACHE_DIR = "/var/cache/tf"',
  '      }',
  '    }',
  '  }',
  '}',
);
const seed = (path: string) => readFileSync(join(FIXTURES, 'seed-blog', path), 'utf8');


const realisticRoot = (setting: string | null): FileTree => ({
  'terramate.tm.hcl': setting === null ? REALISTIC_TERRAMATE_ROOT : REALISTIC_TERRAMATE_ROOT.replace('TF_INPUT            = "false"\n', `TF_INPUT            = "false"\n        ${setting}\n`),
  '.terraform-cache-dir/.keep': '',
  ...REALISTIC_STACK,
});

runRuleTests(lockfileCacheEnv, {
  valid: [
    {
      name: 'set in the root config.run.env',
      files: { ...STACKS, 'terramate.tm.hcl': ROOT_CONFIG.replace('"/var/cache/tf"\n', '"/var/cache/tf"\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "1"\n') },
    },
    {
      name: 'set in the process environment',
      files: { ...STACKS, 'terramate.tm.hcl': ROOT_CONFIG },
      env: { TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true' },
    },
    {
      name: 'set in the CLI configuration file',
      files: { ...STACKS, 'terramate.tm.hcl': ROOT_CONFIG },
      home: { '.terraformrc': 'plugin_cache_may_break_dependency_lock_file = true\n' },
    },
    {
      name: 'stacks without Terraform files are not Terraform stacks',
      files: { 'terramate.tm.hcl': ROOT_CONFIG, 'stacks/docs/stack.tm.hcl': 'stack {}\n' },
    },
    {
      name: 'a full root terramate.tm.hcl that sets it to 1 (realistic file)',
      files: realisticRoot('TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = 1'),
    },
  ],
  invalid: [
    {
      name: 'not set anywhere: added next to the cache dir in the root config.run.env',
      files: { ...STACKS, 'terramate.tm.hcl': ROOT_CONFIG },
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 2, data: { count: 2, stacks: 'stacks/a and stacks/b' } }],
      output: {
        'terramate.tm.hcl': ROOT_CONFIG.replace('"/var/cache/tf"\n', '"/var/cache/tf"\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n'),
      },
    },
    {
      name: '"0" and "" turn it off',
      files: { ...STACKS, 'terramate.tm.hcl': ROOT_CONFIG },
      env: { TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: '0' },
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 2 }],
    },
    {
      name: 'a root config without a config block gets the blocks',
      files: { ...STACKS, 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n' },
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 1 }],
      output: {
        'terramate.tm.hcl': lines(
          'terramate {',
          '  required_version = ">= 0.9.0"',
          '  config {',
          '    run {',
          '      env {',
          '        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"',
          '      }',
          '    }',
          '  }',
          '}',
        ),
      },
    },
    {
      name: 'the incident project (realistic files)',
      files: {
        'terramate.tm.hcl': seed('terramate.tm.hcl'),
        'sharing.tm.hcl': seed('sharing.tm.hcl'),
        'stacks/dev/network/stack.tm.hcl': seed('stacks/dev/network/stack.tm.hcl'),
        'stacks/dev/network/main.tf': seed('stacks/dev/network/main.tf'),
      },
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 1, data: { count: 1, stacks: 'stacks/dev/network' } }],
    },
    {
      name: 'a full ~/.terraformrc where the setting is commented out (realistic file)',
      files: { 'terramate.tm.hcl': 'terramate {\n  required_version = "~> 0.9.0"\n}\n', ...REALISTIC_STACK },
      home: { '.terraformrc': REALISTIC_TERRAFORMRC },
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 1, data: { count: 1, stacks: 'stacks/api' } }],
    },
    {
      name: 'a full root terramate.tm.hcl without it: added to its aligned env block (realistic file)',
      files: realisticRoot(null),
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 1, data: { count: 1, stacks: 'stacks/api' } }],
      output: {
        'terramate.tm.hcl': REALISTIC_TERRAMATE_ROOT.replace(
          '/.terraform-cache-dir"\n',
          '/.terraform-cache-dir"\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n',
        ),
      },
    },
    {
      name: 'beside a parallel init without a warm-up: no fix on its own, the help says why (measured: 64 of 100 lock files wrong with it)',
      files: { ...STACKS, 'terramate.tm.hcl': ROOT_CONFIG, Makefile: lines('init:', '\tterramate run --parallel 5 -- terraform init') },
      errors: [
        {
          messageId: 'unset',
          file: 'terramate.tm.hcl',
          line: 2,
          data: { count: 2, label: 'target init' },
          help: ['why', 'remedy', 'trade-off', 'stacks', 'unwarmed-race'],
          related: [{ messageId: 'cache-on', file: 'terramate.tm.hcl', line: 8 }, { messageId: 'parallel-init', file: 'Makefile', line: 2 }],
        },
      ],
      output: { 'terramate.tm.hcl': ROOT_CONFIG },
      remaining: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 2 }],
    },
    {
      name: 'before any cache is set, a parallel init is already one the variable alone would not cure',
      files: { ...STACKS, 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n', Makefile: lines('init:', '\tterramate run -j 4 -- terraform init') },
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 1, help: ['why', 'remedy', 'trade-off', 'stacks', 'unwarmed-race'] }],
      output: { 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n' },
      remaining: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 1 }],
    },
    {
      name: 'beside a parallel init warmed once per requirement: the variable is offered (measured with a warm-up: 0 of 50)',
      files: {
        ...STACKS,
        'terramate.tm.hcl': ROOT_CONFIG,
        Makefile: lines('init:', '\tterramate run -C stacks/a --no-recursive -- terraform init -backend=false', '\tterramate run --parallel 5 -- terraform init'),
      },
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 2, help: ['why', 'remedy', 'trade-off', 'stacks'] }],
      output: { 'terramate.tm.hcl': ROOT_CONFIG.replace('"/var/cache/tf"\n', '"/var/cache/tf"\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n') },
    },
    {
      name: 'a full root terramate.tm.hcl that sets it to "0" (realistic file)',
      files: realisticRoot('TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "0"'),
      errors: [{ messageId: 'unset', file: 'terramate.tm.hcl', line: 1, data: { count: 1, stacks: 'stacks/api' } }],
    },
  ],
});
