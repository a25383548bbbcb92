import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseDocument } from 'yaml';
import { Analysis, RunSession } from '../../../src/analysis/analysis.js';
import type { InitLaunch } from '../../../src/analysis/launches.js';
import { ResultCache } from '../../../src/analysis/result-cache.js';
import type { ScriptDefinition } from '../../../src/analysis/terramate.js';
import { applyEdits } from '../../../src/fix/plan.js';
import { SERIAL_FLAG, warmUpFix } from '../../../src/rules/launches/warm-up-fix.js';
import type { TextEdit } from '../../../src/types.js';
import { copyFixture, tempDir, writeTree, type FileTree } from '../../support/project.js';

// ---- Helpers ----------------------------------------------------------------------------------

const ROOT: FileTree = {
  'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n',
  'stacks/a/stack.tm.hcl': 'stack {}\n',
  'stacks/a/main.tf': 'terraform {}\n',
  'stacks/b/stack.tm.hcl': 'stack {}\n',
  'stacks/b/main.tf': 'terraform {}\n',
};

const lines = (...text: string[]) => `${text.join('\n')}\n`;

async function analyse(dir: string): Promise<{ launches: InitLaunch[]; scripts: ScriptDefinition[] }> {
  const session = new RunSession(
    { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('tm-doctor-home-') },
    { noExec: true, handshakeTimeoutMs: 10_000, noCache: true },
    await ResultCache.open({ env: {}, disabled: true }),
    Analysis.rootFor(dir),
  );
  const analysis = await Analysis.load({ dir, session });
  return { launches: await analysis.launches(), scripts: (await analysis.terramate()).scripts };
}

function isParallel(launch: InitLaunch): boolean {
  return typeof launch.parallel === 'number' && launch.parallel > 1;
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
async function fixIn(files: FileTree, file: string, options: { which?: number; scripts?: boolean; dir?: string } = {}): Promise<Fixed> {
  const dir = options.dir ?? tempDir();
  if (!options.dir) writeTree(dir, { ...ROOT, ...files });
  const path = join(dir, file);
  const { launches, scripts } = await analyse(dir);
  const candidates = launches.filter((launch) => launch.file === path && isParallel(launch));
  const launch = candidates[options.which ?? 0];
  if (!launch) throw new Error(`no parallel launch in ${file}: ${JSON.stringify(launches.map((l) => [l.file, l.label, l.parallel]))}`);
  const before = readFileSync(path, 'utf8');
  const readText = (other: string) => (existsSync(other) ? readFileSync(other, 'utf8') : undefined);
  const fix = warmUpFix(launch, before, options.scripts === false ? { readText } : { scripts, readText });
  if (!fix) return { dir, file: path, before, after: null, edit: null, description: null };
  expect(fix.safe).toBe(true);
  expect(fix.changes).toHaveLength(1);
  const edit = fix.changes[0] as TextEdit;
  expect(edit).toMatchObject({ kind: 'text', file: path });
  expect(edit.start).toBe(edit.end);
  return { dir, file: path, before, after: applyEdits(before, [edit]), edit, description: fix.description };
}

/** The fixed file, analysed again: a serial init precedes every parallel one of the file. */
async function expectWarmedUp(fixed: Fixed): Promise<void> {
  writeFileSync(fixed.file, fixed.after as string);
  const { launches } = await analyse(fixed.dir);
  const inFile = launches.filter((launch) => launch.file === fixed.file);
  const parallel = inFile.filter(isParallel);
  expect(parallel.length).toBeGreaterThan(0);
  for (const launch of parallel) {
    const serial = inFile.filter((other) => other.parallel === 1 && other.tool === launch.tool && other.start < launch.start);
    expect(serial.length).toBeGreaterThan(0);
  }
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

// ---- Makefiles ------------------------------------------------------------------------------------

describe('Makefile recipes', () => {
  it('the seed Makefile as its author fixed it: make -n shows the serial init first, plan unchanged', async () => {
    const dir = copyFixture('clean');
    const before = {
      initP5: make(dir, ['init', 'dev', 'P', '5']),
      init: make(dir, ['init', 'dev']),
      planP5: make(dir, ['plan', 'dev', 'P', '5']),
    };
    const fixed = await fixIn({}, 'Makefile', { dir });
    expect(fixed.edit?.text).toBe('\tterramate run --tags=$(TAGS) $(TM_COMMON) --parallel=1 -- terraform init $(INIT_OPTS)\n');
    expect(fixed.description).toMatch(/serial warm-up init before the parallel one/);
    expect(fixed.description).toMatch(/changes behaviour/);
    const initLine = fixed.before.split('\n').indexOf('init:') + 1;
    expectAddedLines(fixed.before, fixed.after as string, initLine, ['\tterramate run --tags=$(TAGS) $(TM_COMMON) --parallel=1 -- terraform init $(INIT_OPTS)']);
    writeFileSync(fixed.file, fixed.after as string);

    // GNU make judges: the serial init first (`--parallel=1` last among Terramate's flags,
    // after the `-j 5` TM_COMMON brings), then the parallel one exactly as before.
    const initP5 = make(dir, ['init', 'dev', 'P', '5']);
    const [serialLine, ...rest] = initP5.split('\n');
    expect(serialLine.replace(/ +/g, ' ')).toBe('terramate run --tags=dev -j 5 --parallel=1 -- terraform init ');
    const flags = serialLine.slice(0, serialLine.indexOf(' -- ')).trim().split(/ +/);
    expect(flags[flags.length - 1]).toBe(SERIAL_FLAG);
    expect(rest.join('\n')).toBe(before.initP5);
    expect(make(dir, ['plan', 'dev', 'P', '5'])).toBe(before.planP5);
    // Goal P without a number: TM_COMMON gives a bare `--parallel` (5 in Terramate before 0.5.0,
    // which also reads only the `=` form of a value); the serial flag still comes last.
    expect(make(dir, ['init', 'dev', 'P']).split('\n')[0]).toBe('terramate run --tags=dev --parallel  --parallel=1 -- terraform init ');
    const init = make(dir, ['init', 'dev']);
    expectAddedLines(before.init, init, 0, ['terramate run --tags=dev   --parallel=1 -- terraform init ']);

    await expectWarmedUp({ ...fixed, after: readFileSync(fixed.file, 'utf8') });
  });

  it('copies a continued recipe line whole, and make runs the serial init first', async () => {
    const makefile = lines(
      'TAGS ?= dev',
      'init:',
      '\t@echo start',
      '\tterramate run \\',
      '\t  --tags=$(TAGS) -j 4 \\',
      '\t  -- terraform init -upgrade',
      '\t@echo done',
    );
    const fixed = await fixIn({ Makefile: makefile, '.bin/terramate': FAKE_TERRAMATE }, 'Makefile');
    expect(fixed.after).toBe(
      lines(
        'TAGS ?= dev',
        'init:',
        '\t@echo start',
        '\tterramate run \\',
        '\t  --tags=$(TAGS) -j 4 \\',
        '\t  --parallel=1 -- terraform init -upgrade',
        '\tterramate run \\',
        '\t  --tags=$(TAGS) -j 4 \\',
        '\t  -- terraform init -upgrade',
        '\t@echo done',
      ),
    );
    const runBefore = make(fixed.dir, ['init'], { run: true });
    writeFileSync(fixed.file, fixed.after as string);
    const runAfter = make(fixed.dir, ['init'], { run: true });
    // make echoes the line as written (continuations kept), then the fake terramate its argv.
    const echoed = (flags: string) => lines('terramate run \\', '  --tags=dev -j 4 \\', `  ${flags}-- terraform init -upgrade`, `terramate run --tags=dev -j 4 ${flags}-- terraform init -upgrade`);
    expect(runBefore).toBe(`start\n${echoed('')}done\n`);
    expect(runAfter).toBe(`start\n${echoed('--parallel=1 ')}${echoed('')}done\n`);
    await expectWarmedUp(fixed);
  });

  it('keeps the @ prefix, leaves literal sharing flags out of the copy', async () => {
    const makefile = lines('init:', '\t@terramate run --enable-sharing --mock-on-fail --parallel 4 -- terraform init', 'plan:', '\t@terramate run --enable-sharing --parallel 4 -- terraform plan');
    const fixed = await fixIn({ Makefile: makefile, '.bin/terramate': FAKE_TERRAMATE }, 'Makefile');
    expect(fixed.after).toBe(
      lines(
        'init:',
        '\t@terramate run --parallel 4 --parallel=1 -- terraform init',
        '\t@terramate run --enable-sharing --mock-on-fail --parallel 4 -- terraform init',
        'plan:',
        '\t@terramate run --enable-sharing --parallel 4 -- terraform plan',
      ),
    );
    writeFileSync(fixed.file, fixed.after as string);
    // @ keeps make quiet: only the fake terramate speaks, serial first.
    expect(make(fixed.dir, ['init'], { run: true })).toBe(
      lines('terramate run --parallel 4 --parallel=1 -- terraform init', 'terramate run --enable-sharing --mock-on-fail --parallel 4 -- terraform init'),
    );
    await expectWarmedUp(fixed);
  });

  it('copies `cd DIR &&` with the command (each recipe line has its own shell)', async () => {
    const fixed = await fixIn({ Makefile: lines('init:', '\tcd stacks && terramate run -j 3 -- terraform init') }, 'Makefile');
    expect(fixed.after).toBe(lines('init:', '\tcd stacks && terramate run -j 3 --parallel=1 -- terraform init', '\tcd stacks && terramate run -j 3 -- terraform init'));
    await expectWarmedUp(fixed);
  });

  it('gives no fix where it cannot be shown right', async () => {
    // A line that also plans: copying it would plan twice.
    expect((await fixIn({ Makefile: lines('init:', '\tterramate run -j 4 -- terraform init && terramate run -j 4 -- terraform plan') }, 'Makefile')).edit).toBeNull();
    // init inside `sh -c` with more than init.
    expect((await fixIn({ Makefile: lines('init:', "\tterramate run -j 4 -- sh -c 'terraform init && terraform validate'") }, 'Makefile')).edit).toBeNull();
    // Flags from a value make cannot know (the shell's output): `--` could be in it.
    expect((await fixIn({ Makefile: lines('FLAGS = $(shell cat flags)', 'init:', '\tterramate run -j 4 $(FLAGS) -- terraform init') }, 'Makefile')).edit).toBeNull();
    // A variable that ends the flags itself: the copy would put --parallel=1 in the command.
    expect((await fixIn({ Makefile: lines('FLAGS := --changed -- terraform init', 'init:', '\tterramate run -j 4 $(FLAGS) -- terraform init') }, 'Makefile')).edit).toBeNull();
    // .ONESHELL: the recipe is one script.
    expect((await fixIn({ Makefile: lines('.ONESHELL:', 'init:', '\t@terramate run -j 4 -- terraform init') }, 'Makefile')).edit).toBeNull();
    // A recipe on the rule line.
    expect((await fixIn({ Makefile: lines('init: ; terramate run -j 4 -- terraform init') }, 'Makefile')).edit).toBeNull();
  });
});

// ---- Shell scripts -------------------------------------------------------------------------------

describe('shell scripts', () => {
  it('adds the serial line before the command, with its indentation', async () => {
    const script = lines(
      '#!/bin/sh',
      'set -e',
      'cd "$(dirname "$0")"',
      'if [ -n "$CI" ]; then',
      '  terramate run --enable-sharing -j 8 -- terraform init -input=false',
      'fi',
      'terramate run -j 8 -- terraform plan',
    );
    const fixed = await fixIn({ 'scripts/init.sh': script }, 'scripts/init.sh');
    expect(fixed.after).toBe(
      lines(
        '#!/bin/sh',
        'set -e',
        'cd "$(dirname "$0")"',
        'if [ -n "$CI" ]; then',
        '  terramate run -j 8 --parallel=1 -- terraform init -input=false',
        '  terramate run --enable-sharing -j 8 -- terraform init -input=false',
        'fi',
        'terramate run -j 8 -- terraform plan',
      ),
    );
    await expectWarmedUp(fixed);
  });

  it('copies a continued command whole and keeps environment prefixes', async () => {
    const script = lines('#!/bin/sh', 'TF_IN_AUTOMATION=1 terramate run \\', '  --parallel 4 \\', '  -- terraform init');
    const fixed = await fixIn({ 'init.sh': script }, 'init.sh');
    expect(fixed.after).toBe(
      lines('#!/bin/sh', 'TF_IN_AUTOMATION=1 terramate run \\', '  --parallel 4 \\', '  --parallel=1 -- terraform init', 'TF_IN_AUTOMATION=1 terramate run \\', '  --parallel 4 \\', '  -- terraform init'),
    );
    await expectWarmedUp(fixed);
  });

  it('makes a parallelism from the environment serial with the flag (the flag wins)', async () => {
    const fixed = await fixIn({ 'init.sh': lines('export TM_ARG_RUN_PARALLEL=6', 'terramate run -- terraform init') }, 'init.sh');
    expect(fixed.after).toBe(lines('export TM_ARG_RUN_PARALLEL=6', 'terramate run --parallel=1 -- terraform init', 'terramate run -- terraform init'));
    await expectWarmedUp(fixed);
  });

  it('puts the flag before the command word when there is no --', async () => {
    const fixed = await fixIn({ 'init.sh': lines('terramate -C stacks run -j4 terraform init') }, 'init.sh');
    expect(fixed.after).toBe(lines('terramate -C stacks run -j4 --parallel=1 terraform init', 'terramate -C stacks run -j4 terraform init'));
    await expectWarmedUp(fixed);
  });

  it('terramate script run: before the script labels, only when the script runs nothing but init', async () => {
    const initScript = 'script "warm" {\n  description = "init"\n  job {\n    commands = [["terraform", "init"]]\n  }\n}\n';
    const deployScript = 'script "deploy" {\n  description = "deploy"\n  job {\n    commands = [["terraform", "init"], ["terraform", "apply"]]\n  }\n}\n';
    const files = { 'scripts.tm.hcl': initScript + deployScript, 'run.sh': lines('terramate script run -j 4 warm', 'terramate script run -j 4 deploy') };
    const fixed = await fixIn(files, 'run.sh');
    expect(fixed.after).toBe(lines('terramate script run -j 4 --parallel=1 warm', 'terramate script run -j 4 warm', 'terramate script run -j 4 deploy'));
    // deploy also applies: a serial copy would apply twice.
    expect((await fixIn(files, 'run.sh', { which: 1 })).edit).toBeNull();
    // Without the script definitions nothing shows what the script does.
    expect((await fixIn(files, 'run.sh', { scripts: false })).edit).toBeNull();
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
    // A warm-up must not sync a second deployment to Terramate Cloud.
    expect((await fixIn({ 'init.sh': lines('terramate run -j 4 --sync-deployment -- terraform init') }, 'init.sh')).edit).toBeNull();
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
  '          cd infra',
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
  '        working-directory: infra',
  '        env:',
  '          TF_IN_AUTOMATION: "1"',
  '          TF_INPUT: "0"',
  '        run: terramate run --parallel ${{ inputs.parallel }} -j 4 --enable-sharing -- terraform init -input=false',
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
    expectAddedLines(fixed.before, fixed.after as string, 10, ['          terramate run --parallel 4 \\', '            --parallel=1 -- terraform init']);
    const data = parsesClean(fixed.after as string) as { jobs: { init: { steps: Array<{ run?: string }> } } };
    expect(data.jobs.init.steps[1].run).toBe(
      'cd infra\nterramate run --parallel 4 \\\n  --parallel=1 -- terraform init\nterramate run --parallel 4 \\\n  --enable-sharing \\\n  -- terraform init\nterramate run --parallel 4 -- terraform plan\n',
    );
    await expectWarmedUp(fixed);
  });

  it('one-line run: a whole step before the step, with its if, directory and env', async () => {
    const fixed = await fixIn({ '.github/workflows/ci.yml': WORKFLOW_PLAIN }, '.github/workflows/ci.yml');
    expectAddedLines(fixed.before, fixed.after as string, 8, [
        '      - name: Warm up the plugin cache (serial init)',
        "        if: github.event_name == 'push'",
        '        working-directory: infra',
        '        env:',
        '          TF_IN_AUTOMATION: "1"',
        '          TF_INPUT: "0"',
        '        run: terramate run --parallel ${{ inputs.parallel }} -j 4 --parallel=1 -- terraform init -input=false',
    ]);
    const data = parsesClean(fixed.after as string) as { jobs: { init: { steps: unknown[] } } };
    expect(data.jobs.init.steps).toHaveLength(4);
    expect(data.jobs.init.steps[1]).toEqual({
      name: 'Warm up the plugin cache (serial init)',
      if: "github.event_name == 'push'",
      'working-directory': 'infra',
      env: { TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
      run: 'terramate run --parallel ${{ inputs.parallel }} -j 4 --parallel=1 -- terraform init -input=false',
    });
    await expectWarmedUp(fixed);
  });

  it('a quoted one-line run in a composite action keeps its quotes and shell', async () => {
    const action = lines(
      'name: init',
      'runs:',
      '  using: composite',
      '  steps:',
      '    - name: init',
      '      shell: bash',
      '      run: "terramate run -j 4 -- terraform init"',
    );
    const fixed = await fixIn({ 'action.yml': action }, 'action.yml');
    expect(fixed.after).toBe(
      lines(
        'name: init',
        'runs:',
        '  using: composite',
        '  steps:',
        '    - name: Warm up the plugin cache (serial init)',
        '      shell: bash',
        '      run: "terramate run -j 4 --parallel=1 -- terraform init"',
        '    - name: init',
        '      shell: bash',
        '      run: "terramate run -j 4 -- terraform init"',
      ),
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
  });
});

// ---- GitLab CI ---------------------------------------------------------------------------------------

describe('GitLab CI script lists', () => {
  it('a new list item before the item', async () => {
    const gitlab = lines(
      'stages: [init]',
      'init:',
      '  stage: init',
      '  before_script:',
      '    - cd infra',
      '  script:',
      "    - 'terramate run -j 4 --mock-on-fail -- terraform init'",
      '    - terramate run -j 4 -- terraform plan',
    );
    const fixed = await fixIn({ '.gitlab-ci.yml': gitlab }, '.gitlab-ci.yml');
    expectAddedLines(fixed.before, fixed.after as string, 6, ["    - 'terramate run -j 4 --parallel=1 -- terraform init'"]);
    const data = parsesClean(fixed.after as string) as { init: { script: string[] } };
    expect(data.init.script).toEqual(['terramate run -j 4 --parallel=1 -- terraform init', 'terramate run -j 4 --mock-on-fail -- terraform init', 'terramate run -j 4 -- terraform plan']);
    await expectWarmedUp(fixed);
  });

  it('a `- |` item: a line in the block', async () => {
    const gitlab = lines('init:', '  script:', '    - |', '      set -e', '      terramate run -j 4 -- terraform init');
    const fixed = await fixIn({ '.gitlab-ci.yml': gitlab }, '.gitlab-ci.yml');
    expect(fixed.after).toBe(lines('init:', '  script:', '    - |', '      set -e', '      terramate run -j 4 --parallel=1 -- terraform init', '      terramate run -j 4 -- terraform init'));
    parsesClean(fixed.after as string);
    await expectWarmedUp(fixed);
  });

  it('gives no fix for a script given as one string', async () => {
    expect((await fixIn({ '.gitlab-ci.yml': lines('init:', '  script: terramate run -j 4 -- terraform init') }, '.gitlab-ci.yml')).edit).toBeNull();
  });
});

// ---- package.json, Taskfile, justfile, Terramate scripts ----------------------------------------------

describe('package.json, Taskfile, justfile', () => {
  it('package.json: the serial copy joined before the command with &&', async () => {
    const json = `{\n  "name": "infra",\n  "scripts": {\n    "init": "terramate run --parallel 4 -- terraform init",\n    "setup": "cd infra && terramate run -j 2 -- terraform init"\n  }\n}\n`;
    const fixed = await fixIn({ 'package.json': json }, 'package.json');
    expect(fixed.after).toBe(json.replace('"terramate run --parallel 4', '"terramate run --parallel 4 --parallel=1 -- terraform init && terramate run --parallel 4'));
    const second = await fixIn({ 'package.json': json }, 'package.json', { which: 1 });
    expect(JSON.parse(second.after as string).scripts.setup).toBe('cd infra && terramate run -j 2 --parallel=1 -- terraform init && terramate run -j 2 -- terraform init');
    await expectWarmedUp(fixed);
  });

  it('package.json: no fix after || or a pipe', async () => {
    const json = `{\n  "scripts": {\n    "init": "test -d .terraform || terramate run --parallel 4 -- terraform init"\n  }\n}\n`;
    expect((await fixIn({ 'package.json': json }, 'package.json')).edit).toBeNull();
  });

  it('Taskfile: a new cmds item before the item; none for the `cmd:` form', async () => {
    const taskfile = lines("version: '3'", 'tasks:', '  init:', '    dir: infra', '    cmds:', '      - echo init', '      - terramate run -j 4 -- terraform init');
    const fixed = await fixIn({ 'Taskfile.yml': taskfile }, 'Taskfile.yml');
    expectAddedLines(fixed.before, fixed.after as string, 6, ['      - terramate run -j 4 --parallel=1 -- terraform init']);
    parsesClean(fixed.after as string);
    await expectWarmedUp(fixed);
    const single = lines("version: '3'", 'tasks:', '  init:', '    cmds:', '      - cmd: terramate run -j 4 -- terraform init');
    expect((await fixIn({ 'Taskfile.yml': single }, 'Taskfile.yml')).edit).toBeNull();
  });

  it('justfile: a line before, with the indentation and @', async () => {
    const justfile = lines('init:', '    @echo init', '    @terramate run -j 4 -- terraform init {{flags}}');
    const fixed = await fixIn({ justfile }, 'justfile');
    expect(fixed.after).toBe(lines('init:', '    @echo init', '    @terramate run -j 4 --parallel=1 -- terraform init {{flags}}', '    @terramate run -j 4 -- terraform init {{flags}}'));
    await expectWarmedUp(fixed);
  });

  it('a Terramate script command itself gets no fix', async () => {
    const dir = tempDir();
    writeTree(dir, { ...ROOT, 'scripts.tm.hcl': 'script "warm" {\n  description = "init"\n  job {\n    commands = [["terraform", "init"]]\n  }\n}\n' });
    const { launches } = await analyse(dir);
    const script = launches.find((launch) => launch.context === 'terramate-script');
    expect(script).toBeDefined();
    expect(warmUpFix(script!, readFileSync(script!.file, 'utf8'), { readText: (file) => readFileSync(file, 'utf8') })).toBeNull();
  });
});
