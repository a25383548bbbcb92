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

// ---- Fixes: Makefiles, checked on make's own model ---------------------------------------

/** The issue's example: the flags reach init through `+=`, a target-specific variable and a continued line. */
const ISSUE_MAKEFILE = lines(
  'SHARE = --enable-sharing',
  'OPTS = $(SHARE) --parallel 3',
  'OPTS += --mock-on-fail',
  'init: TMFLAGS = $(OPTS)',
  'init:',
  '\t@terramate run $(TMFLAGS) \\',
  '\t  -- terraform init',
  'plan:',
  '\tterramate run $(OPTS) -- terraform plan',
);
const NO_SHARING = '$(filter-out --enable-sharing% --mock-on-fail%,';

// ---- Fixes: one realistic file per kind of launch site -----------------------------------

const REALISTIC_SCRIPT = lines(
  '#!/usr/bin/env bash',
  '# Initialise every stack, then plan with output sharing.',
  'set -euo pipefail',
  '',
  'PARALLEL="${PARALLEL:-4}"',
  'cd "$(git rev-parse --show-toplevel)"',
  '',
  'echo "init with --parallel $PARALLEL"',
  'terramate run \\',
  '  --parallel "$PARALLEL" \\',
  '  --enable-sharing \\',
  '  --mock-on-fail \\',
  '  -- terraform init -input=false -upgrade',
  '',
  'terramate run --enable-sharing --mock-on-fail -- terraform plan -out=plan.tfplan',
);

const REALISTIC_WORKFLOW = lines(
  'name: Terraform',
  'on:',
  '  pull_request:',
  '    branches: [main]',
  'permissions:',
  '  contents: read',
  '  pull-requests: write',
  'jobs:',
  '  plan:',
  '    runs-on: ubuntu-latest',
  '    env:',
  '      TF_IN_AUTOMATION: "true"',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '        with:',
  '          fetch-depth: 0',
  '      - uses: terramate-io/terramate-action@v2',
  '      - uses: hashicorp/setup-terraform@v3',
  '        with:',
  '          terraform_wrapper: false',
  '      - name: Initialise changed stacks',
  '        run: terramate run --changed --parallel 4 --enable-sharing -- terraform init -input=false',
  '      - name: Plan changed stacks',
  '        run: |',
  '          terramate run --changed --parallel 4 --enable-sharing --mock-on-fail \\',
  '            -- terraform plan -out out.tfplan',
);

const REALISTIC_GITLAB = lines(
  'stages: [init, plan]',
  'default:',
  '  image: ghcr.io/terramate-io/terramate:latest',
  'variables:',
  '  TF_IN_AUTOMATION: "true"',
  'init:',
  '  stage: init',
  '  script:',
  '    - terramate version',
  '    - terramate run --changed --mock-on-fail -- terraform init -input=false',
  '  cache:',
  '    paths: [.terraform.d/plugin-cache]',
  'plan:',
  '  stage: plan',
  '  script:',
  '    - >',
  '      terramate run --changed --enable-sharing --mock-on-fail',
  '      -- terraform plan -out plan.tfplan',
);

const packageJson = (init: string) =>
  `${JSON.stringify(
    {
      name: 'infra',
      private: true,
      scripts: {
        'tm:init': init,
        'tm:plan': 'terramate run --enable-sharing --mock-on-fail -- terraform plan',
        'tm:apply': 'terramate run -- terraform apply -auto-approve',
      },
      devDependencies: { prettier: '^3.3.0' },
    },
    null,
    2,
  )}\n`;

const REALISTIC_TASKFILE = lines(
  "version: '3'",
  '',
  'vars:',
  '  PARALLEL: 4',
  '',
  'tasks:',
  '  init:',
  '    desc: Initialise all stacks',
  '    cmds:',
  '      - terramate run --parallel {{.PARALLEL}} --enable-sharing -- terraform init',
  '  plan:',
  '    desc: Plan all stacks',
  '    deps: [init]',
  '    cmds:',
  '      - terramate run --enable-sharing -- terraform plan',
);

const REALISTIC_JUSTFILE = lines(
  'set shell := ["bash", "-uc"]',
  '',
  'parallel := "4"',
  '',
  '# Initialise every stack',
  'init:',
  '    terramate run --parallel {{parallel}} --mock-on-fail -- terraform init',
  '',
  'plan: init',
  '    terramate run --enable-sharing --mock-on-fail -- terraform plan',
);

const REALISTIC_SCRIPTS = lines(
  'script "deploy" {',
  '  description = "Initialise, plan and apply"',
  '  job {',
  '    name        = "terraform deploy"',
  '    description = "init, plan, apply"',
  '    commands = [',
  '      ["terraform", "init", "-lock-timeout=5m", {',
  '        enable_sharing = true',
  '        mock_on_fail   = true',
  '      }],',
  '      ["terraform", "plan", "-out", "out.tfplan", {',
  '        enable_sharing = true',
  '        mock_on_fail   = true',
  '      }],',
  '      ["terraform", "apply", "-auto-approve", "out.tfplan", {',
  '        cloud_sync_deployment = true',
  '      }],',
  '    ]',
  '  }',
  '}',
  '',
  'script "init" "preview" {',
  '  description = "Init with a preview sync"',
  '  job {',
  '    commands = [',
  '      ["terraform", "init", { cloud_sync_preview = true, enable_sharing = true }],',
  '    ]',
  '  }',
  '}',
);

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

    // ---- Fixes checked on make's own model --------------------------------------------------
    {
      name: "the issue's example: init's own reference is wrapped in $(filter-out ...), the continuation kept, plan untouched",
      files: project({ Makefile: ISSUE_MAKEFILE }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 6, data: { variable: 'TMFLAGS', flags: '--enable-sharing --mock-on-fail' }, help: ['why', 'remedy'] }],
      output: { Makefile: ISSUE_MAKEFILE.replace('@terramate run $(TMFLAGS) \\', `@terramate run ${NO_SHARING}$(TMFLAGS)) \\`) },
    },
    {
      name: 'a flag added with += to a variable that also holds other options: wrapped, not split',
      files: project({ Makefile: lines('TM_OPTS := --changed', 'TM_OPTS += --enable-sharing', '', 'init:', '\t@terramate run $(TM_OPTS) -- terraform init') }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 5 }],
      output: { Makefile: lines('TM_OPTS := --changed', 'TM_OPTS += --enable-sharing', '', 'init:', `\t@terramate run ${NO_SHARING}$(TM_OPTS)) -- terraform init`) },
    },
    {
      name: 'a target-specific flag only init gets: the line that adds it goes',
      files: project({ Makefile: lines('init: TM_OPTS += --mock-on-fail', 'plan: TM_OPTS += --enable-sharing', '', 'init plan:', '\tterramate run $(TM_OPTS) -- terraform $@') }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 5, data: { flags: '--mock-on-fail' } }],
      output: { Makefile: lines('plan: TM_OPTS += --enable-sharing', '', 'init plan:', '\tterramate run $(TM_OPTS) -- terraform $@') },
    },
    {
      name: 'a literal flag on a line init shares with plan: it goes for init only',
      files: project({ Makefile: lines('init plan:', '\tterramate run --enable-sharing --parallel 4 -- terraform $@') }),
      errors: [{ messageId: 'on-command', file: 'Makefile', line: 2, data: { label: 'target init plan' } }],
      output: { Makefile: lines('init plan:', '\tterramate run $(if $(filter init,$@),,--enable-sharing) --parallel 4 -- terraform $@') },
    },
    {
      name: 'a flag that only a branch of $(if ...) gives: the reference is wrapped',
      files: project({ Makefile: 'OPTS := $(if $(filter share,$(MAKECMDGOALS)),--enable-sharing,)\ninit:\n\tterramate run $(OPTS) -- terraform init\n' }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 3 }],
      output: { Makefile: `OPTS := $(if $(filter share,$(MAKECMDGOALS)),--enable-sharing,)\ninit:\n\tterramate run ${NO_SHARING}$(OPTS)) -- terraform init\n` },
    },
    {
      name: 'a variable of an included makefile that holds nothing but the flag: init stops reading it',
      files: project({ Makefile: 'include mk/options.mk\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\n', 'mk/options.mk': 'TM_OPTS := --mock-on-fail\n' }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 3 }],
      output: { Makefile: 'include mk/options.mk\ninit:\n\tterramate run -- terraform init\n', 'mk/options.mk': 'TM_OPTS := --mock-on-fail\n' },
    },
    {
      name: 'the output of $(shell ...) reaches the init options: no fix, and the help says why',
      files: project({ Makefile: lines('EXTRA := $(shell cat .tm-flags)', 'TM_OPTS := --enable-sharing $(EXTRA)', 'init:', '\tterramate run $(TM_OPTS) -- terraform init') }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 4, help: ['why', 'remedy', 'no-fix-shell'] }],
      output: { Makefile: lines('EXTRA := $(shell cat .tm-flags)', 'TM_OPTS := --enable-sharing $(EXTRA)', 'init:', '\tterramate run $(TM_OPTS) -- terraform init') },
      remaining: [{ messageId: 'via-variable', file: 'Makefile', line: 4, help: ['why', 'remedy', 'no-fix-shell'] }],
    },
    {
      name: 'an environment variable no makefile defines reaches the init options: no fix, and the help names it',
      files: project({ Makefile: lines('TM_OPTS := --enable-sharing $(TM_EXTRA_FLAGS)', 'init:', '\tterramate run $(TM_OPTS) -- terraform init') }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 3, data: { name: 'TM_EXTRA_FLAGS' }, help: ['why', 'remedy', 'no-fix-undefined'] }],
      output: { Makefile: lines('TM_OPTS := --enable-sharing $(TM_EXTRA_FLAGS)', 'init:', '\tterramate run $(TM_OPTS) -- terraform init') },
      remaining: [{ messageId: 'via-variable', file: 'Makefile', line: 3, help: ['why', 'remedy', 'no-fix-undefined'] }],
    },
    {
      name: 'a computed variable name reaches the init options: no fix, and the help says why',
      files: project({ Makefile: lines('FLAGS_prd := --mock-on-fail', 'TM_OPTS := --enable-sharing $(FLAGS_$(STAGE))', 'init:', '\tterramate run $(TM_OPTS) -- terraform init') }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 4, help: ['why', 'remedy', 'no-fix-computed-name'] }],
      output: { Makefile: lines('FLAGS_prd := --mock-on-fail', 'TM_OPTS := --enable-sharing $(FLAGS_$(STAGE))', 'init:', '\tterramate run $(TM_OPTS) -- terraform init') },
      remaining: [{ messageId: 'via-variable', file: 'Makefile', line: 4, help: ['why', 'remedy', 'no-fix-computed-name'] }],
    },
    {
      name: 'a function over a value known only at run time reaches the init options: no fix, and the help names the function',
      files: project({ Makefile: lines('TM_OPTS := --enable-sharing $(firstword $(shell cat .tm-flags))', 'init:', '\tterramate run $(TM_OPTS) -- terraform init') }),
      errors: [{ messageId: 'via-variable', file: 'Makefile', line: 3, data: { what: 'the result of `$(firstword ...)`' }, help: ['why', 'remedy', 'no-fix-run-time'] }],
      output: { Makefile: lines('TM_OPTS := --enable-sharing $(firstword $(shell cat .tm-flags))', 'init:', '\tterramate run $(TM_OPTS) -- terraform init') },
      remaining: [{ messageId: 'via-variable', file: 'Makefile', line: 3, help: ['why', 'remedy', 'no-fix-run-time'] }],
    },
    {
      name: 'a quoted reference that is the flag itself: the whole word goes',
      files: project({ Makefile: lines('SHARE := --enable-sharing', 'init:', '\tterramate run "$(SHARE)" --changed -- terraform init') }),
      errors: [{ messageId: 'on-command', file: 'Makefile', line: 3 }],
      output: { Makefile: lines('SHARE := --enable-sharing', 'init:', '\tterramate run --changed -- terraform init') },
    },
    {
      name: 'a quoted reference that is the flag or an empty word: no fix, and the help says why',
      files: project({ Makefile: lines('SHARE := $(if $(CI),--enable-sharing)', 'init:', '\tterramate run "$(SHARE)" --changed -- terraform init') }),
      errors: [{ messageId: 'on-command', file: 'Makefile', line: 3, help: ['why', 'remedy', 'no-fix-quoted'] }],
    },

    // ---- Fixes of the other launch sites: one realistic file per kind ------------------------
    {
      name: 'a realistic shell script: the flags go from the continued init command only',
      files: project({ 'scripts/tm-init.sh': REALISTIC_SCRIPT }),
      errors: [{ messageId: 'on-command', file: 'scripts/tm-init.sh', line: 9, data: { flags: '--enable-sharing --mock-on-fail' } }],
      output: { 'scripts/tm-init.sh': REALISTIC_SCRIPT.replace('  --enable-sharing \\\n  --mock-on-fail \\\n', '') },
    },
    {
      name: 'a realistic GitHub workflow: the init step loses the flag, the plan step keeps its own',
      files: project({ '.github/workflows/terraform.yml': REALISTIC_WORKFLOW }),
      errors: [{ messageId: 'on-command', file: '.github/workflows/terraform.yml', line: 22, data: { label: 'jobs.plan.steps[3]' } }],
      output: { '.github/workflows/terraform.yml': REALISTIC_WORKFLOW.replace('--parallel 4 --enable-sharing -- terraform init', '--parallel 4 -- terraform init') },
    },
    {
      name: 'a realistic GitLab pipeline: the init job loses the flag, the folded plan script keeps its own',
      files: project({ '.gitlab-ci.yml': REALISTIC_GITLAB }),
      errors: [{ messageId: 'on-command', file: '.gitlab-ci.yml', line: 10, data: { label: 'init.script' } }],
      output: { '.gitlab-ci.yml': REALISTIC_GITLAB.replace('--changed --mock-on-fail -- terraform init', '--changed -- terraform init') },
    },
    {
      name: 'a realistic package.json: the init script loses the flags, the rest of the file is byte for byte',
      files: project({ 'package.json': packageJson('terramate run --parallel 4 --enable-sharing --mock-on-fail -- terraform init') }),
      errors: [{ messageId: 'on-command', file: 'package.json', line: 5, data: { label: 'scripts.tm:init' } }],
      output: { 'package.json': packageJson('terramate run --parallel 4 -- terraform init') },
    },
    {
      name: "a realistic Taskfile: the init task's command loses the flag",
      files: project({ 'Taskfile.yml': REALISTIC_TASKFILE }),
      errors: [{ messageId: 'on-command', file: 'Taskfile.yml', line: 10, data: { label: 'tasks.init.cmds[0]' } }],
      output: { 'Taskfile.yml': REALISTIC_TASKFILE.replace('{{.PARALLEL}} --enable-sharing -- terraform init', '{{.PARALLEL}} -- terraform init') },
    },
    {
      name: "a realistic justfile: the init recipe's command loses the flag",
      files: project({ justfile: REALISTIC_JUSTFILE }),
      errors: [{ messageId: 'on-command', file: 'justfile', line: 7, data: { label: 'init' } }],
      output: { justfile: REALISTIC_JUSTFILE.replace('{{parallel}} --mock-on-fail -- terraform init', '{{parallel}} -- terraform init') },
    },
    {
      name: 'realistic Terramate scripts: the init command loses its sharing keys and keeps the others, plan and apply untouched',
      files: project({ 'terramate/scripts.tm.hcl': REALISTIC_SCRIPTS }),
      errors: [
        { messageId: 'via-script-option', file: 'terramate/scripts.tm.hcl', line: 7, data: { label: 'script "deploy"' } },
        { messageId: 'via-script-option', file: 'terramate/scripts.tm.hcl', line: 26, data: { label: 'script "init preview"' } },
      ],
      output: {
        'terramate/scripts.tm.hcl': REALISTIC_SCRIPTS.replace('"-lock-timeout=5m", {\n        enable_sharing = true\n        mock_on_fail   = true\n      }],', '"-lock-timeout=5m"],').replace(
          '{ cloud_sync_preview = true, enable_sharing = true }',
          '{ cloud_sync_preview = true }',
        ),
      },
    },
    {
      name: 'TM_ARG_RUN_ENABLE_SHARING as a prefix of the init command goes with it',
      files: project({ 'bin/init.sh': 'TM_ARG_RUN_ENABLE_SHARING=true terramate run -- terraform init\n' }),
      errors: [{ messageId: 'via-environment', file: 'bin/init.sh', line: 1 }],
      output: { 'bin/init.sh': 'terramate run -- terraform init\n' },
    },
    {
      name: 'no fix where the flag is shared with other commands or known only at run time, and the help says why',
      files: project({
        '.github/workflows/ci.yml': lines(
          'on: push',
          'jobs:',
          '  init:',
          '    runs-on: ubuntu-latest',
          '    env:',
          '      TM_ARG_RUN_ENABLE_SHARING: "true"',
          '    steps:',
          '      - run: terramate run -- terraform init',
          '      - run: terramate run -- terraform plan',
        ),
        'scripts/a.sh': lines(
          '#!/bin/sh',
          'TM_FLAGS="--enable-sharing --changed"',
          'terramate run $TM_FLAGS -- terraform init',
          'terramate run $EXTRA_FLAGS --mock-on-fail -- terraform init',
        ),
        'both.tm.hcl': 'script "both" {\n  job {\n    commands = [["sh", "-c", "terraform init && terraform plan", { enable_sharing = true }]]\n  }\n}\n',
      }),
      errors: [
        { messageId: 'via-environment', file: '.github/workflows/ci.yml', line: 8, data: { setting: 'TM_ARG_RUN_ENABLE_SHARING' }, help: ['why', 'remedy', 'no-fix-environment'] },
        { messageId: 'via-script-option', file: 'both.tm.hcl', line: 3, help: ['why', 'remedy', 'no-fix-shared-options'] },
        { messageId: 'on-command', file: 'scripts/a.sh', line: 3, data: { word: '$TM_FLAGS' }, help: ['why', 'remedy', 'no-fix-shell-variable'] },
        { messageId: 'on-command', file: 'scripts/a.sh', line: 4, data: { what: '`$EXTRA_FLAGS`' }, help: ['why', 'remedy', 'no-fix-run-time'] },
      ],
    },
  ],
});
