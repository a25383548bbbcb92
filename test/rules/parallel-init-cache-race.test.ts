import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parallelInitCacheRace } from '../../src/rules/parallel-init-cache-race.js';
import { FIXTURES, type FileTree } from '../support/project.js';
import { runRuleTests } from '../support/rule-tester.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const LOCK_WITH_H1 = 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.82.2"\n  hashes = [\n    "h1:ce6Dw2y4PpuqAPtnQ0dO270dRTmwEARqnfffrE1VYJ8=",\n  ]\n}\n';
const LOCK_ZH_ONLY = 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.82.2"\n  hashes = [\n    "zh:0262fc96012fb7e173e1b7beadd46dfc25b1dc7eaef95b90e936fc454724f1c8",\n  ]\n}\n';

const rootConfig = (cache: string) =>
  `terramate {\n  required_version = ">= 0.9"\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "${cache}"\n      }\n    }\n  }\n}\n`;
const NO_CACHE_CONFIG = 'terramate {\n  required_version = ">= 0.9"\n}\n';
// The shared cache: an existing directory in the case's home.
const CACHE_HOME: FileTree = { 'plugin-cache/.keep': '' };

/** Two stacks share the cache; stacks/b has no lock file (unless given); init runs 8 at a time (Makefile:3). */
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

const complete: FileTree = { 'stacks/b/.terraform.lock.hcl': LOCK_WITH_H1 };
const PARALLEL_8 = 'P ?= 1\ninit:\n\tterramate run --parallel 8 -- terraform init\ninit-one:\n\tterramate run -- terraform init\n';
/** PARALLEL_8 after the fix: stacks/a (locked to aws 5.82.2) and stacks/b (nothing known) are two requirements. */
const PARALLEL_8_WARMED = PARALLEL_8.replace(
  'init:\n',
  'init:\n\tterramate run -C stacks/a --no-recursive -- terraform init -backend=false\n\tterramate run -C stacks/b --no-recursive -- terraform init -backend=false\n',
);
const tofuProject = (extra: FileTree = {}): FileTree => project({ ...complete, Makefile: 'init:\n\tterramate run -j 4 -- tofu init\n', ...extra });
const stackTf = (constraint: string) => `terraform {\n  required_version = "${constraint}"\n}\n`;
const CI = (steps: string) => `on: push\njobs:\n  init:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n${steps}`;

const authorFixed = (path: string) => readFileSync(join(FIXTURES, 'seed-author-fixed', path), 'utf8');
/** fixtures/seed-author-fixed with the cache in ~/.terraformrc, as the incident's author fixed it. */
const AUTHOR_FIXED: FileTree = Object.fromEntries(
  ['Makefile', 'terramate.tm.hcl', 'sharing.tm.hcl', ...SEED_STACKS.flatMap((stack) => ['stack.tm.hcl', 'main.tf', '.terraform.lock.hcl'].map((file) => `${stack}/${file}`))].map((path) => [path, authorFixed(path)]),
);
const AUTHOR_HOME: FileTree = { '.terraformrc': 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n', '.terraform.d/plugin-cache/.keep': '' };

function without(tree: FileTree, path: string): FileTree {
  return Object.fromEntries(Object.entries(tree).filter(([name]) => name !== path));
}

runRuleTests(parallelInitCacheRace, {
  valid: [
    { name: 'serial init (-j 1)', files: project({ ...complete, Makefile: 'init:\n\tterramate run -j 1 -- terraform init\n' }), home: CACHE_HOME },
    { name: 'no shared plugin cache', files: project({ 'terramate.tm.hcl': NO_CACHE_CONFIG }) },
    {
      name: 'a cache for one stack only is not shared',
      files: { ...project(complete), 'stacks/b/stack.tm.hcl': 'stack {}\n', 'stacks/a/cache.tm.hcl': 'terramate {\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "/var/cache/a"\n      }\n    }\n  }\n}\n', 'terramate.tm.hcl': NO_CACHE_CONFIG },
    },
    { name: 'OpenTofu 1.10.0 from .opentofu-version locks its cache', files: tofuProject({ '.opentofu-version': '1.10.0\n' }), home: CACHE_HOME },
    {
      name: 'OpenTofu with required_version ">= 1.10.0" in every stack',
      files: tofuProject({ 'stacks/a/main.tf': stackTf('>= 1.10.0'), 'stacks/b/main.tf': stackTf('~> 1.10') }),
      home: CACHE_HOME,
    },
    { name: 'OpenTofu 1.10.2 from mise.toml', files: tofuProject({ 'mise.toml': '[tools]\nopentofu = "1.10.2"\n' }), home: CACHE_HOME },
    {
      name: '-C leads the run to scripts that run tofu >= 1.10: no race',
      files: { ...twoScopes('all:\n\tterramate script run -C other --parallel 5 init\n'), '.opentofu-version': '1.10.0\n' },
      home: CACHE_HOME,
    },
    {
      name: 'a serial init earlier in the same recipe warms the cache up first (complete lock files)',
      files: project({ ...complete, Makefile: 'init:\n\tterramate run -- terraform init\n\tterramate run --parallel 8 -- terraform init -upgrade\n' }),
      home: CACHE_HOME,
    },
    {
      name: 'a warm-up of each requirement, and the lock-file variable for the stack without a lock file (measured: 0 of 50)',
      files: project({
        'terramate.tm.hcl': rootConfig('<HOME>/plugin-cache').replace('TF_PLUGIN_CACHE_DIR', 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n        TF_PLUGIN_CACHE_DIR'),
        Makefile: lines('init:', '\tterramate run -C stacks/a --no-recursive -- terraform init -backend=false', '\tterramate run -C stacks/b --no-recursive -- terraform init -backend=false', '\tterramate run --parallel 8 -- terraform init'),
      }),
      home: CACHE_HOME,
    },
    {
      name: 'a serial warm-up with the same tag filter as the parallel init (the incident\'s Makefile, realistic files)',
      files: { ...AUTHOR_FIXED, Makefile: authorFixed('Makefile').replace('init:\n', 'init:\n\tterramate run --tags=$(TAGS) --parallel=1 -- terraform init $(INIT_OPTS)\n') },
      home: AUTHOR_HOME,
    },
    {
      name: 'a serial init step earlier in the same job (GitHub workflow)',
      files: project({ ...complete, Makefile: '', '.github/workflows/ci.yml': CI('      - run: terramate run -- terraform init\n      - run: terramate run --parallel 8 -- terraform init\n') }),
      home: CACHE_HOME,
    },
    { name: 'the quickstart workflow: init with --parallel 1, only deploy in parallel (realistic file)', files: quickstart(1), home: CACHE_HOME },
    { name: 'the seed project with its warm-up (fixtures/clean, realistic files)', files: { ...AUTHOR_FIXED, Makefile: readFileSync(join(FIXTURES, 'clean/Makefile'), 'utf8') }, home: AUTHOR_HOME },
  ],
  invalid: [
    {
      name: 'the incident after its author\'s fixes: parallel when the goal P is given, Terraform, complete lock files: a warning (realistic files)',
      files: AUTHOR_FIXED,
      home: AUTHOR_HOME,
      errors: [
        {
          messageId: 'goal',
          file: 'Makefile',
          line: 18,
          severity: 'warning',
          data: { goal: 'P', command: 'make init P', label: 'target init' },
          related: [{ messageId: 'cache-on', file: '~/.terraformrc', line: 1 }],
        },
      ],
      output: { Makefile: readFileSync(join(FIXTURES, 'clean/Makefile'), 'utf8').replace('# init gets the options without output sharing, and one serial init fills the plugin cache\n# before the parallel one (tm-doctor --fix wrote that line).\n', '# init gets the options without output sharing.\n') },
    },
    {
      name: 'the same with a stack without a lock file and one with a zh:-only entry, the lock-file variable set: the help says the variable alone is no cure for a cold run',
      files: { ...without(AUTHOR_FIXED, 'stacks/dev/network/.terraform.lock.hcl'), 'stacks/prd/blog/.terraform.lock.hcl': LOCK_ZH_ONLY },
      home: AUTHOR_HOME,
      errors: [{ messageId: 'goal', file: 'Makefile', line: 18, severity: 'warning', data: { goal: 'P', count: 2 }, help: ['symptoms', 'variable-no-cure', 'cold-cache', 'terraform-never-locks', 'options'] }],
    },
    {
      name: 'the same without the variable: an error naming the stacks that re-extract on every init',
      files: {
        ...without(AUTHOR_FIXED, 'stacks/dev/network/.terraform.lock.hcl'),
        'stacks/prd/blog/.terraform.lock.hcl': LOCK_ZH_ONLY,
        'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n',
      },
      home: AUTHOR_HOME,
      errors: [{ messageId: 'goal', file: 'Makefile', line: 18, severity: 'error', data: { goal: 'P', count: 2, shared: 4, stacks: 'stacks/dev/network and stacks/prd/blog' } }],
    },
    {
      name: 'a literal --parallel 8 while two stacks share the cache and one has no lock file: an error, fixed by a warm-up per requirement and the lock-file variable',
      files: project({ Makefile: PARALLEL_8 }),
      home: CACHE_HOME,
      errors: [
        {
          messageId: 'always',
          file: 'Makefile',
          line: 3,
          severity: 'error',
          data: { label: 'target init', parallel: 8, count: 1, shared: 2, stacks: 'stacks/b' },
          help: ['symptoms', 'exposed', 'cold-cache', 'terraform-never-locks', 'options'],
        },
      ],
      output: {
        Makefile: PARALLEL_8_WARMED,
        'terramate.tm.hcl': rootConfig('<HOME>/plugin-cache').replace('<HOME>/plugin-cache"\n', '<HOME>/plugin-cache"\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n'),
      },
    },
    {
      name: 'two parallel inits, one that no fix can reach (a cd first): the warm-up is added to the other, but not the lock-file variable, which would reach both',
      files: project({ Makefile: PARALLEL_8, 'init.sh': lines('cd . && terramate run -j 4 -- terraform init') }),
      home: CACHE_HOME,
      errors: [
        { messageId: 'always', file: 'Makefile', line: 3, severity: 'error' },
        { messageId: 'always', file: 'init.sh', line: 1, severity: 'error' },
      ],
      output: {
        Makefile: PARALLEL_8_WARMED,
        'terramate.tm.hcl': rootConfig('<HOME>/plugin-cache'),
      },
      remaining: [
        { messageId: 'always', file: 'Makefile', line: 5, help: ['symptoms', 'warm-up-bypassed', 'terraform-never-locks', 'options'] },
        { messageId: 'always', file: 'init.sh', line: 1 },
      ],
    },
    {
      name: 'a serial warm-up over every stack with a stack without a lock file: still an error, the variable completes it (measured: 28 of 100 lock files wrong)',
      files: project({ Makefile: 'init:\n\tterramate run -- terraform init\n\tterramate run --parallel 8 -- terraform init\n' }),
      home: CACHE_HOME,
      errors: [
        {
          messageId: 'always',
          file: 'Makefile',
          line: 3,
          severity: 'error',
          data: { count: 1, stacks: 'stacks/b' },
          help: ['symptoms', 'warm-up-bypassed', 'terraform-never-locks', 'options'],
          related: [{ messageId: 'warm-up-here', file: 'Makefile', line: 2 }, { messageId: 'cache-on', file: 'terramate.tm.hcl', line: 6 }],
        },
      ],
      output: {
        Makefile: 'init:\n\tterramate run -- terraform init\n\tterramate run --parallel 8 -- terraform init\n',
        'terramate.tm.hcl': rootConfig('<HOME>/plugin-cache').replace('<HOME>/plugin-cache"\n', '<HOME>/plugin-cache"\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n'),
      },
    },
    {
      name: 'a warm-up of one stack while another needs a different provider: the missing warm-up is added',
      files: project({
        ...complete,
        'stacks/c/stack.tm.hcl': 'stack {}\n',
        'stacks/c/main.tf': 'terraform {\n  required_providers {\n    google = {\n      source  = "hashicorp/google"\n      version = "6.1.0"\n    }\n  }\n}\n',
        'stacks/c/.terraform.lock.hcl': 'provider "registry.terraform.io/hashicorp/google" {\n  version = "6.1.0"\n  hashes = [\n    "h1:PpuqAPtnQ0dO270dRTmwEARqnfffrE1VYJ8ce6Dw2y4=",\n  ]\n}\n',
        Makefile: lines('init:', '\tterramate run -C stacks/a --no-recursive -- terraform init -backend=false', '\tterramate run --parallel 8 -- terraform init'),
      }),
      home: CACHE_HOME,
      errors: [
        {
          messageId: 'always',
          file: 'Makefile',
          line: 3,
          severity: 'warning',
          data: { warmed: 1, total: 2, stacks: 'stacks/c' },
          help: ['symptoms', 'warm-up-misses', 'terraform-never-locks', 'options'],
        },
      ],
      output: {
        Makefile: lines(
          'init:',
          '\tterramate run -C stacks/a --no-recursive -- terraform init -backend=false',
          '\tterramate run -C stacks/c --no-recursive -- terraform init -backend=false',
          '\tterramate run --parallel 8 -- terraform init',
        ),
      },
    },
    {
      name: 'the lock-file variable without a warm-up: the help says it is no cure (measured: 5 to 64 of 100 lock files wrong)',
      files: project({ 'terramate.tm.hcl': rootConfig('<HOME>/plugin-cache').replace('TF_PLUGIN_CACHE_DIR', 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "1"\n        TF_PLUGIN_CACHE_DIR'), Makefile: PARALLEL_8 }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: 'Makefile', line: 3, severity: 'warning', data: { count: 1 }, help: ['symptoms', 'variable-no-cure', 'cold-cache', 'terraform-never-locks', 'options'] }],
    },
    {
      name: 'complete lock files: still a warning (a cold cache races)',
      files: project({ ...complete, Makefile: PARALLEL_8 }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: 'Makefile', line: 3, severity: 'warning', help: ['symptoms', 'cold-cache', 'terraform-never-locks', 'options'] }],
    },
    {
      name: 'a lock entry with only zh: hashes counts as exposed',
      files: project({ 'stacks/b/.terraform.lock.hcl': LOCK_ZH_ONLY }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: 'Makefile', line: 3, severity: 'error', data: { count: 1, stacks: 'stacks/b' } }],
    },
    { name: 'OpenTofu 1.9.1 from .opentofu-version', files: tofuProject({ '.opentofu-version': '1.9.1\n' }), home: CACHE_HOME, errors: [{ messageId: 'always', file: 'Makefile', line: 2, data: { tool: 'tofu', version: '1.9.1', evidence: '.opentofu-version' }, help: ['symptoms', 'cold-cache', 'tofu-too-old', 'options'] }] },
    { name: 'OpenTofu of unknown version', files: tofuProject(), home: CACHE_HOME, errors: [{ messageId: 'always', file: 'Makefile', line: 2, data: { tool: 'tofu' }, help: ['symptoms', 'cold-cache', 'tofu-unknown', 'options'] }] },
    {
      name: 'OpenTofu with required_version ">= 1.10.0" in one stack only',
      files: tofuProject({ 'stacks/a/main.tf': stackTf('>= 1.10.0') }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: 'Makefile', line: 2, data: { tool: 'tofu' } }],
    },
    {
      name: 'a GitHub workflow without a serial init in the job: a warm-up step is inserted',
      files: project({ ...complete, Makefile: '', '.github/workflows/ci.yml': CI('      - run: terramate run --parallel 8 -- terraform init\n') }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: '.github/workflows/ci.yml', line: 7, data: { label: 'jobs.init.steps[1]', parallel: 8 } }],
      output: {
        '.github/workflows/ci.yml': CI('      - name: Warm up the plugin cache (serial init)\n        run: terramate run -C stacks/a --no-recursive -- terraform init -backend=false\n      - run: terramate run --parallel 8 -- terraform init\n'),
      },
    },
    {
      name: 'a Taskfile task: the warm-up is a cmds item before the launch, and counts (a second --fix adds nothing)',
      files: project({ ...complete, Makefile: '', 'Taskfile.yml': lines("version: '3'", 'tasks:', '  init:', '    cmds:', '      - terramate run --parallel 5 -- terraform init') }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: 'Taskfile.yml', line: 5, data: { label: 'tasks.init.cmds[0]', parallel: 5 } }],
      output: {
        'Taskfile.yml': lines("version: '3'", 'tasks:', '  init:', '    cmds:', '      - terramate run -C stacks/a --no-recursive -- terraform init -backend=false', '      - terramate run --parallel 5 -- terraform init'),
      },
    },
    {
      name: 'a serial init in a GitLab after_script, written above the script, runs after it: no warm-up',
      files: project({
        ...complete,
        Makefile: '',
        '.gitlab-ci.yml': lines('init:', '  after_script:', '    - terramate run -- terraform init', '  script:', '    - terramate run -j 4 -- terraform init'),
      }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: '.gitlab-ci.yml', line: 5, data: { label: 'init.script', parallel: 4 } }],
    },
    {
      name: 'a serial warm-up of fewer stacks than the parallel init reaches (a tag filter, --changed, an unknown -C) does not count',
      files: project({
        ...complete,
        Makefile: lines(
          'init-tagged:',
          '\tterramate run --tags=dev --parallel=1 -- terraform init',
          '\tterramate run --parallel 5 -- terraform init',
          'init-changed:',
          '\tterramate run --changed -- terraform init',
          '\tterramate run --parallel 5 -- terraform init',
          'init-somewhere:',
          '\tterramate run -C $(WARM) --no-recursive -- terraform init',
          '\tterramate run --parallel 5 -- terraform init',
        ),
      }),
      home: CACHE_HOME,
      errors: [3, 6, 9].map((line) => ({ messageId: 'always' as const, file: 'Makefile', line, help: ['symptoms', 'warm-up-misses', 'terraform-never-locks', 'options'] })),
    },
    {
      name: 'a serial init in another job does not warm this one up',
      files: project({
        ...complete,
        Makefile: '',
        '.github/workflows/ci.yml': `${CI('      - run: terramate run -- terraform init\n')}  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terramate run -j 3 -- terraform init\n`,
      }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: '.github/workflows/ci.yml', line: 11, data: { label: 'jobs.plan.steps[0]', parallel: 3 } }],
    },
    {
      name: 'parallelism from a CI input',
      files: project({ ...complete, Makefile: '', '.github/workflows/ci.yml': CI('      - run: terramate run --parallel ${{ inputs.parallel }} -- terraform init\n') }),
      home: CACHE_HOME,
      errors: [{ messageId: 'expression', file: '.github/workflows/ci.yml', line: 7, data: { expression: '${{ inputs.parallel }}' } }],
    },
    {
      name: 'a load-test workflow whose parallelism is a workflow_dispatch input, as a public repository runs it (-X, -j, no --)',
      files: project({
        ...complete,
        Makefile: '',
        '.github/workflows/exec-terraform.yml': lines(
          'name: Execute Terraform',
          'on:',
          '  workflow_dispatch:',
          '    inputs:',
          '      TMPARALLELISM:',
          '        description: Parallel executions',
          '        required: true',
          '        default: "4"',
          'jobs:',
          '  execute:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: hashicorp/setup-terraform@v3',
          '      - name: Terraform init, apply, destroy',
          '        run: |',
          '          terramate run -X -j ${{ github.event.inputs.TMPARALLELISM }} terraform init',
          '          terramate run -X -j ${{ github.event.inputs.TMPARALLELISM }} terraform apply -auto-approve',
          '          terramate run -X -j ${{ github.event.inputs.TMPARALLELISM }} terraform destroy -auto-approve',
        ),
      }),
      home: CACHE_HOME,
      errors: [
        {
          messageId: 'expression',
          file: '.github/workflows/exec-terraform.yml',
          line: 17,
          severity: 'warning',
          data: { expression: '${{ github.event.inputs.TMPARALLELISM }}', label: 'jobs.execute.steps[2]' },
        },
      ],
    },
    {
      name: 'parallel by default through a ?= variable',
      files: project({ ...complete, Makefile: 'TM_PARALLEL ?= 8\ninit:\n\tterramate run -j $(TM_PARALLEL) -- terraform init\n' }),
      home: CACHE_HOME,
      errors: [{ messageId: 'by-default', file: 'Makefile', line: 3, data: { variable: 'TM_PARALLEL', parallel: 8 }, related: [{ messageId: 'parallel-from', file: 'Makefile', line: 1 }, { messageId: 'cache-on', file: 'terramate.tm.hcl', line: 6 }] }],
    },
    {
      name: 'parallel when a variable nobody defines is set on the command line',
      files: project({ ...complete, Makefile: 'init:\n\tterramate run -j $(PNUM) -- terraform init\n' }),
      home: CACHE_HOME,
      errors: [{ messageId: 'variable', file: 'Makefile', line: 2, data: { variable: 'PNUM', command: 'make init PNUM=4' } }],
    },
    {
      name: 'a parallel `terramate script run` reaches a script whose job runs init',
      files: project({ Makefile: 'deploy:\n\tterramate script run --parallel 4 deploy\n', 'scripts.tm.hcl': DEPLOY_SCRIPT }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: 'Makefile', line: 2, data: { label: 'target deploy', parallel: 4 }, related: [{ messageId: 'script-init', file: 'scripts.tm.hcl', line: 4 }, { messageId: 'cache-on', file: 'terramate.tm.hcl', line: 6 }] }],
    },
    {
      name: 'a script whose commands name the tool through `lets` (as public repositories do)',
      files: project({
        ...complete,
        Makefile: 'deploy:\n\t@terramate script run --changed --parallel 5 deploy\n',
        'scripts.tm.hcl': 'script "deploy" {\n  lets {\n    provisioner = "terraform"\n  }\n  job {\n    commands = [\n      [let.provisioner, "init", "-lock-timeout=5m"],\n      [let.provisioner, "apply", "-auto-approve"],\n    ]\n  }\n}\n',
      }),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: 'Makefile', line: 2, data: { tool: 'terraform', parallel: 5 }, related: [{ messageId: 'script-init', file: 'scripts.tm.hcl', line: 7 }, { messageId: 'cache-on', file: 'terramate.tm.hcl', line: 6 }] }],
    },
    {
      name: '-C leads the run to scripts that run terraform',
      files: twoScopes('all:\n\tterramate script run -C stacks --parallel 5 init\n'),
      home: CACHE_HOME,
      errors: [{ messageId: 'always', file: 'Makefile', line: 2, data: { label: 'target all', parallel: 5, count: 1, shared: 2, stacks: 'stacks/b' } }],
    },
    {
      name: 'the quickstart workflow with init 5 at a time: at the init step (realistic file)',
      files: quickstart(5),
      home: CACHE_HOME,
      errors: [
        {
          messageId: 'always',
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
      name: 'the seed project with one lock file not committed: its Makefile parallel with the goal P (realistic files)',
      files: seedProject(['stacks/dev/network']),
      home: CACHE_HOME,
      errors: [{ messageId: 'goal', file: 'Makefile', line: 17, severity: 'error', data: { label: 'target init', goal: 'P', count: 1, shared: 4, stacks: 'stacks/dev/network' } }],
    },
  ],
});
