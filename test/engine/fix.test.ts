import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseHcl } from '../../src/parsers/hcl.js';
import { check, copyFixture, FIXTURES, tempDir, writeTree, type FileTree } from '../support/project.js';

function makeDryRun(dir: string, ...goals: string[]): string {
  return execFileSync('make', ['-n', '--no-print-directory', ...goals], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
}

function treeBytes(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, 'latin1'));
    }
  };
  walk(dir);
  return files;
}

const fix = { fix: true };

/** The seed project whose Makefile warms the cache before its parallel init (fixtures/clean's). */
function warmedSeed(): string {
  const project = copyFixture('seed-blog');
  writeFileSync(join(project, 'Makefile'), readFileSync(join(FIXTURES, 'clean/Makefile'), 'utf8'));
  return project;
}

describe('--fix on the seed project', () => {
  it('fixes the whole incident with safe fixes alone: nothing left, a second run changes no byte, a clone of the fixed project is clean', async () => {
    const project = copyFixture('seed-blog');
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=test@example.invalid', '-c', 'user.name=test', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tempDir() } });
    git(project, 'init', '-q');
    git(project, 'add', '-A');
    git(project, 'commit', '-qm', 'the incident');
    const home = tempDir('tm-doctor-home-');
    const first = await check(project, { home, fix });
    expect(first.findings.filter((finding) => !finding.fixed)).toEqual([]);
    expect(first.findings.filter((finding) => finding.fixed).map((finding) => finding.ruleId).sort()).toEqual([
      'lockfile-cache-env',
      'no-sharing-on-init',
      'plugin-cache-dir',
    ]);
    expect(existsSync(join(home, '.terraformrc'))).toBe(false);
    expect(readFileSync(join(project, '.terraform-plugin-cache/.gitignore'), 'utf8')).toBe('*\n!.gitignore\n');

    const before = treeBytes(project);
    const second = await check(project, { home, fix });
    expect(second.findings).toEqual([]);
    expect(treeBytes(project)).toEqual(before);

    git(project, 'add', '-A');
    git(project, 'commit', '-qm', 'tm-doctor --fix');
    const clone = join(tempDir(), 'clone');
    git(project, 'clone', '-q', project, clone);
    expect(statSync(join(clone, '.terraform-plugin-cache')).isDirectory()).toBe(true);
    expect((await check(clone, { home: tempDir('tm-doctor-home-') })).findings).toEqual([]);
  });

  it('makes the author\'s Makefile split: GNU make shows init without sharing, plan with it', async () => {
    const project = copyFixture('seed-blog');
    await check(project, { fix, rules: ['no-sharing-on-init'] });
    const init = makeDryRun(project, 'init', 'dev', 'P', '5');
    const plan = makeDryRun(project, 'plan', 'dev', 'P', '5');
    expect(init).toContain('-- terraform init');
    expect(init).not.toMatch(/--enable-sharing|--mock-on-fail/);
    expect(plan).toContain('--enable-sharing --mock-on-fail');
    expect(readFileSync(join(project, 'Makefile'), 'utf8')).toContain('\tterramate run --tags=$(TAGS) $(TM_COMMON) -- terraform init $(INIT_OPTS)\n');
  });

  it('writes a terramate.tm.hcl that HashiCorp\'s parser reads, inside the existing blocks, other lines untouched', async () => {
    // With its init warmed up first (the variable is never offered beside an unwarmed parallel init).
    const project = warmedSeed();
    const original = readFileSync(join(project, 'terramate.tm.hcl'), 'utf8');
    await check(project, { fix, rules: ['lockfile-cache-env'] });
    const fixed = readFileSync(join(project, 'terramate.tm.hcl'), 'utf8');
    const doc = await parseHcl('terramate.tm.hcl', fixed);
    expect(doc.diagnostic).toBeNull();
    expect(doc.body?.terramate).toHaveLength(1);
    expect(JSON.stringify(doc.body)).toContain('"TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE":"true"');
    const inserted = '    run {\n      env {\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n      }\n    }\n';
    expect(fixed.split(inserted)).toHaveLength(2);
    expect(fixed.replace(inserted, '')).toBe(original);
  });
});

const MAKEFILE_SHAPES: Record<string, { makefile: string; extra?: string }> = {
  'flags written on the init line': {
    makefile: 'TM_COMMON := --changed\n\ninit:\n\tterramate run --enable-sharing --mock-on-fail $(TM_COMMON) -- terraform init\n\nplan:\n\tterramate run --enable-sharing --mock-on-fail $(TM_COMMON) -- terraform plan\n',
  },
  'a variable mixing sharing flags and other options': {
    makefile: 'TAGS ?= dev\nTM_OPTS := --enable-sharing --tags=$(TAGS) --mock-on-fail --changed\n\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\nplan:\n\tterramate run $(TM_OPTS) -- terraform plan\n',
  },
  'sharing flags in a variable of their own': {
    makefile: 'SHARING = --enable-sharing --mock-on-fail\nCOMMON = --changed\nTM_OPTS = $(SHARING) $(COMMON)\n\ninit:\n\t@terramate run $(TM_OPTS) -- terraform init\nplan:\n\t@terramate run $(TM_OPTS) -- terraform plan\n',
  },
  'a target-specific variable': {
    makefile: 'TM_OPTS := --changed\ninit: TM_OPTS += --enable-sharing\nplan: TM_OPTS += --enable-sharing --mock-on-fail\n\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\nplan:\n\tterramate run $(TM_OPTS) -- terraform plan\n',
  },
  'a backslash-continued recipe': {
    makefile: 'init:\n\tterramate run \\\n\t  --enable-sharing \\\n\t  --parallel 4 \\\n\t  -- terraform init\nplan:\n\tterramate run --enable-sharing -- terraform plan\n',
  },
};

describe('Makefile fixes, with GNU make as the oracle', () => {
  for (const [shape, { makefile }] of Object.entries(MAKEFILE_SHAPES)) {
    it(shape, async () => {
      const dir = tempDir();
      const files: FileTree = { 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n', 'a/stack.tm.hcl': 'stack {}\n', Makefile: makefile };
      writeTree(dir, files);
      const planBefore = makeDryRun(dir, 'plan');
      expect(makeDryRun(dir, 'init')).toMatch(/--enable-sharing|--mock-on-fail/);
      const outcome = await check(dir, { fix, rules: ['no-sharing-on-init'] });
      expect(outcome.findings.map((finding) => [finding.ruleId, finding.fixed])).toEqual([['no-sharing-on-init', true]]);
      const init = makeDryRun(dir, 'init');
      expect(init).toContain('terraform init');
      expect(init).not.toMatch(/--enable-sharing|--mock-on-fail/);
      expect(makeDryRun(dir, 'plan')).toBe(planBefore);
      const again = await check(dir, { rules: ['no-sharing-on-init'] });
      expect(again.findings).toEqual([]);
    });
  }
});

describe('other fix targets', () => {
  it('removes the flags from a continued GitHub Actions step only', async () => {
    const dir = tempDir();
    const workflow =
      'on: push\njobs:\n  tf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          terramate run \\\n            --enable-sharing \\\n            -- terraform init\n      - run: terramate run --enable-sharing -- terraform plan\n';
    writeTree(dir, { 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n', 'a/stack.tm.hcl': 'stack {}\n', '.github/workflows/tf.yml': workflow });
    await check(dir, { fix, rules: ['no-sharing-on-init'] });
    expect(readFileSync(join(dir, '.github/workflows/tf.yml'), 'utf8')).toBe(
      'on: push\njobs:\n  tf:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          terramate run \\\n            -- terraform init\n      - run: terramate run --enable-sharing -- terraform plan\n',
    );
  });

  it('drops the option object of a Terramate script init command, keeping plan\'s', async () => {
    const dir = tempDir();
    const script = 'script "deploy" {\n  job {\n    commands = [\n      ["terraform", "init", { enable_sharing = true }],\n      ["terraform", "plan", { enable_sharing = true }],\n    ]\n  }\n}\n';
    writeTree(dir, { 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n', 'a/stack.tm.hcl': 'stack {}\n', 'scripts.tm.hcl': script });
    await check(dir, { fix, rules: ['no-sharing-on-init'] });
    const fixed = readFileSync(join(dir, 'scripts.tm.hcl'), 'utf8');
    expect(fixed).toBe(script.replace('["terraform", "init", { enable_sharing = true }]', '["terraform", "init"]'));
    expect((await parseHcl('scripts.tm.hcl', fixed)).diagnostic).toBeNull();
  });
});

describe('what a --fix run reports', () => {
  // Found by the fuzz suite (test/fuzz/properties.ts): the findings left after --fix are placed in
  // the fixed text, but readText gave the text as read, so stylish framed (and SARIF
  // fingerprinted) the wrong line, or none.
  it('places what is left in the text as written, and readText gives that text', async () => {
    const project = copyFixture('seed-blog');
    writeTree(project, { 'scripts/init.sh': '#!/bin/sh\nterramate run terraform init && terramate run -j2 tofu init\n' });
    const outcome = await check(project, { fix });
    const remaining = outcome.findings.filter((finding) => !finding.fixed);
    const places = remaining.flatMap((finding) => [finding.location, ...finding.related.map((related) => related.location)]).filter((location) => location?.range);
    // The root config gained the plugin cache: the race finding points at that new line.
    expect(places.map((location) => relative(project, location?.file ?? ''))).toContain('terramate.tm.hcl');
    for (const location of places) expect(outcome.readText(location?.file ?? '')).toBe(readFileSync(location?.file ?? '', 'utf8'));
  });
});

describe('--fix-dry-run', () => {
  it('prints a diff that git apply accepts, and writes nothing', async () => {
    const project = copyFixture('seed-blog');
    const before = treeBytes(project);
    const outcome = await check(project, { fix: { dryRun: true } });
    expect(treeBytes(project)).toEqual(before);
    expect(outcome.diff).toContain('--- a/Makefile');
    execFileSync('git', ['init', '-q'], { cwd: project });
    const patch = join(tempDir(), 'fix.patch');
    writeFileSync(patch, outcome.diff ?? '');
    execFileSync('git', ['apply', '--check', patch], { cwd: project });
    execFileSync('git', ['apply', patch], { cwd: project });
    const fixedByPatch = treeBytes(project);
    const other = copyFixture('seed-blog');
    await check(other, { fix });
    for (const file of ['Makefile', 'terramate.tm.hcl']) expect(fixedByPatch.get(file)).toBe(treeBytes(other).get(file));
  });
});

describe('nothing is ever lost', () => {
  it('leaves a read-only file alone and says why', async () => {
    const project = copyFixture('seed-blog');
    chmodSync(join(project, 'Makefile'), 0o444);
    const before = readFileSync(join(project, 'Makefile'), 'utf8');
    const outcome = await check(project, { fix, rules: ['no-sharing-on-init'] });
    expect(readFileSync(join(project, 'Makefile'), 'utf8')).toBe(before);
    expect(statSync(join(project, 'Makefile')).mode & 0o777).toBe(0o444);
    expect(outcome.notes.join('\n')).toMatch(/Makefile left unchanged: .*read-only|Makefile left unchanged: .*write/);
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.fixed])).toEqual([['no-sharing-on-init', false]]);
  });

  it('keeps file modes', async () => {
    const project = copyFixture('seed-blog');
    chmodSync(join(project, 'Makefile'), 0o750);
    await check(project, { fix, rules: ['no-sharing-on-init'] });
    expect(statSync(join(project, 'Makefile')).mode & 0o777).toBe(0o750);
  });

  it('does not write a file that changed on disk after it was read', async () => {
    const project = copyFixture('seed-blog');
    const makefile = join(project, 'Makefile');
    const { runDoctor } = await import('../../src/engine/doctor.js');
    const changedUnderneath = 'init:\n\tterramate run --enable-sharing -- terraform init # edited meanwhile\n';
    const outcome = await runDoctor(
      { dir: project, env: { PATH: process.env.PATH ?? '', HOME: tempDir() }, only: ['no-sharing-on-init'], options: { noExec: true, handshakeTimeoutMs: 1000, noCache: true } },
      { fix: true },
      {
        async phase(title, work) {
          const result = await work(() => {});
          if (title === 'Fix') writeFileSync(makefile, changedUnderneath);
          return result;
        },
      },
    );
    expect(readFileSync(makefile, 'utf8')).toBe(changedUnderneath);
    expect(outcome.notes.join('\n')).toMatch(/Makefile left unchanged: .*changed/);
  });

  it('applies two fixes that would overlap over two passes, each file written once', async () => {
    const project = warmedSeed();
    const outcome = await check(project, { fix, rules: ['lockfile-cache-env', 'plugin-cache-dir'] });
    const text = readFileSync(join(project, 'terramate.tm.hcl'), 'utf8');
    expect(text.match(/env \{/g)).toHaveLength(1);
    expect(text).toContain('TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n        TF_PLUGIN_CACHE_DIR = "${terramate.root.path.fs.absolute}/.terraform-plugin-cache"\n');
    expect(outcome.findings.filter((finding) => finding.fixed).map((finding) => finding.ruleId).sort()).toEqual(['lockfile-cache-env', 'plugin-cache-dir']);
  });
});

describe('counts say what this run wrote', () => {
  it('the loser of two --fix runs, whose every write is refused because the other one wrote first, counts nothing as fixed', async () => {
    const project = copyFixture('seed-blog');
    const home = tempDir('tm-doctor-home-');
    const { runDoctor } = await import('../../src/engine/doctor.js');
    let winner: Awaited<ReturnType<typeof check>> | null = null;
    const loser = await runDoctor(
      { dir: project, env: { PATH: process.env.PATH ?? '', HOME: home }, options: { noExec: true, handshakeTimeoutMs: 10_000, noCache: true } },
      { fix: true },
      {
        async phase(title, work) {
          const result = await work(() => {});
          // The other run fixes the project between this run's plan and its write.
          if (title === 'Fix') winner = await check(project, { home, fix });
          return result;
        },
      },
    );
    expect(winner!.findings.filter((finding) => finding.fixed).map((finding) => finding.ruleId).sort()).toEqual(['lockfile-cache-env', 'no-sharing-on-init', 'plugin-cache-dir']);
    expect(loser.findings).toEqual([]);
    expect(loser.notes.join('\n')).toContain('Makefile left unchanged: Makefile changed on disk since it was read; not written');
    expect(loser.notes.join('\n')).toContain("3 problems are gone from the disk but not counted as fixed: this run's own writes did not fix them (another process changed the files meanwhile)");
    expect((await check(project, { home })).findings).toEqual([]);
  });

  it('a finding whose fix was written only in part by this run (the rest by another process) is not counted as fixed', async () => {
    const project = copyFixture('seed-blog');
    const home = tempDir('tm-doctor-home-');
    const { runDoctor } = await import('../../src/engine/doctor.js');
    const outcome = await runDoctor(
      { dir: project, env: { PATH: process.env.PATH ?? '', HOME: home }, options: { noExec: true, handshakeTimeoutMs: 10_000, noCache: true } },
      { fix: true },
      {
        async phase(title, work) {
          const result = await work(() => {});
          if (title === 'Fix') writeTree(project, { '.terraform-plugin-cache/.gitignore': '*\n!.gitignore\n' });
          return result;
        },
      },
    );
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.fixed]).sort()).toEqual([
      ['lockfile-cache-env', true],
      ['no-sharing-on-init', true],
    ]);
    expect(outcome.notes.join('\n')).toContain('.terraform-plugin-cache/.gitignore left unchanged: .terraform-plugin-cache/.gitignore already exists');
    expect(outcome.notes.join('\n')).toContain('1 problem is gone from the disk but not counted as fixed');
  });

  it('a fix whose write is refused is marked so, and counted neither fixed nor fixable', async () => {
    const project = copyFixture('seed-blog');
    chmodSync(join(project, 'Makefile'), 0o444);
    const outcome = await check(project, { fix });
    const byRule = Object.fromEntries(outcome.findings.map((finding) => [finding.ruleId, [finding.fixed, finding.fixRefused ?? false]]));
    // With the cache in place, the parallel init in the Makefile races: its warm-up fix is refused
    // too, before any later pass builds on it, so the lock-file variable is not offered alone.
    expect(byRule).toEqual({
      'no-sharing-on-init': [false, true],
      'parallel-init-cache-race': [false, true],
      'lockfile-cache-env': [false, false],
      'plugin-cache-dir': [true, false],
    });
    expect(readFileSync(join(project, 'terramate.tm.hcl'), 'utf8')).not.toContain('TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE');
    const { countFindings } = await import('../../src/reporters/summary.js');
    expect(countFindings(outcome.findings)).toMatchObject({ fixed: 1, refused: 2, safelyFixable: 0, unsafelyFixable: 0 });
  });
});

describe('temp files of a killed writer', () => {
  it('are removed by the next run of any kind that walks their directory, unless their process is alive', async () => {
    const project = copyFixture('seed-blog');
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const stale = [join(project, `.Makefile.tm-doctor-${dead}-0a1b2c3d`), join(project, 'stacks', `.main.tf.tm-doctor-${dead}-deadbeef`)];
      const kept = join(project, `.terramate.tm.hcl.tm-doctor-${live.pid}-01234567`);
      for (const file of [...stale, kept]) writeFileSync(file, 'half-written');
      const outcome = await check(project);
      for (const file of stale) expect(existsSync(file)).toBe(false);
      expect(readFileSync(kept, 'utf8')).toBe('half-written');
      expect(outcome.notes).toContain(`removed .Makefile.tm-doctor-${dead}-0a1b2c3d, a temp file left by an interrupted tm-doctor --fix (process ${dead} is gone)`);
      expect(outcome.findings.map((finding) => finding.ruleId).sort()).toEqual(['lockfile-cache-env', 'no-sharing-on-init', 'plugin-cache-dir']);
    } finally {
      live.kill('SIGKILL');
    }
  });
});

describe('symbolic links leading outside the project', () => {
  /** The seed project with its Makefile moved to a directory outside it and linked back. */
  function linkedMakefile(): { project: string; outside: string; before: string } {
    const project = copyFixture('seed-blog');
    const outside = join(tempDir('tm-doctor-elsewhere-'), 'Makefile');
    const before = readFileSync(join(project, 'Makefile'), 'utf8');
    renameSync(join(project, 'Makefile'), outside);
    symlinkSync(outside, join(project, 'Makefile'));
    return { project, outside, before };
  }

  it('a safe --fix does not write through Makefile -> <outside>/Makefile: the fix is unsafe, and the note says why', async () => {
    const { project, outside, before } = linkedMakefile();
    const outcome = await check(project, { fix, rules: ['no-sharing-on-init'] });
    expect(readFileSync(outside, 'utf8')).toBe(before);
    expect(lstatSync(join(project, 'Makefile')).isSymbolicLink()).toBe(true);
    const [finding] = outcome.findings;
    expect([finding.ruleId, finding.fixed, finding.fix?.safe]).toEqual(['no-sharing-on-init', false, false]);
    expect(outcome.notes.join('\n')).toContain(`Makefile leads to ${realpathSync(outside)} through a symbolic link, outside the project; --unsafe-fixes applies it`);
  });

  it('--unsafe-fixes writes through the link to the outside file, and keeps the link', async () => {
    const { project, outside, before } = linkedMakefile();
    const outcome = await check(project, { fix: { fix: true, unsafe: true }, rules: ['no-sharing-on-init'] });
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.fixed])).toEqual([['no-sharing-on-init', true]]);
    const after = readFileSync(outside, 'utf8');
    expect(after).not.toBe(before);
    expect(makeDryRun(project, 'init', 'dev')).not.toMatch(/--enable-sharing|--mock-on-fail/);
    expect(lstatSync(join(project, 'Makefile')).isSymbolicLink()).toBe(true);
  });

  it('an edit reached through include /elsewhere/x.mk is judged alike: unsafe, written only with --unsafe-fixes', async () => {
    const elsewhere = join(tempDir('tm-doctor-elsewhere-'), 'common.mk');
    const common = 'TM_OPTS := --enable-sharing --changed\n';
    const files: FileTree = {
      'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n',
      'a/stack.tm.hcl': 'stack {}\n',
      Makefile: `include ${elsewhere}\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\nplan:\n\tterramate run $(TM_OPTS) -- terraform plan\n`,
    };
    const project = tempDir();
    writeTree(project, files);
    writeFileSync(elsewhere, common);
    const safe = await check(project, { fix, rules: ['no-sharing-on-init'] });
    expect(readFileSync(elsewhere, 'utf8')).toBe(common);
    expect(safe.findings.map((finding) => [finding.fixed, finding.fix?.safe])).toEqual([[false, false]]);
    expect(safe.notes.join('\n')).toContain(`changes ${elsewhere}, outside the project; --unsafe-fixes applies it`);

    const unsafe = await check(project, { fix: { fix: true, unsafe: true }, rules: ['no-sharing-on-init'] });
    expect(unsafe.findings.map((finding) => finding.fixed)).toEqual([true]);
    expect(readFileSync(elsewhere, 'utf8')).not.toBe(common);
    expect(makeDryRun(project, 'init')).not.toContain('--enable-sharing');
  });

  it('a file created in a directory that is a link leading outside is unsafe too', async () => {
    const project = copyFixture('seed-blog');
    const elsewhere = join(tempDir('tm-doctor-elsewhere-'), 'cache');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(project, '.terraform-plugin-cache'));
    const outcome = await check(project, { fix, rules: ['plugin-cache-dir'] });
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.fixed, finding.fix?.safe])).toEqual([['plugin-cache-dir', false, false]]);
    expect(outcome.notes.join('\n')).toContain('.terraform-plugin-cache/.gitignore leads to');
  });

  it('a link swapped in after the plan was made is still refused at write time', async () => {
    const project = copyFixture('seed-blog');
    const makefile = join(project, 'Makefile');
    const outside = join(tempDir('tm-doctor-elsewhere-'), 'Makefile');
    const { runDoctor } = await import('../../src/engine/doctor.js');
    const outcome = await runDoctor(
      { dir: project, env: { PATH: process.env.PATH ?? '', HOME: tempDir() }, only: ['no-sharing-on-init'], options: { noExec: true, handshakeTimeoutMs: 1000, noCache: true } },
      { fix: true },
      {
        async phase(title, work) {
          const result = await work(() => {});
          if (title === 'Fix') {
            // Same bytes, so only the link can stop the write.
            renameSync(makefile, outside);
            symlinkSync(outside, makefile);
          }
          return result;
        },
      },
    );
    expect(readFileSync(outside, 'utf8')).toBe(readFileSync(join(FIXTURES, 'seed-blog', 'Makefile'), 'utf8'));
    expect(outcome.notes.join('\n')).toMatch(/Makefile left unchanged: Makefile leads to .* through a symbolic link, outside the project; not written without --unsafe-fixes/);
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.fixed])).toEqual([['no-sharing-on-init', false]]);
  });
});

describe('--unsafe-fixes', () => {
  it('writes ~/.terraformrc and creates the cache directory only when asked', async () => {
    const project = copyFixture('seed-blog');
    const home = tempDir('tm-doctor-home-');
    await check(project, { home, fix, rules: ['plugin-cache-dir'] });
    expect(existsSync(join(home, '.terraformrc'))).toBe(false);
    expect(existsSync(join(home, '.terraform.d'))).toBe(false);

    const other = copyFixture('seed-blog');
    const outcome = await check(other, { home, fix: { fix: true, unsafe: true }, rules: ['plugin-cache-dir'] });
    expect(readFileSync(join(home, '.terraformrc'), 'utf8')).toBe('plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n');
    expect(statSync(join(home, '.terraform.d/plugin-cache')).isDirectory()).toBe(true);
    expect(outcome.findings.filter((finding) => !finding.fixed)).toEqual([]);
  });
});
