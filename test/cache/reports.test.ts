// The stored report of a check is reused only while nothing it depended on changed. The truth
// is the same check run with --no-cache: after every change below, the run that may reuse a
// stored report prints exactly what the run that may not prints, with the same exit code.
// A run that reused a report says so on stderr under TM_DOCTOR_STATS=1.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CacheDirectory } from '../../src/cache/directory.js';
import { MAX_STORED_REPORTS, pruneReports } from '../../src/cache/reports.js';
import { FIXTURES } from '../support/project.js';
import { REALISTIC_TERRAFORMRC } from '../support/realistic-configs.js';
import { seededRandom } from '../support/seeded-random.js';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');
const REUSED = /stored report reused/;
/** Longer than the window in which a file just written is distrusted (3 s, util/dependency-record.ts). */
const SETTLE_MS = 3_300;
const SEED = Number(process.env.TM_DOCTOR_REPORT_CACHE_SEED ?? 20261202);
const ROUNDS = Number(process.env.TM_DOCTOR_REPORT_CACHE_ROUNDS ?? 4);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Project {
  name: string;
  dir: string;
  home: string;
  cache: string;
  env: Record<string, string>;
  args: string[];
}

function run(project: Project, extraArgs: string[] = []): Promise<Run> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: project.home, XDG_CACHE_HOME: project.cache, TM_DOCTOR_STATS: '1', ...project.env };
  return new Promise((done) => {
    execFile(process.execPath, [BIN, 'check', project.dir, ...project.args, ...extraArgs], { env, cwd: project.dir, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** Runs `work` over `items`, two at a time (the machine has two cores). */
async function pairwise<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index]);
  };
  await Promise.all([worker(), worker()]);
  return results;
}

const settle = () => new Promise((done) => setTimeout(done, SETTLE_MS));

/** The report and exit code, without the stats line (it says whether the report was reused). */
function visible(result: Run): { code: number | null; stdout: string; stderr: string } {
  return { code: result.code, stdout: result.stdout, stderr: result.stderr.replace(/^tm-doctor stats: .*\n/m, '') };
}

let base: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'tm-doctor-report-cache-'));
});
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

let counter = 0;
function newProject(fixture: string, args: string[] = ['--no-exec']): Project {
  const root = join(base, `${fixture}-${counter++}`);
  const project: Project = { name: fixture, dir: join(root, 'project'), home: join(root, 'home'), cache: join(root, 'cache'), env: {}, args };
  cpSync(join(FIXTURES, fixture), project.dir, { recursive: true });
  mkdirSync(project.home);
  return project;
}

/** A change to a project, its user's files or its environment. */
interface Change {
  name: string;
  apply(project: Project): void;
  /** False when the report cannot depend on it: reuse is then expected. */
  visible: boolean;
  /** The fixture's report differs after it (checked, so that the case proves something). */
  changesReport?: boolean;
  /** The fixture changed (seed-blog when not given). */
  fixture?: string;
}

const edit = (path: string, change: (text: string) => string) => (project: Project) => {
  const file = join(project.dir, path);
  writeFileSync(file, change(readFileSync(file, 'utf8')));
};

/** Replaces one character and puts the modification time back: only the change time tells. */
const sameSizeEdit = (path: string, from: string, to: string) => (project: Project) => {
  const file = join(project.dir, path);
  const before = statSync(file);
  const text = readFileSync(file, 'utf8');
  expect(from.length).toBe(to.length);
  expect(text.includes(from)).toBe(true);
  writeFileSync(file, text.replace(from, to));
  utimesSync(file, before.atime, before.mtime);
};

const CHANGES: Change[] = [
  { name: 'the Makefile loses --enable-sharing', visible: true, changesReport: true, apply: edit('Makefile', (text) => text.replaceAll('--enable-sharing', '')) },
  { name: 'a comment added to a stack file', visible: true, fixture: 'seed-author-fixed', apply: edit('stacks/dev/blog/stack.tm.hcl', (text) => `${text}\n# reviewed\n`) },
  { name: 'a same-size edit with the modification time put back', visible: true, changesReport: true, apply: sameSizeEdit('terramate.tm.hcl', 'terramate', 'terramatf') },
  { name: 'a lock file deleted', visible: true, changesReport: true, apply: (project) => rmSync(join(project.dir, 'stacks/prd/network/.terraform.lock.hcl')) },
  {
    name: 'a lock file loses its h1: hashes',
    visible: true,
    changesReport: true,
    apply: edit('stacks/dev/network/.terraform.lock.hcl', (text) => text.replace(/"h1:[^"]*",?\n/g, '')),
  },
  {
    name: 'a new stack',
    visible: true,
    apply: (project) => {
      mkdirSync(join(project.dir, 'stacks/dev/queue'), { recursive: true });
      writeFileSync(join(project.dir, 'stacks/dev/queue/stack.tm.hcl'), 'stack {\n  name = "queue"\n  tags = ["dev"]\n}\n');
    },
  },
  {
    name: 'a new workflow',
    visible: true,
    changesReport: true,
    apply: (project) => {
      mkdirSync(join(project.dir, '.github/workflows'), { recursive: true });
      writeFileSync(
        join(project.dir, '.github/workflows/init.yml'),
        'on: push\njobs:\n  init:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terramate run --parallel 4 --enable-sharing -- terraform init\n',
      );
    },
  },
  { name: 'a stack directory renamed', visible: true, changesReport: true, apply: (project) => renameSync(join(project.dir, 'stacks/prd/blog'), join(project.dir, 'stacks/prd/web')) },
  {
    name: 'the Makefile becomes a link to an edited copy outside the project',
    visible: true,
    changesReport: true,
    apply: (project) => {
      const outside = join(dirname(project.dir), 'Makefile.shared');
      writeFileSync(outside, `${readFileSync(join(project.dir, 'Makefile'), 'utf8')}\nwarm:\n\tterramate run --enable-sharing -- terraform init\n`);
      rmSync(join(project.dir, 'Makefile'));
      symlinkSync(outside, join(project.dir, 'Makefile'));
    },
  },
  {
    name: 'the user turns the plugin cache on in ~/.terraformrc',
    visible: true,
    changesReport: true,
    apply: (project) => writeFileSync(join(project.home, '.terraformrc'), `plugin_cache_dir = "${project.home}/.terraform.d/plugin-cache"\n`),
  },
  {
    name: "the user's dotfiles ~/.terraformrc (credentials, a mirror, the cache)",
    visible: true,
    changesReport: true,
    apply: (project) => writeFileSync(join(project.home, '.terraformrc'), REALISTIC_TERRAFORMRC),
  },
  { name: 'TF_PLUGIN_CACHE_DIR set in the environment', visible: true, changesReport: true, apply: (project) => (project.env.TF_PLUGIN_CACHE_DIR = join(project.home, 'cache')) },
  {
    name: 'a .tm-doctor.json that disables a rule',
    visible: true,
    changesReport: true,
    apply: (project) => writeFileSync(join(project.dir, '.tm-doctor.json'), '{ "rules": { "no-sharing-on-init": "off" } }\n'),
  },
  { name: 'a .tmskip in a stack group', visible: true, changesReport: true, apply: (project) => writeFileSync(join(project.dir, 'stacks/prd/.tmskip'), '') },
  { name: 'an .opentofu-version file', visible: true, fixture: 'clean', apply: (project) => writeFileSync(join(project.dir, '.opentofu-version'), '1.9.1\n') },
  { name: 'a stack file made unreadable to the walk (mode 000)', visible: true, apply: (project) => chmodSync(join(project.dir, 'stacks/dev/network/stack.tm.hcl'), 0o000) },
  { name: 'a variable no rule reads', visible: false, apply: (project) => (project.env.UNRELATED_SETTING = `${counter++}`) },
  { name: 'nothing', visible: false, apply: () => {} },
];

/** Every file below `dir` (links included, not followed), relative to it. */
function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesBelow(dir, path) : [path];
  });
}

/**
 * One random change that can be made again and again: to a file of the project (rewritten,
 * edited keeping size and mtime, deleted, made a link, chmod), to its tree (a new stack, a
 * renamed directory, a .tmskip), to its user's files or environment, or (one time in four) nothing.
 * Returns what it did.
 */
function randomChange(project: Project, next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const files = filesBelow(project.dir);
  const file = files.length > 0 ? pick(files) : null;
  const path = file === null ? '' : join(project.dir, file);
  const tag = Math.floor(next() * 1e6);
  switch (Math.floor(next() * 16)) {
    case 0:
      if (file === null) return 'nothing (no file)';
      writeFileSync(path, `${readFileSync(path, 'utf8')}\n# ${tag}\n`);
      return `comment appended to ${file}`;
    case 1:
      if (file === null) return 'nothing (no file)';
      writeFileSync(path, readFileSync(path));
      return `${file} rewritten with the same bytes`;
    case 2: {
      if (file === null) return 'nothing (no file)';
      const before = statSync(path);
      const text = readFileSync(path, 'utf8');
      const at = text.search(/[a-z]/);
      if (at < 0) return `nothing (${file} has no letter)`;
      writeFileSync(path, text.slice(0, at) + (text[at] === 'z' ? 'y' : String.fromCharCode(text.charCodeAt(at) + 1)) + text.slice(at + 1));
      utimesSync(path, before.atime, before.mtime);
      return `same-size edit of ${file}, mtime put back`;
    }
    case 3:
      if (file === null) return 'nothing (no file)';
      rmSync(path);
      return `${file} deleted`;
    case 4: {
      const dir = join(project.dir, 'stacks', pick(['dev', 'prd', 'stg']), `svc-${tag}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'stack.tm.hcl'), `stack {\n  name = "svc-${tag}"\n}\n`);
      if (next() < 0.5) writeFileSync(join(dir, '.terraform.lock.hcl'), readFileSync(join(FIXTURES, 'seed-blog/stacks/dev/blog/.terraform.lock.hcl')));
      return `new stack ${relative(project.dir, dir)}`;
    }
    case 5: {
      const makefile = join(project.dir, 'Makefile');
      const text = readFileSync(makefile, 'utf8');
      writeFileSync(makefile, text.includes('--enable-sharing') ? text.replaceAll('--enable-sharing', '') : `${text}\ninit-${tag}:\n\tterramate run --enable-sharing --parallel 4 -- terraform init\n`);
      return 'Makefile: --enable-sharing toggled';
    }
    case 6:
      if (project.env.TF_PLUGIN_CACHE_DIR) delete project.env.TF_PLUGIN_CACHE_DIR;
      else project.env.TF_PLUGIN_CACHE_DIR = next() < 0.5 ? project.home : join(project.home, `missing-${tag}`);
      return 'TF_PLUGIN_CACHE_DIR toggled';
    case 7: {
      const rc = join(project.home, '.terraformrc');
      if (next() < 0.5) rmSync(rc, { force: true });
      else writeFileSync(rc, `plugin_cache_dir = "${next() < 0.5 ? project.home : join(project.home, `c-${tag}`)}"\n`);
      return '~/.terraformrc changed';
    }
    case 8: {
      const dirs = files.filter((name) => name.startsWith('stacks/') && name.split('/').length >= 4).map((name) => name.split('/').slice(0, 3).join('/'));
      if (dirs.length === 0) return 'nothing (no stack directory)';
      const dir = pick(dirs);
      renameSync(join(project.dir, dir), join(project.dir, `${dir}-${tag}`));
      return `${dir} renamed`;
    }
    case 9:
      if (file === null) return 'nothing (no file)';
      chmodSync(path, statSync(path).mode & 0o100 ? 0o644 : 0o755);
      return `${file} chmod`;
    case 10: {
      if (file === null) return 'nothing (no file)';
      const outside = join(dirname(project.dir), `linked-${tag}`);
      writeFileSync(outside, `${readFileSync(path, 'utf8')}\n# ${tag}\n`);
      rmSync(path);
      symlinkSync(outside, path);
      return `${file} replaced by a link to an edited copy`;
    }
    case 11: {
      const dir = join(project.dir, 'stacks', pick(['dev', 'prd']));
      const skip = join(dir, '.tmskip');
      mkdirSync(dir, { recursive: true });
      if (files.includes(relative(project.dir, skip))) rmSync(skip);
      else writeFileSync(skip, '');
      return `${relative(project.dir, skip)} toggled`;
    }
    default:
      if (next() < 0.5) project.env.UNRELATED_SETTING = String(tag);
      return 'nothing the report depends on';
  }
}

describe('report cache', () => {
  it('reuses a stored report only until something it depended on changes', async () => {
    const projects = CHANGES.map((change) => ({ change, project: newProject(change.fixture ?? 'seed-blog') }));
    await settle();
    const first = await pairwise(projects, ({ project }) => run(project));
    const second = await pairwise(projects, ({ project }) => run(project));
    projects.forEach(({ project }, index) => {
      expect({ project: project.name, stats: first[index].stderr }).toEqual({ project: project.name, stats: expect.not.stringMatching(REUSED) });
      expect({ project: project.name, stats: second[index].stderr }).toEqual({ project: project.name, stats: expect.stringMatching(REUSED) });
      expect(visible(second[index])).toEqual(visible(first[index]));
    });

    for (const { change, project } of projects) change.apply(project);
    const cached = await pairwise(projects, ({ project }) => run(project));
    const fresh = await pairwise(projects, ({ project }) => run(project, ['--no-cache']));
    // Whole lists, so that a failure names every change that went wrong.
    expect(projects.map(({ change }, index) => ({ change: change.name, ...visible(cached[index]) }))).toEqual(
      projects.map(({ change }, index) => ({ change: change.name, ...visible(fresh[index]) })),
    );
    expect(projects.map(({ change }, index) => ({ change: change.name, reused: REUSED.test(cached[index].stderr) }))).toEqual(
      projects.map(({ change }) => ({ change: change.name, reused: !change.visible })),
    );
    // The changes that must show in the report do (else their case would prove little).
    const shown = projects.flatMap(({ change }, index) =>
      change.changesReport ? [{ change: change.name, same: visible(fresh[index]).stdout === visible(first[index]).stdout }] : [],
    );
    expect(shown).toEqual(shown.map(({ change }) => ({ change, same: false })));
  }, 600_000);

  it('never stores a report that read a file written during or just before the run', async () => {
    const project = newProject('seed-blog');
    // A modification time in the future stays "just written" however slowly the runs start.
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(join(project.dir, 'Makefile'), future, future);
    await settle();
    const runs = [await run(project), await run(project), await run(project)];
    for (const result of runs) expect(result.stderr).not.toMatch(REUSED);
    expect(visible(runs[2])).toEqual(visible(runs[0]));
  }, 120_000);

  it('keys the report on the arguments, the working directory and the output file', async () => {
    const project = newProject('seed-blog', ['--no-exec', '--format', 'json']);
    await settle();
    const json = [await run(project), await run(project)];
    expect(json.map((result) => REUSED.test(result.stderr))).toEqual([false, true]);
    const stylish = await run(project, ['--format', 'stylish']);
    expect(stylish.stderr).not.toMatch(REUSED);
    expect(stylish.stdout).not.toEqual(json[0].stdout);
    const output = join(dirname(project.dir), 'report.json');
    const toFile = [await run(project, ['--output', output]), await run(project, ['--output', output])];
    expect(toFile.map((result) => REUSED.test(result.stderr))).toEqual([false, true]);
    expect(toFile[1].stdout).toBe('');
    expect(readFileSync(output, 'utf8')).toBe(json[0].stdout);
    expect(toFile[1].code).toBe(json[0].code);
  }, 120_000);

  it('ignores a damaged or foreign stored report, without a stack trace', async () => {
    const project = newProject('seed-blog');
    await settle();
    const fresh = await run(project, ['--no-cache']);
    await run(project);
    const reports = join(project.cache, 'tm-doctor', 'reports');
    const [file] = readdirSync(reports).map((name) => join(reports, name));
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const damaged: unknown[] = [
      null,
      [],
      { ...stored, format: 99 },
      { ...stored, exitCode: 1.5 },
      { ...stored, report: 7 },
      { ...stored, stderr: 3 },
      { ...stored, env: [null] },
      { ...stored, answers: [[null, 'x']] },
      { ...stored, answers: [['nonsense\n/etc/passwd', 'x']] },
    ];
    const results: Run[] = [];
    for (const document of damaged) {
      writeFileSync(file, JSON.stringify(document));
      results.push(await run(project));
    }
    writeFileSync(file, '{"format": 1, "key": ');
    results.push(await run(project));
    expect(results.map(visible)).toEqual(results.map(() => visible(fresh)));
    expect(results.map((result) => REUSED.test(result.stderr))).toEqual(results.map(() => false));
  }, 120_000);

  it('keeps the 64 newest reports and drops temp files a killed run left an hour ago, and nothing else', () => {
    const root = mkdtempSync(join(base, 'cache-'));
    const dir = join(root, 'reports');
    mkdirSync(dir, { mode: 0o700 });
    const now = Date.now() / 1000;
    const names = Array.from({ length: 70 }, (_, index) => `${String(index).padStart(32, 'a')}.json`);
    names.forEach((name, index) => {
      writeFileSync(join(dir, name), '{}', { mode: 0o600 });
      utimesSync(join(dir, name), now - 1000 + index, now - 1000 + index);
    });
    const old = `${'b'.repeat(32)}.json.1.0123456789ab.tmp`;
    writeFileSync(join(dir, old), '');
    utimesSync(join(dir, old), now - 7200, now - 7200);
    const busy = `${'c'.repeat(32)}.json.2.0123456789ab.tmp`;
    writeFileSync(join(dir, busy), '');
    // Names tm-doctor never writes stay, however old.
    const theirs = ['notes.json', 'old.json.1.tmp', `${'d'.repeat(31)}.json`];
    for (const name of theirs) {
      writeFileSync(join(dir, name), '{}');
      utimesSync(join(dir, name), now - 9000, now - 9000);
    }
    pruneReports(CacheDirectory.at(root));
    expect(readdirSync(dir).sort()).toEqual([busy, ...theirs, ...names.slice(70 - MAX_STORED_REPORTS)].sort());
  });

  it('is not used by --fix, --fix-dry-run or --no-cache', async () => {
    const project = newProject('seed-blog');
    await settle();
    await run(project);
    for (const args of [['--fix-dry-run'], ['--no-cache']]) expect((await run(project, args)).stderr).not.toMatch(REUSED);
    const fixed = await run(project, ['--fix']);
    expect(fixed.stderr).not.toMatch(REUSED);
    const after = await run(project);
    expect(after.stderr).not.toMatch(REUSED);
    expect(visible(after)).toEqual(visible(await run(project, ['--no-cache'])));
  }, 120_000);

  it(`stays true to --no-cache over ${ROUNDS} rounds of random changes (seed ${SEED})`, async () => {
    const next = seededRandom(SEED);
    const projects = ['seed-blog', 'seed-author-fixed', 'clean', 'seed-blog'].map((fixture) => ({ project: newProject(fixture), changes: [] as string[] }));
    await settle();
    await pairwise(projects, ({ project }) => run(project));
    let reused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const entry of projects) {
        try {
          entry.changes.push(randomChange(entry.project, next));
        } catch (error) {
          entry.changes.push(`a change that could not be made (${(error as Error).message})`); // its file was gone
        }
      }
      const cached = await pairwise(projects, ({ project }) => run(project));
      const fresh = await pairwise(projects, ({ project }) => run(project, ['--no-cache']));
      reused += cached.filter((result) => REUSED.test(result.stderr)).length;
      // Whole lists, labelled with every change so far: a failure names its round and history.
      expect(projects.map((entry, index) => ({ round, project: entry.project.name, changes: entry.changes, ...visible(cached[index]) }))).toEqual(
        projects.map((entry, index) => ({ round, project: entry.project.name, changes: entry.changes, ...visible(fresh[index]) })),
      );
      // Let the changes settle so the next round's runs store reports the following changes must invalidate.
      await settle();
      await pairwise(projects, ({ project }) => run(project));
    }
    // Some rounds change nothing the report depends on: a stored report was reused and checked.
    expect(reused).toBeGreaterThan(0);
    console.log(`report cache differential (seed ${SEED}): ${ROUNDS} rounds x ${projects.length} projects, ${reused} runs reused a stored report`);
  }, 1_800_000);
});
