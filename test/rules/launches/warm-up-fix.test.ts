import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseDocument } from 'yaml';
import { Analysis, RunSession } from '../../../src/analysis/analysis.js';
import { launchesOfFileText, type InitLaunch } from '../../../src/analysis/launches.js';
import { ResultStore } from '../../../src/cache/results.js';
import type { Stack } from '../../../src/analysis/terramate.js';
import { applyEdits } from '../../../src/fix/plan.js';
import { reachedBy, requirementKey } from '../../../src/rules/launches/race.js';
import { launchSiteKind } from '../../../src/rules/launches/site-kind.js';
import { WARM_UP_INIT_FLAG, warmUpFix } from '../../../src/rules/launches/warm-up-fix.js';
import type { TextEdit } from '../../../src/types.js';
import { copyFixture, FIXTURES, tempDir, writeTree, type FileTree } from '../../support/project.js';

// ---- Helpers ----------------------------------------------------------------------------------

const AWS_TF = 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.80"\n    }\n  }\n}\n';
const GOOGLE_TF = 'terraform {\n  required_providers {\n    google = {\n      source  = "hashicorp/google"\n      version = "6.1.0"\n    }\n  }\n}\n';

/** Two stacks with the same provider requirement: one warm-up, in stacks/a. */
const ROOT: FileTree = {
  'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n',
  'stacks/a/stack.tm.hcl': 'stack {}\n',
  'stacks/a/main.tf': AWS_TF,
  'stacks/b/stack.tm.hcl': 'stack {}\n',
  'stacks/b/main.tf': AWS_TF,
};

const lines = (...text: string[]) => `${text.join('\n')}\n`;

async function analyse(dir: string): Promise<Analysis> {
  const session = new RunSession(
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('tm-doctor-home-') },
    { noExec: true, handshakeTimeoutMs: 10_000, noCache: true },
    ResultStore.disabled(),
    Analysis.rootFor(dir),
  );
  return Analysis.load({ dir, session });
}

/** Runs several stacks at a time, or may (a parallelism known only when it runs). */
function isParallel(launch: InitLaunch): boolean {
  return launch.recursive && !(typeof launch.parallel === 'number' && launch.parallel <= 1);
}

/** One stack per distinct provider requirement among the stacks the launch reaches, in path order. */
async function targetsOf(analysis: Analysis, launch: InitLaunch): Promise<Stack[]> {
  const byKey = new Map<string, Stack>();
  const reached = reachedBy(launch, await analysis.terraformStacks()).sort((a, b) => (a.dir < b.dir ? -1 : 1));
  for (const stack of reached) {
    const key = await requirementKey(analysis, stack);
    if (!byKey.has(key)) byKey.set(key, stack);
  }
  return [...byKey.values()];
}

interface Fixed {
  dir: string;
  file: string;
  before: string;
  after: string | null;
  edit: TextEdit | null;
  description: string | null;
}

/** Analyses `files`, fixes the parallel launch in `file` (the `which`-th), writes nothing. */
async function fixIn(files: FileTree, file: string, options: { which?: number; dir?: string } = {}): Promise<Fixed> {
  const dir = options.dir ?? tempDir();
  if (!options.dir) writeTree(dir, { ...ROOT, ...files });
  const path = join(dir, file);
  const analysis = await analyse(dir);
  const launches = await analysis.launches();
  const config = await analysis.terramate();
  const candidates = launches.filter((launch) => launch.file === path && isParallel(launch));
  const launch = candidates[options.which ?? 0];
  if (!launch) throw new Error(`no parallel launch in ${file}: ${JSON.stringify(launches.map((l) => [l.file, l.label, l.parallel]))}`);
  const before = readFileSync(path, 'utf8');
  const readText = (other: string) => analysis.text(other);
  const relaunch = (text: string) => launchesOfFileText(launch, text, { root: analysis.root, config, readText }, launchSiteKind(launch));
  const fix = warmUpFix(launch, before, { targets: await targetsOf(analysis, launch), relaunch });
  if (!fix) return { dir, file: path, before, after: null, edit: null, description: null };
  expect(fix.safe).toBe(true);
  expect(fix.changes).toHaveLength(1);
  const edit = fix.changes[0] as TextEdit;
  expect(edit).toMatchObject({ kind: 'text', file: path });
  expect(edit.start).toBe(edit.end);
  return { dir, file: path, before, after: applyEdits(before, [edit]), edit, description: fix.description };
}

/**
 * The fixed file, analysed again: before every parallel launch of the file, one-stack inits
 * (`--no-recursive`) of the same tool warm each distinct provider requirement it reaches, and
 * no launch carries two parallelism flags.
 */
async function expectWarmedUp(fixed: Fixed): Promise<void> {
  writeFileSync(fixed.file, fixed.after as string);
  const analysis = await analyse(fixed.dir);
  const inFile = (await analysis.launches()).filter((launch) => launch.file === fixed.file);
  const parallel = inFile.filter(isParallel);
  expect(parallel.length).toBeGreaterThan(0);
  for (const launch of parallel) {
    const warmUps = inFile.filter((other) => !other.recursive && other.tool === launch.tool && other.start < launch.start);
    expect(warmUps.length).toBeGreaterThan(0);
    const stacks = await analysis.terraformStacks();
    const keys = new Set(await Promise.all(warmUps.flatMap((warmUp) => reachedBy(warmUp, stacks)).map((stack) => requirementKey(analysis, stack))));
    const needed = new Set(await Promise.all(reachedBy(launch, stacks).map((stack) => requirementKey(analysis, stack))));
    expect([...needed].filter((key) => !keys.has(key))).toEqual([]);
  }
  for (const line of (fixed.after as string).split('\n')) expect(parallelismFlags(line)).toBeLessThanOrEqual(1);
}

/** How many parallelism flags a line carries (`--parallel`, `--parallel=N`, `-j N`, `-jN`). */
function parallelismFlags(line: string): number {
  return line.split(/\s+/).filter((word) => /^(--parallel(=.*)?|-j\d*)$/.test(word)).length;
}

/** `after` is `before` with `added` inserted as whole lines before line index `at`: every other line byte for byte. */
function expectAddedLines(before: string, after: string, at: number, added: string[]): void {
  const old = before.split('\n');
  expect(after.split('\n')).toEqual([...old.slice(0, at), ...added, ...old.slice(at)]);
}

const FAKE_TERRAMATE = { text: '#!/bin/sh\necho "terramate $*"\n', mode: 0o755 };

function make(dir: string, goals: string[], options: { run?: boolean } = {}): string {
  const bin = join(dir, '.bin');
  return execFileSync('make', [...(options.run ? [] : ['-n']), '--no-print-directory', ...goals], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
  });
}

const WARM_A = `terramate run -C stacks/a --no-recursive -- terraform init ${WARM_UP_INIT_FLAG}`;

// ---- Makefiles ------------------------------------------------------------------------------------

describe('Makefile recipes', () => {
  it('the seed Makefile as its author fixed it: make -n shows one warm-up init first, the parallel init and plan unchanged', async () => {
    const dir = copyFixture('seed-author-fixed');
    const before = {
      initP5: make(dir, ['init', 'dev', 'P', '5']),
      init: make(dir, ['init', 'dev']),
      planP5: make(dir, ['plan', 'dev', 'P', '5']),
    };
    const fixed = await fixIn({}, 'Makefile', { dir });
    // The four stacks all require hashicorp/aws 5.82.2 (their lock files): one warm-up.
    const warmUp = `terramate run -C stacks/dev/blog --no-recursive -- terraform init ${WARM_UP_INIT_FLAG} $(INIT_OPTS)`;
    expect(fixed.edit?.text).toBe(`\t${warmUp}\n`);
    const initLine = fixed.before.split('\n').indexOf('init:') + 1;
    expectAddedLines(fixed.before, fixed.after as string, initLine, [`\t${warmUp}`]);
    expect(fixed.after).toBe(readFileSync(join(FIXTURES, 'clean/Makefile'), 'utf8').replace('# init gets the options without output sharing, and one serial init fills the plugin cache\n# before the parallel one (tm-doctor --fix wrote that line).\n', '# init gets the options without output sharing.\n'));
    writeFileSync(fixed.file, fixed.after as string);

    // GNU make judges: the warm-up first, with no parallelism flag and whatever the goals;
    // then the parallel init exactly as before; plan untouched.
    const expectedWarmUp = 'terramate run -C stacks/dev/blog --no-recursive -- terraform init -backend=false ';
    for (const [goals, was] of [
      [['init', 'dev', 'P', '5'], before.initP5],
      [['init', 'dev'], before.init],
    ] as const) {
      const [first, ...rest] = make(dir, [...goals]).split('\n');
      expect(first).toBe(expectedWarmUp);
      expect(rest.join('\n')).toBe(was);
    }
    expect(make(dir, ['plan', 'dev', 'P', '5'])).toBe(before.planP5);
    await expectWarmedUp({ ...fixed, after: readFileSync(fixed.file, 'utf8') });
  });

  it('one warm-up per distinct provider requirement, none for a second stack of the same one', async () => {
    const files = {
      'stacks/c/stack.tm.hcl': 'stack {}\n',
      'stacks/c/main.tf': GOOGLE_TF,
      Makefile: lines('init:', '\tterramate run --parallel 4 -- terraform init'),
      '.bin/terramate': FAKE_TERRAMATE,
    };
    const fixed = await fixIn(files, 'Makefile');
    expect(fixed.after).toBe(
      lines(
        'init:',
        `\t${WARM_A}`,
        `\tterramate run -C stacks/c --no-recursive -- terraform init ${WARM_UP_INIT_FLAG}`,
        '\tterramate run --parallel 4 -- terraform init',
      ),
    );
    writeFileSync(fixed.file, fixed.after as string);
    // make echoes each line, then the fake terramate its argv: the two warm-ups first.
    const warmC = 'terramate run -C stacks/c --no-recursive -- terraform init -backend=false';
    expect(make(fixed.dir, ['init'], { run: true })).toBe(lines(WARM_A, WARM_A, warmC, warmC, 'terramate run --parallel 4 -- terraform init', 'terramate run --parallel 4 -- terraform init'));
    await expectWarmedUp(fixed);
  });

  it('a continued recipe line: the warm-up on one line, and make runs it first', async () => {
    const makefile = lines('TAGS ?= dev', 'init:', '\t@echo start', '\tterramate run \\', '\t  --tags=$(TAGS) -j 4 \\', '\t  -- terraform init -upgrade', '\t@echo done');
    const fixed = await fixIn({ Makefile: makefile, '.bin/terramate': FAKE_TERRAMATE }, 'Makefile');
    expect(fixed.after).toBe(
      lines('TAGS ?= dev', 'init:', '\t@echo start', `\t${WARM_A} -upgrade`, '\tterramate run \\', '\t  --tags=$(TAGS) -j 4 \\', '\t  -- terraform init -upgrade', '\t@echo done'),
    );
    const runBefore = make(fixed.dir, ['init'], { run: true });
    writeFileSync(fixed.file, fixed.after as string);
    const runAfter = make(fixed.dir, ['init'], { run: true });
    const [start, ...rest] = runBefore.split('\n');
    // make echoes the line as written, then the fake terramate its argv.
    expect(runAfter).toBe([start, `${WARM_A} -upgrade`, `${WARM_A} -upgrade`, ...rest].join('\n'));
    await expectWarmedUp(fixed);
  });

  it('keeps the recipe flags and the safeguard flags, leaves sharing, tags and parallelism out', async () => {
    const makefile = lines('init:', '\t@terramate run --enable-sharing --tags=dev --disable-safeguards=git --mock-on-fail --parallel 4 -- terraform init', 'plan:', '\t@terramate run --enable-sharing --parallel 4 -- terraform plan');
    const fixed = await fixIn({ Makefile: makefile, '.bin/terramate': FAKE_TERRAMATE }, 'Makefile');
    const warmUp = `terramate run --disable-safeguards=git -C stacks/a --no-recursive -- terraform init ${WARM_UP_INIT_FLAG}`;
    expect(fixed.after).toBe(lines('init:', `\t@${warmUp}`, makefile.split('\n')[1], ...makefile.split('\n').slice(2, 4)));
    writeFileSync(fixed.file, fixed.after as string);
    // @ keeps make quiet: only the fake terramate speaks, the warm-up first.
    expect(make(fixed.dir, ['init'], { run: true }).split('\n')[0]).toBe(warmUp);
    await expectWarmedUp(fixed);
  });

  it('init inside `sh -c` with more than init: the warm-up runs the init alone', async () => {
    const fixed = await fixIn({ Makefile: lines('init:', "\tterramate run -j 4 -- sh -c 'terraform init && terraform validate'") }, 'Makefile');
    expect(fixed.after).toBe(lines('init:', `\t${WARM_A}`, "\tterramate run -j 4 -- sh -c 'terraform init && terraform validate'"));
    await expectWarmedUp(fixed);
  });

  it('an included makefile: the stack path is read from where make runs, the entry makefile\'s directory', async () => {
    const fixed = await fixIn({ Makefile: lines('include mk/init.mk'), 'mk/init.mk': lines('init:', '\tterramate run -j 4 -- terraform init') }, 'mk/init.mk');
    expect(fixed.after).toBe(lines('init:', `\t${WARM_A}`, '\tterramate run -j 4 -- terraform init'));
  });

  it('gives no fix where it cannot be shown right', async () => {
    // A line that also plans.
    expect((await fixIn({ Makefile: lines('init:', '\tterramate run -j 4 -- terraform init && terramate run -j 4 -- terraform plan') }, 'Makefile')).edit).toBeNull();
    // `cd DIR &&` first: -C would be read from DIR.
    expect((await fixIn({ Makefile: lines('init:', '\tcd stacks && terramate run -j 3 -- terraform init') }, 'Makefile')).edit).toBeNull();
    // A kept flag that only a variable carries: the warm-up line would lose it.
    expect((await fixIn({ Makefile: lines('SAFE := --disable-safeguards=git', 'init:', '\tterramate run -j 4 $(SAFE) -- terraform init') }, 'Makefile')).edit).toBeNull();
    // A variable that ends the flags itself.
    expect((await fixIn({ Makefile: lines('FLAGS := --changed -- terraform init', 'init:', '\tterramate run -j 4 $(FLAGS) -- terraform init') }, 'Makefile')).edit).toBeNull();
    // .ONESHELL: the recipe is one script.
    expect((await fixIn({ Makefile: lines('.ONESHELL:', 'init:', '\t@terramate run -j 4 -- terraform init') }, 'Makefile')).edit).toBeNull();
    // A recipe on the rule line.
    expect((await fixIn({ Makefile: lines('init: ; terramate run -j 4 -- terraform init') }, 'Makefile')).edit).toBeNull();
    // A stack path a command line cannot name without quoting.
    const spaced = { 'stacks/a/stack.tm.hcl': '', 'stacks/a/main.tf': '', 'stacks/a b/stack.tm.hcl': 'stack {}\n', 'stacks/a b/main.tf': AWS_TF };
    expect((await fixIn({ ...spaced, Makefile: lines('init:', '\tterramate run -j 4 -- terraform init') }, 'Makefile')).edit).toBeNull();
  });
});

// ---- Shell scripts -------------------------------------------------------------------------------

describe('shell scripts', () => {
  it('adds the warm-up before the command, with its indentation and init arguments', async () => {
    const script = lines('#!/bin/sh', 'set -e', 'if [ -n "$CI" ]; then', '  terramate run --enable-sharing -j 8 -- terraform init -input=false', 'fi', 'terramate run -j 8 -- terraform plan');
    const fixed = await fixIn({ 'init.sh': script }, 'init.sh');
    expectAddedLines(fixed.before, fixed.after as string, 3, [`  ${WARM_A} -input=false`]);
    await expectWarmedUp(fixed);
  });

  it('a continued command: the warm-up on one line, environment prefixes kept', async () => {
    const script = lines('#!/bin/sh', 'TF_IN_AUTOMATION=1 terramate run \\', '  --parallel 4 \\', '  -- terraform init');
    const fixed = await fixIn({ 'init.sh': script }, 'init.sh');
    expectAddedLines(fixed.before, fixed.after as string, 1, [`TF_IN_AUTOMATION=1 ${WARM_A}`]);
    await expectWarmedUp(fixed);
  });

  it('parallelism from the environment: a one-stack run is serial anyway, no flag added', async () => {
    const fixed = await fixIn({ 'init.sh': lines('export TM_ARG_RUN_PARALLEL=6', 'terramate run -- terraform init') }, 'init.sh');
    expect(fixed.after).toBe(lines('export TM_ARG_RUN_PARALLEL=6', WARM_A, 'terramate run -- terraform init'));
    await expectWarmedUp(fixed);
  });

  it('-C before run: the warm-up names the stack from where the script starts', async () => {
    const fixed = await fixIn({ 'init.sh': lines('terramate -C stacks run -j4 terraform init') }, 'init.sh');
    expect(fixed.after).toBe(lines(WARM_A, 'terramate -C stacks run -j4 terraform init'));
    await expectWarmedUp(fixed);
  });

  it('terramate script run: the warm-up runs the tool itself in one stack', async () => {
    const deployScript = 'script "deploy" {\n  description = "deploy"\n  job {\n    commands = [["terraform", "init"], ["terraform", "apply"]]\n  }\n}\n';
    const fixed = await fixIn({ 'scripts.tm.hcl': deployScript, 'run.sh': lines('terramate script run -j 4 deploy') }, 'run.sh');
    expect(fixed.after).toBe(lines(WARM_A, 'terramate script run -j 4 deploy'));
  });

  it('gives no fix where it cannot be shown right', async () => {
    // Flags from an unknown expansion.
    expect((await fixIn({ 'init.sh': lines('terramate run -j 4 $TM_FLAGS -- terraform init') }, 'init.sh')).edit).toBeNull();
    // The line before continues into the command's line.
    expect((await fixIn({ 'init.sh': lines('echo go &&', '  terramate run -j 4 -- terraform init') }, 'init.sh')).edit).toBeNull();
    // Not at the start of its line.
    expect((await fixIn({ 'init.sh': lines('cd stacks && terramate run -j 4 -- terraform init') }, 'init.sh')).edit).toBeNull();
    // Inside `sh -c`.
    expect((await fixIn({ 'init.sh': lines("sh -c 'terramate run -j 4 -- terraform init'") }, 'init.sh')).edit).toBeNull();
    // A `cd` (or pushd, or a sourced file) before it: -C would be read from elsewhere.
    for (const move of ['cd infra', 'pushd infra', '. ./env.sh']) {
      expect((await fixIn({ 'init.sh': lines('set -e', move, 'terramate run -j 4 -- terraform init') }, 'init.sh')).edit).toBeNull();
    }
  });
});

// ---- GitHub ----------------------------------------------------------------------------------------

const WORKFLOW_BLOCK = lines(
  'name: ci',
  'on: push',
  'jobs:',
  '  init:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - name: Init',
  '        run: |',
  '          terramate run --parallel 4 \\',
  '            --enable-sharing \\',
  '            -- terraform init',
  '          terramate run --parallel 4 -- terraform plan',
);

const WORKFLOW_PLAIN = lines(
  'name: ci',
  'on: push',
  'jobs:',
  '  init:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      # every stack',
  '      - name: Init all stacks',
  '        id: init',
  "        if: github.event_name == 'push'",
  '        env:',
  '          TF_IN_AUTOMATION: "1"',
  '          TF_INPUT: "0"',
  '        run: terramate run --parallel ${{ inputs.parallel }} --enable-sharing -- terraform init -input=false',
  '      - run: terramate run --parallel 4 -- terraform plan',
);

function parsesClean(text: string): unknown {
  const doc = parseDocument(text);
  expect(doc.errors).toEqual([]);
  return doc.toJS();
}

describe('GitHub workflow and composite action steps', () => {
  it('run: | block: a line before the command, in the block', async () => {
    const fixed = await fixIn({ '.github/workflows/ci.yml': WORKFLOW_BLOCK }, '.github/workflows/ci.yml');
    expectAddedLines(fixed.before, fixed.after as string, 9, [`          ${WARM_A}`]);
    const data = parsesClean(fixed.after as string) as { jobs: { init: { steps: Array<{ run?: string }> } } };
    expect(data.jobs.init.steps[1].run).toBe(`${WARM_A}\nterramate run --parallel 4 \\\n  --enable-sharing \\\n  -- terraform init\nterramate run --parallel 4 -- terraform plan\n`);
    await expectWarmedUp(fixed);
  });

  it('one-line run: a whole step before the step, with its if and env', async () => {
    const fixed = await fixIn({ '.github/workflows/ci.yml': WORKFLOW_PLAIN }, '.github/workflows/ci.yml');
    expectAddedLines(fixed.before, fixed.after as string, 8, [
      '      - name: Warm up the plugin cache (serial init)',
      "        if: github.event_name == 'push'",
      '        env:',
      '          TF_IN_AUTOMATION: "1"',
      '          TF_INPUT: "0"',
      `        run: ${WARM_A} -input=false`,
    ]);
    const data = parsesClean(fixed.after as string) as { jobs: { init: { steps: unknown[] } } };
    expect(data.jobs.init.steps[1]).toEqual({
      name: 'Warm up the plugin cache (serial init)',
      if: "github.event_name == 'push'",
      env: { TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
      run: `${WARM_A} -input=false`,
    });
    await expectWarmedUp(fixed);
  });

  it('two requirements in a one-line step: one step running both warm-ups', async () => {
    const workflow = lines('on: push', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: terramate run -j 4 -- terraform init');
    const fixed = await fixIn({ 'stacks/c/stack.tm.hcl': 'stack {}\n', 'stacks/c/main.tf': GOOGLE_TF, '.github/workflows/a.yml': workflow }, '.github/workflows/a.yml');
    const data = parsesClean(fixed.after as string) as { jobs: { a: { steps: Array<{ run: string }> } } };
    expect(data.jobs.a.steps[0].run).toBe(`${WARM_A} && terramate run -C stacks/c --no-recursive -- terraform init ${WARM_UP_INIT_FLAG}`);
    await expectWarmedUp(fixed);
  });

  it('a quoted one-line run in a composite action keeps its quotes and shell', async () => {
    const action = lines('name: init', 'runs:', '  using: composite', '  steps:', '    - name: init', '      shell: bash', '      run: "terramate run -j 4 -- terraform init"');
    const fixed = await fixIn({ 'action.yml': action }, 'action.yml');
    expect(fixed.after).toBe(
      lines('name: init', 'runs:', '  using: composite', '  steps:', '    - name: Warm up the plugin cache (serial init)', '      shell: bash', `      run: "${WARM_A}"`, '    - name: init', '      shell: bash', '      run: "terramate run -j 4 -- terraform init"'),
    );
    parsesClean(fixed.after as string);
    await expectWarmedUp(fixed);
  });

  it('gives no fix where it cannot be shown right', async () => {
    const step = (run: string) => lines('on: push', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', `      - ${run}`);
    // A one-line run doing more than the command: a new step would lose the `cd`.
    expect((await fixIn({ '.github/workflows/a.yml': step('run: cd infra && terramate run -j 4 -- terraform init') }, '.github/workflows/a.yml')).edit).toBeNull();
    // A folded block joins lines.
    expect((await fixIn({ '.github/workflows/a.yml': step('run: >\n          terramate run -j 4 -- terraform init') }, '.github/workflows/a.yml')).edit).toBeNull();
    // Flags from an expression.
    expect((await fixIn({ '.github/workflows/a.yml': step('run: terramate run -j 4 ${{ inputs.flags }} -- terraform init') }, '.github/workflows/a.yml')).edit).toBeNull();
    // A working directory, on the step or as a default: -C would be read from there.
    const inInfra = lines('on: push', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - working-directory: infra', '        run: terramate run -j 4 -- terraform init');
    expect((await fixIn({ '.github/workflows/a.yml': inInfra }, '.github/workflows/a.yml')).edit).toBeNull();
    const defaults = lines('on: push', 'defaults:', '  run:', '    working-directory: infra', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: terramate run -j 4 -- terraform init');
    expect((await fixIn({ '.github/workflows/a.yml': defaults }, '.github/workflows/a.yml')).edit).toBeNull();
  });
});

// ---- GitLab CI ---------------------------------------------------------------------------------------

describe('GitLab CI script lists', () => {
  it('a new list item before the item', async () => {
    const gitlab = lines('stages: [init]', 'init:', '  stage: init', '  script:', "    - 'terramate run -j 4 --mock-on-fail -- terraform init'", '    - terramate run -j 4 -- terraform plan');
    const fixed = await fixIn({ '.gitlab-ci.yml': gitlab }, '.gitlab-ci.yml');
    expectAddedLines(fixed.before, fixed.after as string, 4, [`    - '${WARM_A}'`]);
    const data = parsesClean(fixed.after as string) as { init: { script: string[] } };
    expect(data.init.script).toEqual([WARM_A, 'terramate run -j 4 --mock-on-fail -- terraform init', 'terramate run -j 4 -- terraform plan']);
    await expectWarmedUp(fixed);
  });

  it('a `- |` item: a line in the block', async () => {
    const gitlab = lines('init:', '  script:', '    - |', '      set -e', '      terramate run -j 4 -- terraform init');
    const fixed = await fixIn({ '.gitlab-ci.yml': gitlab }, '.gitlab-ci.yml');
    expect(fixed.after).toBe(lines('init:', '  script:', '    - |', '      set -e', `      ${WARM_A}`, '      terramate run -j 4 -- terraform init'));
    parsesClean(fixed.after as string);
    await expectWarmedUp(fixed);
  });

  it('gives no fix after a `cd` in before_script (one shell with the script)', async () => {
    const gitlab = lines('init:', '  before_script:', '    - cd infra', '  script:', '    - terramate run -j 4 -- terraform init');
    expect((await fixIn({ '.gitlab-ci.yml': gitlab }, '.gitlab-ci.yml')).edit).toBeNull();
  });

  it('gives no fix for a script given as one string', async () => {
    expect((await fixIn({ '.gitlab-ci.yml': lines('init:', '  script: terramate run -j 4 -- terraform init') }, '.gitlab-ci.yml')).edit).toBeNull();
  });
});

// ---- package.json, Taskfile, justfile ----------------------------------------------------------------

describe('package.json, Taskfile, justfile', () => {
  it('package.json: the warm-up joined before the command with &&', async () => {
    const json = `{\n  "name": "infra",\n  "scripts": {\n    "init": "terramate run --parallel 4 -- terraform init",\n    "plan": "terramate run -- terraform plan"\n  }\n}\n`;
    const fixed = await fixIn({ 'package.json': json }, 'package.json');
    expect(fixed.after).toBe(json.replace('"terramate run --parallel 4', `"${WARM_A} && terramate run --parallel 4`));
    await expectWarmedUp(fixed);
  });

  it('package.json in a subdirectory: npm runs the script there, so the stack path starts there', async () => {
    const json = `{\n  "scripts": {\n    "init": "terramate run -C .. --parallel 4 -- terraform init"\n  }\n}\n`;
    const fixed = await fixIn({ 'tools/package.json': json }, 'tools/package.json');
    expect(JSON.parse(fixed.after as string).scripts.init).toBe('terramate run -C ../stacks/a --no-recursive -- terraform init -backend=false && terramate run -C .. --parallel 4 -- terraform init');
  });

  it('package.json: no fix after `cd DIR &&`', async () => {
    const json = `{\n  "scripts": {\n    "init": "cd infra && terramate run --parallel 4 -- terraform init"\n  }\n}\n`;
    expect((await fixIn({ 'package.json': json }, 'package.json')).edit).toBeNull();
  });

  it('package.json: no fix after || or a pipe', async () => {
    const json = `{\n  "scripts": {\n    "init": "test -d .terraform || terramate run --parallel 4 -- terraform init"\n  }\n}\n`;
    expect((await fixIn({ 'package.json': json }, 'package.json')).edit).toBeNull();
  });

  it('Taskfile: a new cmds item before the item; none for the `cmd:` form', async () => {
    const taskfile = lines("version: '3'", 'tasks:', '  init:', '    cmds:', '      - echo init', '      - terramate run -j 4 -- terraform init');
    const fixed = await fixIn({ 'Taskfile.yml': taskfile }, 'Taskfile.yml');
    expectAddedLines(fixed.before, fixed.after as string, 5, [`      - ${WARM_A}`]);
    parsesClean(fixed.after as string);
    await expectWarmedUp(fixed);
    const single = lines("version: '3'", 'tasks:', '  init:', '    cmds:', '      - cmd: terramate run -j 4 -- terraform init');
    expect((await fixIn({ 'Taskfile.yml': single }, 'Taskfile.yml')).edit).toBeNull();
    // A task that runs in another directory.
    const elsewhere = lines("version: '3'", 'tasks:', '  init:', '    dir: infra', '    cmds:', '      - terramate run -j 4 -- terraform init');
    expect((await fixIn({ 'Taskfile.yml': elsewhere }, 'Taskfile.yml')).edit).toBeNull();
  });

  it('justfile: a line before, with the indentation and @', async () => {
    const justfile = lines('init:', '    @echo init', '    @terramate run -j 4 -- terraform init {{flags}}');
    const fixed = await fixIn({ justfile }, 'justfile');
    expect(fixed.after).toBe(lines('init:', '    @echo init', `    @${WARM_A} {{flags}}`, '    @terramate run -j 4 -- terraform init {{flags}}'));
    await expectWarmedUp(fixed);
  });
});
