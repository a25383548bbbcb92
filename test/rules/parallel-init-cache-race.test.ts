import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parallelInitCacheRace } from '../../src/rules/parallel-init-cache-race.js';
import { FIXTURES, type FileTree } from '../support/project.js';
import { runRuleTests } from '../support/rule-tester.js';

const LOCK_WITH_H1 = 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.82.2"\n  hashes = [\n    "h1:ce6Dw2y4PpuqAPtnQ0dO270dRTmwEARqnfffrE1VYJ8=",\n  ]\n}\n';
const LOCK_ZH_ONLY = 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.82.2"\n  hashes = [\n    "zh:0262fc96012fb7e173e1b7beadd46dfc25b1dc7eaef95b90e936fc454724f1c8",\n  ]\n}\n';

const rootConfig = (cache: string) =>
  `terramate {\n  required_version = ">= 0.9"\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "${cache}"\n      }\n    }\n  }\n}\n`;
const NO_CACHE_CONFIG = 'terramate {\n  required_version = ">= 0.9"\n}\n';
// The shared cache: an existing directory in the case's home.
const CACHE_HOME: FileTree = { 'plugin-cache/.keep': '' };

/** Two stacks share the cache; stacks/b has no lock file; init runs 8 at a time (Makefile:3). */
function project(extra: FileTree = {}): FileTree {
  return {
    'terramate.tm.hcl': rootConfig('<HOME>/plugin-cache'),
    'stacks/a/stack.tm.hcl': 'stack {}\n',
    'stacks/a/main.tf': 'terraform {}\n',
    'stacks/a/.terraform.lock.hcl': LOCK_WITH_H1,
    'stacks/b/stack.tm.hcl': 'stack {}\n',
    'stacks/b/main.tf': 'terraform {}\n',
    Makefile: 'P ?= 1\ninit:\n\tterramate run --parallel 8 -- terraform init\ninit-one:\n\tterramate run -- terraform init\n',
    ...extra,
  };
}

const DEPLOY_SCRIPT = 'script "deploy" {\n  job {\n    commands = [\n      ["terraform", "init"],\n      ["terraform", "apply", "-auto-approve"],\n    ]\n  }\n}\n';
const initScript = (tool: string) => `script "init" {\n  job {\n    commands = [["${tool}", "init"]]\n  }\n}\n`;
/** stacks/ has Terraform init scripts, other/ (two more stacks) has OpenTofu ones. */
const twoScopes = (makefile: string): FileTree =>
  project({
    'stacks/a/scripts.tm.hcl': initScript('terraform'),
    'other/c/stack.tm.hcl': 'stack {}\n',
    'other/c/main.tf': 'terraform {}\n',
    'other/d/stack.tm.hcl': 'stack {}\n',
    'other/d/main.tf': 'terraform {}\n',
    'other/scripts.tm.hcl': initScript('tofu'),
    Makefile: makefile,
  });

// A deployment workflow shaped like Terramate's quickstarts (realistic file): the init step is
// at line 17.
const workflow = (initParallel: number) => `name: Terramate Deployment
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        env: [stg, prd]
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: Run Terraform init in all changed stacks
        run: |
          terramate script run \\
            -C stacks/\${{ matrix.env }} \\
            --parallel ${initParallel} \\
            --changed \\
            init
        env:
          GITHUB_TOKEN: \${{ github.token }}
      - name: Run Terraform apply in all changed stacks
        run: |
          terramate script run \\
            -C stacks/\${{ matrix.env }} \\
            --parallel 5 \\
            --changed \\
            deploy
`;
const WORKFLOW_SCRIPTS =
  'script "init" {\n  job {\n    commands = [\n      ["terraform", "init", "-lock-timeout=5m"],\n    ]\n  }\n}\n\nscript "deploy" {\n  job {\n    commands = [\n      ["terraform", "plan", "-out", "out.tfplan"],\n      ["terraform", "apply", "-auto-approve", "out.tfplan"],\n    ]\n  }\n}\n';
const quickstart = (initParallel: number) => project({ Makefile: '', 'stacks/workflows.tm.hcl': WORKFLOW_SCRIPTS, '.github/workflows/deploy.yml': workflow(initParallel) });

/**
 * The seed author's project (fixtures/seed-blog) with the cache in its root config.run.env:
 * `make init dev P` gives `terramate run` a bare --parallel (5 at a time) at Makefile:17.
 */
const SEED_STACKS = ['stacks/dev/network', 'stacks/dev/blog', 'stacks/prd/network', 'stacks/prd/blog'];
const seed = (path: string) => readFileSync(join(FIXTURES, 'seed-blog', path), 'utf8');
const seedProject = (withoutLock: string[] = []): FileTree => ({
  'terramate.tm.hcl': seed('terramate.tm.hcl').replace('  config {\n', '  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "<HOME>/plugin-cache"\n      }\n    }\n'),
  'sharing.tm.hcl': seed('sharing.tm.hcl'),
  Makefile: seed('Makefile'),
  ...Object.fromEntries(
    SEED_STACKS.flatMap((stack) => [
      [`${stack}/stack.tm.hcl`, seed(`${stack}/stack.tm.hcl`)],
      [`${stack}/main.tf`, seed(`${stack}/main.tf`)],
      ...(withoutLock.includes(stack) ? [] : [[`${stack}/.terraform.lock.hcl`, seed(`${stack}/.terraform.lock.hcl`)]]),
    ]),
  ),
});

runRuleTests(parallelInitCacheRace, {
  valid: [
    { name: 'every stack has a lock file with h1: hashes', files: project({ 'stacks/b/.terraform.lock.hcl': LOCK_WITH_H1 }), home: CACHE_HOME },
    { name: 'serial init (-j 1)', files: project({ Makefile: 'init:\n\tterramate run -j 1 -- terraform init\n' }), home: CACHE_HOME },
    { name: 'no shared plugin cache', files: project({ 'terramate.tm.hcl': NO_CACHE_CONFIG }) },
    { name: 'OpenTofu, whose version cannot be known statically', files: project({ Makefile: 'init:\n\tterramate run -j 4 -- tofu init\n' }), home: CACHE_HOME },
    {
      name: '-C leads the run to scripts that run tofu: no Terraform race',
      files: twoScopes('all:\n\tterramate script run -C other --parallel 5 init\n'),
      home: CACHE_HOME,
    },
    {
      name: 'a serial init earlier in the file warms the cache up first',
      files: project({ Makefile: 'init:\n\tterramate run -- terraform init\n\tterramate run --parallel 8 -- terraform init -upgrade\n' }),
      home: CACHE_HOME,
    },
    { name: 'the seed project: every stack has a complete lock file (realistic files)', files: seedProject(), home: CACHE_HOME },
    { name: 'the quickstart workflow: init with --parallel 1, only deploy in parallel (realistic file)', files: quickstart(1), home: CACHE_HOME },
  ],
  invalid: [
    {
      name: 'a parallel init while two stacks share the cache and one has no lock file',
      files: project(),
      home: CACHE_HOME,
      errors: [{ messageId: 'race', file: 'Makefile', line: 3, data: { label: 'target init', parallel: 8, shared: 2, exposed: 1, stacks: 'stacks/b' } }],
    },
    {
      name: 'a lock entry with only zh: hashes counts as exposed',
      files: project({ 'stacks/b/.terraform.lock.hcl': LOCK_ZH_ONLY }),
      home: CACHE_HOME,
      errors: [{ messageId: 'race', file: 'Makefile', line: 3, data: { shared: 2, exposed: 1, stacks: 'stacks/b' } }],
    },
    {
      name: 'a parallel `terramate script run` reaches a script whose job runs init',
      files: project({ Makefile: 'deploy:\n\tterramate script run --parallel 4 deploy\n', 'scripts.tm.hcl': DEPLOY_SCRIPT }),
      home: CACHE_HOME,
      errors: [{ messageId: 'race', file: 'Makefile', line: 2, data: { label: 'target deploy', parallel: 4 } }],
    },
    {
      name: '-C leads the run to scripts that run terraform',
      files: twoScopes('all:\n\tterramate script run -C stacks --parallel 5 init\n'),
      home: CACHE_HOME,
      errors: [{ messageId: 'race', file: 'Makefile', line: 2, data: { label: 'target all', parallel: 5, shared: 2, exposed: 1, stacks: 'stacks/b' } }],
    },
    {
      name: 'the quickstart workflow with init 5 at a time: at the init step (realistic file)',
      files: quickstart(5),
      home: CACHE_HOME,
      errors: [
        {
          messageId: 'race',
          file: '.github/workflows/deploy.yml',
          line: 17,
          data: { label: 'jobs.deploy.steps[1]', parallel: 5, stacks: 'stacks/b' },
          related: [
            { messageId: 'script-init', file: 'stacks/workflows.tm.hcl', line: 4 },
            { messageId: 'cache-on', file: 'terramate.tm.hcl', line: 6 },
          ],
        },
      ],
    },
    {
      name: 'the seed project with one lock file not committed: the bare --parallel of its Makefile (realistic files)',
      files: seedProject(['stacks/dev/network']),
      home: CACHE_HOME,
      errors: [{ messageId: 'race', file: 'Makefile', line: 17, data: { label: 'target init', parallel: 5, shared: 4, exposed: 1, stacks: 'stacks/dev/network' } }],
    },
  ],
});
