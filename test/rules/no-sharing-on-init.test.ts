import { describe, expect, it } from '@jest/globals';
import { checkTree, type FileTree } from '../support/rule-tester.js';

const STACKS: FileTree = {
  'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n',
  'stacks/a/stack.tm.hcl': 'stack {}\n',
};

const run = (files: FileTree) => checkTree({ ...STACKS, ...files }, { rule: 'no-sharing-on-init' });
const where = (findings: Awaited<ReturnType<typeof run>>) => findings.map(({ file, line }) => `${file}:${line}`);

describe('no-sharing-on-init in Makefiles', () => {
  it('follows two levels of variables to the init recipe line', async () => {
    const findings = await run({
      Makefile: [
        'SHARE := --enable-sharing --mock-on-fail',
        'TM_OPTS = $(SHARE) --changed',
        '',
        'init:',
        '\tterramate run $(TM_OPTS) -- terraform init',
        'plan:',
        '\tterramate run $(TM_OPTS) -- terraform plan',
        '',
      ].join('\n'),
    });
    expect(where(findings)).toEqual(['Makefile:5']);
    expect(findings[0].message).toMatch(/^terraform init \(target init\) is launched with --enable-sharing and --mock-on-fail via \$\(TM_OPTS\), defined at Makefile:2\./);
  });

  it('sees flags added with +=', async () => {
    const findings = await run({
      Makefile: 'TM_OPTS := --changed\nTM_OPTS += --enable-sharing\n\ninit:\n\t@terramate run $(TM_OPTS) -- terraform init\n',
    });
    expect(where(findings)).toEqual(['Makefile:5']);
    expect(findings[0].message).toContain('with --enable-sharing via $(TM_OPTS)');
  });

  it('sees a target-specific variable and only for its target', async () => {
    const findings = await run({
      Makefile: 'init: TM_OPTS += --mock-on-fail\nplan: TM_OPTS += --enable-sharing\n\ninit plan:\n\tterramate run $(TM_OPTS) -- terraform $@\n',
    });
    expect(where(findings)).toEqual(['Makefile:5']);
    expect(findings[0].message).toContain('with --mock-on-fail via $(TM_OPTS), defined at Makefile:1');
    expect(findings[0].message).not.toContain('--enable-sharing');
  });

  it('counts a flag that any branch of $(if ...) can produce', async () => {
    const findings = await run({
      Makefile: 'OPTS := $(if $(filter share,$(MAKECMDGOALS)),--enable-sharing,)\ninit:\n\tterramate run $(OPTS) -- terraform init\n',
    });
    expect(where(findings)).toEqual(['Makefile:3']);
  });

  it('is silent when only plan and apply get the flags', async () => {
    const findings = await run({
      Makefile: [
        'TM_COMMON := --changed',
        'TM_OPTS := --enable-sharing --mock-on-fail $(TM_COMMON)',
        'init:',
        '\tterramate run $(TM_COMMON) -- terraform init',
        'plan:',
        '\tterramate run $(TM_OPTS) -- terraform plan',
        'apply:',
        '\tterramate run $(TM_OPTS) -- terraform apply',
        '',
      ].join('\n'),
    });
    expect(findings).toEqual([]);
  });

  it('does not claim flags from a variable nobody defines, nor from comments or echo', async () => {
    const findings = await run({
      Makefile: [
        '# terramate run --enable-sharing -- terraform init',
        'init:',
        '\t@echo "terramate run --enable-sharing -- terraform init"',
        '\tterramate run $(EXTRA) -- terraform init',
        '',
      ].join('\n'),
    });
    expect(findings).toEqual([]);
  });

  it('resolves the tool held in a variable and `terramate run terraform init` without --', async () => {
    const findings = await run({
      Makefile: 'TF_BIN ?= tofu\ninit:\n\tcd stacks && terramate run --enable-sharing $(TF_BIN) init\n',
    });
    expect(where(findings)).toEqual(['Makefile:3']);
    expect(findings[0].message).toMatch(/^tofu init \(target init\) is launched with --enable-sharing written on the command\./);
  });

  it('follows include', async () => {
    const findings = await run({
      Makefile: 'include mk/options.mk\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\n',
      'mk/options.mk': 'TM_OPTS := --mock-on-fail\n',
    });
    expect(where(findings)).toEqual(['Makefile:3']);
    expect(findings[0].message).toContain('via $(TM_OPTS), defined at mk/options.mk:1');
  });
});

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

describe('no-sharing-on-init in CI files, scripts and Terramate scripts', () => {
  it('is silent on a workflow whose step names and comments mention the flags but whose init has none', async () => {
    expect(await run({ '.github/workflows/ci.yml': WORKFLOW })).toEqual([]);
  });

  it('reports a GitHub workflow step, continued with backslashes', async () => {
    const workflow = WORKFLOW.replace('-- terraform plan -out plan.tfplan', '-- terraform init -upgrade');
    const findings = await run({ '.github/workflows/ci.yml': workflow });
    expect(where(findings)).toEqual(['.github/workflows/ci.yml:17']);
    expect(findings[0].message).toMatch(/^terraform init \(jobs\.init\.steps\[2\]\) is launched with --enable-sharing and --mock-on-fail written on the command\./);
  });

  it('reports a shell script with a backslash-continued command and sh -c nesting', async () => {
    const script = [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      'cd "$(dirname "$0")/.."',
      'terramate run \\',
      '  --parallel 5 \\',
      '  --enable-sharing \\',
      '  -- terraform init -input=false',
      "sh -c 'terramate run --mock-on-fail -- terraform init'",
      'terramate run --enable-sharing -- terraform plan',
      '',
    ].join('\n');
    const findings = await run({ 'scripts/init.sh': script });
    expect(where(findings)).toEqual(['scripts/init.sh:4', 'scripts/init.sh:8']);
  });

  it('reports TM_ARG_RUN_ENABLE_SHARING in the environment of the command', async () => {
    const findings = await run({ 'bin/init.sh': 'TM_ARG_RUN_ENABLE_SHARING=true terramate run -- terraform init\n' });
    expect(where(findings)).toEqual(['bin/init.sh:1']);
    expect(findings[0].message).toContain('via TM_ARG_RUN_ENABLE_SHARING=true in its environment');
  });

  it('does not claim a flag that comes from a CI input', async () => {
    const workflow = 'on: workflow_dispatch\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terramate run ${{ inputs.flags }} -- terraform init\n';
    expect(await run({ '.github/workflows/x.yml': workflow })).toEqual([]);
  });

  it('reports a Terramate script command with enable_sharing, not the plan command of the same job', async () => {
    const findings = await run({
      'scripts.tm.hcl': [
        'script "deploy" {',
        '  description = "init and plan"',
        '  job {',
        '    commands = [',
        '      ["terraform", "init", { enable_sharing = true }],',
        '      ["terraform", "plan", { enable_sharing = true, mock_on_fail = true }],',
        '    ]',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    expect(where(findings)).toEqual(['scripts.tm.hcl:5']);
    expect(findings[0].message).toContain('via enable_sharing = true on the script command');
  });

  it('is silent when the option object sits on the plan command only', async () => {
    const findings = await run({
      'scripts.tm.hcl': 'script "deploy" {\n  job {\n    commands = [\n      ["terraform", "init"],\n      ["terraform", "plan", { enable_sharing = true }],\n    ]\n  }\n}\n',
    });
    expect(findings).toEqual([]);
  });

  it('reports package.json scripts and GitLab CI', async () => {
    const findings = await run({
      'package.json': JSON.stringify({ scripts: { init: 'terramate run --enable-sharing -- terraform init', plan: 'terramate run --enable-sharing -- terraform plan' } }, null, 2),
      '.gitlab-ci.yml': 'init:\n  script:\n    - terramate run --mock-on-fail -- terraform init\n',
    });
    expect(where(findings)).toEqual(['.gitlab-ci.yml:3', 'package.json:3']);
  });
});

describe('no-sharing-on-init in Terramate script shapes seen in public repositories', () => {
  it('reads `script "init"` beside `script "init" "upgrade"` in one file', async () => {
    const findings = await run({
      'scripts.tm.hcl': [
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
        '',
      ].join('\n'),
    });
    expect(where(findings)).toEqual(['scripts.tm.hcl:3', 'scripts.tm.hcl:8']);
    expect(findings.map((finding) => finding.message.slice(0, 42))).toEqual([
      'terraform init (script "init") is launched',
      'terraform init (script "init upgrade") is ',
    ]);
  });

  it('looks into sh -c on a script command', async () => {
    const findings = await run({
      'scripts.tm.hcl': 'script "deploy" {\n  job {\n    commands = [\n      ["bash", "-c", "[ -d .terraform ] || tofu init", {\n        mock_on_fail = true\n      }],\n    ]\n  }\n}\n',
    });
    expect(where(findings)).toEqual(['scripts.tm.hcl:4']);
    expect(findings[0].message).toMatch(/^tofu init \(script "deploy"\) is launched with --mock-on-fail via mock_on_fail = true/);
  });
});

describe('no-sharing-on-init in a composite GitHub Action', () => {
  it('reads the run steps of action.yml, not the inputs nobody can know', async () => {
    const action = [
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
      '',
    ].join('\n');
    const findings = await run({ '.github/actions/terramate/action.yml': action });
    expect(where(findings)).toEqual(['.github/actions/terramate/action.yml:11']);
    expect(findings[0].message).toMatch(/^terraform init \(runs\.steps\[1\]\) is launched with --enable-sharing/);
  });
});
