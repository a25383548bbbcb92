import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noSharingOnInit } from '../../src/rules/no-sharing-on-init.js';
import { FIXTURES, type FileTree } from '../support/project.js';
import { runRuleTests } from '../support/rule-tester.js';

const STACKS: FileTree = {
  'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n',
  'stacks/a/stack.tm.hcl': 'stack {}\n',
};
const project = (files: FileTree): FileTree => ({ ...STACKS, ...files });
const lines = (...text: string[]) => `${text.join('\n')}\n`;

const WORKFLOW = `name: terramate
# Never run terraform init with --enable-sharing: see docs.
on:
  pull_request:
env:
  TF_IN_AUTOMATION: "true"
jobs:
  init:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      # do not pass --enable-sharing to terraform init here
      - name: terraform init (no --enable-sharing)
        run: terramate run --parallel 4 -- terraform init
      - name: plan
        run: |
          terramate run \\
            --enable-sharing \\
            --mock-on-fail \\
            -- terraform plan -out plan.tfplan
`;
const WORKFLOW_WITH_SHARED_INIT = WORKFLOW.replace('-- terraform plan -out plan.tfplan', '-- terraform init -upgrade');

const SHELL_SCRIPT = lines(
  '#!/usr/bin/env bash',
  'set -euo pipefail',
  'cd "$(dirname "$0")/.."',
  'terramate run \\',
  '  --parallel 5 \\',
  '  --enable-sharing \\',
  '  -- terraform init -input=false',
  "sh -c 'terramate run --mock-on-fail -- terraform init'",
  'terramate run --enable-sharing -- terraform plan',
);

const SEED_MAKEFILE = readFileSync(join(FIXTURES, 'seed-blog/Makefile'), 'utf8');

runRuleTests(noSharingOnInit, {
  valid: [
    {
      name: 'only plan and apply get the flags',
      files: project({
        Makefile: lines(
          'TM_COMMON := --changed',
          'TM_OPTS := --enable-sharing --mock-on-fail $(TM_COMMON)',
          'init:',
          '\tterramate run $(TM_COMMON) -- terraform init',
          'plan:',
          '\tterramate run $(TM_OPTS) -- terraform plan',
          'apply:',
          '\tterramate run $(TM_OPTS) -- terraform apply',
        ),
      }),
    },
    {
      name: 'flags in comments, in echoed text, or from a variable nobody defines are not claimed',
      files: project({
        Makefile: lines(
          '# terramate run --enable-sharing -- terraform init',
          'init:',
          '\t@echo "terramate run --enable-sharing -- terraform init"',
          '\tterramate run $(EXTRA) -- terraform init',
        ),
      }),
    },
    { name: 'a workflow whose step names and comments mention the flags but whose init has none', files: project({ '.github/workflows/ci.yml': WORKFLOW }) },
    {
      name: 'a flag that comes from a CI input is not claimed',
      files: project({
        '.github/workflows/x.yml': 'on: workflow_dispatch\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terramate run ${{ inputs.flags }} -- terraform init\n',
      }),
    },
    {
      name: 'the option object sits on the plan command of the script only',
      files: project({
        'scripts.tm.hcl': 'script "deploy" {\n  job {\n    commands = [\n      ["terraform", "init"],\n      ["terraform", "plan", { enable_sharing = true }],\n    ]\n  }\n}\n',
      }),
    },
    {
      name: 'the seed author fixed project (fixtures/clean)',
      files: project({ Makefile: readFileSync(join(FIXTURES, 'clean/Makefile'), 'utf8') }),
    },
  ],
  invalid: [
    {
      name: 'the incident: the seed Makefile passes $(TM_OPTS) to init (realistic file)',
      files: project({ Makefile: SEED_MAKEFILE }),
      errors: [
        {
          messageId: 'via-variable',
          file: 'Makefile',
          line: 17,
          data: { variable: 'TM_OPTS', flags: '--enable-sharing --mock-on-fail' },
          related: [{ messageId: 'defines', file: 'Makefile', line: 12 }],
        },
      ],
      output: { Makefile: SEED_MAKEFILE.replace('--tags=$(TAGS) $(TM_OPTS) -- terraform init', '--tags=$(TAGS) $(TM_COMMON) -- terraform init') },
    },
    {
      name: 'two levels of variables to the init recipe line; a variable without the flags is introduced',
      files: project({
        Makefile: lines(
          'SHARE := --enable-sharing --mock-on-fail',
          'TM_OPTS = $(SHARE) --changed',
          '',
          'init:',
          '\tterramate run $(TM_OPTS) -- terraform init',
          'plan:',
          '\tterramate run $(TM_OPTS) -- terraform plan',
        ),
      }),
      errors: [
        {
          messageId: 'via-variable',
          file: 'Makefile',
          line: 5,
          data: { tool: 'terraform', label: 'target init', flags: '--enable-sharing --mock-on-fail', variable: 'TM_OPTS' },
          related: [
            { messageId: 'passes-on', file: 'Makefile', line: 2 },
            { messageId: 'defines', file: 'Makefile', line: 1 },
          ],
        },
      ],
      output: {
        Makefile: lines(
          'SHARE := --enable-sharing --mock-on-fail',
          'TM_OPTS = $(SHARE) --changed',
          'TM_OPTS_INIT = --changed',
          '',
          'init:',
          '\tterramate run $(TM_OPTS_INIT) -- terraform init',
          'plan:',
          '\tterramate run $(TM_OPTS) -- terraform plan',
        ),
      },
    },
    {
      name: 'flags added with +=',
      files: project({ Makefile: 'TM_OPTS := --changed\nTM_OPTS += --enable-sharing\n\ninit:\n\t@terramate run $(TM_OPTS) -- terraform init\n' }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 5, data: { flags: '--enable-sharing', variable: 'TM_OPTS' } }],
    },
    {
      name: 'a target-specific variable, only for its target',
      files: project({ Makefile: 'init: TM_OPTS += --mock-on-fail\nplan: TM_OPTS += --enable-sharing\n\ninit plan:\n\tterramate run $(TM_OPTS) -- terraform $@\n' }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 5, data: { flags: '--mock-on-fail', variable: 'TM_OPTS' }, related: [{ messageId: 'defines', file: 'Makefile', line: 1 }] }],
    },
    {
      name: 'a flag that any branch of $(if ...) can produce',
      files: project({ Makefile: 'OPTS := $(if $(filter share,$(MAKECMDGOALS)),--enable-sharing,)\ninit:\n\tterramate run $(OPTS) -- terraform init\n' }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 3, data: { variable: 'OPTS' } }],
    },
    {
      name: 'the tool held in a variable, and `terramate run terraform init` without --',
      files: project({ Makefile: 'TF_BIN ?= tofu\ninit:\n\tcd stacks && terramate run --enable-sharing $(TF_BIN) init\n' }),
      errors: [{ messageId: 'on-command', file: 'Makefile', line: 3, data: { tool: 'tofu', flags: '--enable-sharing' } }],
      output: { Makefile: 'TF_BIN ?= tofu\ninit:\n\tcd stacks && terramate run $(TF_BIN) init\n' },
    },
    {
      name: 'a flag defined in an included makefile',
      files: project({ Makefile: 'include mk/options.mk\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\n', 'mk/options.mk': 'TM_OPTS := --mock-on-fail\n' }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 3, data: { variable: 'TM_OPTS' }, related: [{ messageId: 'defines', file: 'mk/options.mk', line: 1 }] }],
    },
    {
      name: 'a GitHub workflow step continued with backslashes',
      files: project({ '.github/workflows/ci.yml': WORKFLOW_WITH_SHARED_INIT }),
      errors: [{ messageId: 'on-command', file: '.github/workflows/ci.yml', line: 17, data: { label: 'jobs.init.steps[2]', flags: '--enable-sharing --mock-on-fail' } }],
      output: { '.github/workflows/ci.yml': WORKFLOW_WITH_SHARED_INIT.replace('            --enable-sharing \\\n            --mock-on-fail \\\n', '') },
    },
    {
      name: 'a shell script with a continued command and sh -c nesting',
      files: project({ 'scripts/init.sh': SHELL_SCRIPT }),
      errors: [
        { messageId: 'on-command', file: 'scripts/init.sh', line: 4 },
        { messageId: 'on-command', file: 'scripts/init.sh', line: 8 },
      ],
      output: {
        'scripts/init.sh': SHELL_SCRIPT.replace('  --enable-sharing \\\n', '').replace("sh -c 'terramate run --mock-on-fail -- terraform init'", "sh -c 'terramate run -- terraform init'"),
      },
    },
    {
      name: 'TM_ARG_RUN_ENABLE_SHARING in the environment of the command',
      files: project({ 'bin/init.sh': 'TM_ARG_RUN_ENABLE_SHARING=true terramate run -- terraform init\n' }),
      errors: [{ messageId: 'via-environment', file: 'bin/init.sh', line: 1, data: { assignment: 'TM_ARG_RUN_ENABLE_SHARING=true' } }],
    },
    {
      name: 'a Terramate script command with enable_sharing, not the plan command of the same job',
      files: project({
        'scripts.tm.hcl': lines(
          'script "deploy" {',
          '  description = "init and plan"',
          '  job {',
          '    commands = [',
          '      ["terraform", "init", { enable_sharing = true }],',
          '      ["terraform", "plan", { enable_sharing = true, mock_on_fail = true }],',
          '    ]',
          '  }',
          '}',
        ),
      }),
      errors: [{ messageId: 'via-script-option', file: 'scripts.tm.hcl', line: 5, data: { option: 'enable_sharing = true', label: 'script "deploy"' } }],
      output: {
        'scripts.tm.hcl': lines(
          'script "deploy" {',
          '  description = "init and plan"',
          '  job {',
          '    commands = [',
          '      ["terraform", "init"],',
          '      ["terraform", "plan", { enable_sharing = true, mock_on_fail = true }],',
          '    ]',
          '  }',
          '}',
        ),
      },
    },
    {
      name: 'package.json scripts and GitLab CI',
      files: project({
        'package.json': JSON.stringify({ scripts: { init: 'terramate run --enable-sharing -- terraform init', plan: 'terramate run --enable-sharing -- terraform plan' } }, null, 2),
        '.gitlab-ci.yml': 'init:\n  script:\n    - terramate run --mock-on-fail -- terraform init\n',
      }),
      errors: [
        { messageId: 'on-command', file: '.gitlab-ci.yml', line: 3 },
        { messageId: 'on-command', file: 'package.json', line: 3 },
      ],
      output: {
        'package.json': JSON.stringify({ scripts: { init: 'terramate run -- terraform init', plan: 'terramate run --enable-sharing -- terraform plan' } }, null, 2),
        '.gitlab-ci.yml': 'init:\n  script:\n    - terramate run -- terraform init\n',
      },
    },
    {
      name: '`script "init"` beside `script "init" "upgrade"` in one file (public repositories)',
      files: project({
        'scripts.tm.hcl': lines(
          'script "init" {',
          '  job {',
          '    commands = [["terraform", "init", { enable_sharing = true }]]',
          '  }',
          '}',
          'script "init" "upgrade" {',
          '  job {',
          '    commands = [["terraform", "init", "-upgrade", { enable_sharing = true }]]',
          '  }',
          '}',
        ),
      }),
      errors: [
        { messageId: 'via-script-option', file: 'scripts.tm.hcl', line: 3, data: { label: 'script "init"' } },
        { messageId: 'via-script-option', file: 'scripts.tm.hcl', line: 8, data: { label: 'script "init upgrade"' } },
      ],
    },
    {
      name: 'sh -c on a script command',
      files: project({
        'scripts.tm.hcl': 'script "deploy" {\n  job {\n    commands = [\n      ["bash", "-c", "[ -d .terraform ] || tofu init", {\n        mock_on_fail = true\n      }],\n    ]\n  }\n}\n',
      }),
      errors: [{ messageId: 'via-script-option', file: 'scripts.tm.hcl', line: 4, data: { tool: 'tofu', option: 'mock_on_fail = true', flags: '--mock-on-fail' } }],
    },
    {
      name: 'the run steps of a composite action, not the inputs nobody can know',
      files: project({
        '.github/actions/terramate/action.yml': lines(
          'name: terramate',
          'inputs:',
          '  args:',
          '    default: ""',
          'runs:',
          '  using: composite',
          '  steps:',
          '    - shell: bash',
          '      run: terramate run ${{ inputs.args }} -- terraform init',
          '    - shell: bash',
          '      run: terramate run --enable-sharing -- terraform init -upgrade',
        ),
      }),
      errors: [{ messageId: 'on-command', file: '.github/actions/terramate/action.yml', line: 11, data: { label: 'runs.steps[1]' } }],
    },
  ],
});
