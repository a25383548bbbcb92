// Whoever can write the cache decides what a check prints: a stored report is replayed and a
// stored handshake verdict believed without looking at the project. Each case first proves the
// cache works (a legitimate report is replayed, a planted verdict is believed), then tampers
// with it the way another user could: the next run must print what `--no-cache` prints, with
// its exit code, say once why the cache is not used, and leave every file it did not make alone.
// Another user is `nobody` (uid 65534): the cases that need one run only as root.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, mkdtempSync, lutimesSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CacheDirectory } from '../../src/cache/directory.js';
import { MAX_STORED_REPORTS } from '../../src/cache/reports.js';
import { identityKey, ResultStore } from '../../src/cache/results.js';
import { findExecutable } from '../../src/analysis/provider-packages.js';
import type { HandshakeSuccess } from '../../src/providers/handshake.js';
import { FIXTURES } from '../support/project.js';
import { addBinary, addPackage, addStack, createLab, goH1, PROVIDER_RULES, runsOf } from '../support/provider-lab.js';

const REPO = resolve(import.meta.dirname, '../..');
const REUSED = /stored report reused/;
const CACHE_LINE = /^tm-doctor: the cache is not used: /gm;
/** Longer than the window in which a file just written is distrusted (3 s, util/dependency-record.ts). */
const SETTLE_MS = 3_300;
const NOBODY = 65534;
const AS_ROOT = process.geteuid?.() === 0;
const NEEDS_ROOT = AS_ROOT ? describe : describe.skip;
if (!AS_ROOT) console.log(`cache trust: the cases with files of another user are skipped: not running as root (euid ${process.geteuid?.()}), so nothing can be chowned to uid ${NOBODY}`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Project {
  dir: string;
  env: Record<string, string>;
  args: string[];
  /** $XDG_CACHE_HOME, and the cache below it. */
  xdg: string;
  cache: string;
}

function cli(project: Project, extraArgs: string[] = []): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, 'check', project.dir, ...project.args, ...extraArgs], { env: project.env, cwd: project.dir, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const settle = () => new Promise((done) => setTimeout(done, SETTLE_MS));
/** stderr without the stats line and the cache line (they say whether and why the cache was used). */
const notes = (run: Run) => run.stderr.replace(/^tm-doctor stats: .*\n/m, '').replace(/^tm-doctor: the cache is not used: .*\n/gm, '');
const cacheLines = (run: Run) => run.stderr.match(CACHE_LINE)?.length ?? 0;

let base: string;
let bin: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'tm-doctor-trust-'));
  // The CLI runs from a private copy of the build: a stored report is keyed on the build
  // (src/cli/report-key.ts), so a rebuild beside these tests would make a legitimate report stale.
  const build = join(base, 'build');
  for (const part of ['bin', 'dist', 'schema', 'docs/rules', 'package.json']) cpSync(join(REPO, part), join(build, part), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(build, 'node_modules'));
  bin = join(build, 'bin', 'run.js');
});
afterAll(() => {
  // As root, files chowned to nobody go too; as another user nothing was chowned.
  rmSync(base, { recursive: true, force: true });
});

let counter = 0;
/** The broken project (seed-blog: findings, exit 1) with its own HOME and XDG_CACHE_HOME. */
function newProject(): Project {
  const root = join(base, `p${counter++}`);
  const project: Project = { dir: join(root, 'project'), xdg: join(root, 'xdg'), cache: join(root, 'xdg', 'tm-doctor'), args: ['--no-exec'], env: {} };
  cpSync(join(FIXTURES, 'seed-blog'), project.dir, { recursive: true });
  mkdirSync(join(root, 'home'));
  mkdirSync(project.xdg, { mode: 0o700 });
  project.env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(root, 'home'), XDG_CACHE_HOME: project.xdg, TM_DOCTOR_STATS: '1' };
  return project;
}

/**
 * A project whose cache holds a legitimate stored report, proven to be replayed; and the
 * truth: the same check with --no-cache (exit 1, the report the first run printed).
 */
async function legitimate(): Promise<{ project: Project; truth: Run; report: string }> {
  const project = newProject();
  await settle();
  const first = await cli(project);
  const second = await cli(project);
  const truth = await cli(project, ['--no-cache']);
  expect([first, second, truth].map((run) => [run.code, REUSED.test(run.stderr), cacheLines(run)])).toEqual([
    [1, false, 0],
    [1, true, 0],
    [1, false, 0],
  ]);
  expect([second.stdout, truth.stdout]).toEqual([first.stdout, first.stdout]);
  const reports = readdirSync(join(project.cache, 'reports'));
  expect(reports).toHaveLength(1);
  return { project, truth, report: join(project.cache, 'reports', reports[0]) };
}

/** Every entry below `path` (not followed): kind, mode, owner, size, mtime and content hash. */
function snapshot(path: string): Record<string, string> {
  const result: Record<string, string> = {};
  const visit = (relative: string) => {
    const full = join(path, relative);
    const stats = lstatSync(full);
    const what = stats.isSymbolicLink() ? `link ${readlinkSync(full)}` : stats.isFile() ? createHash('sha256').update(readFileSync(full)).digest('hex') : 'dir';
    result[relative || '.'] = `${what} ${stats.mode.toString(8)} ${stats.uid} ${stats.size} ${stats.mtimeMs}`;
    if (stats.isDirectory()) for (const name of readdirSync(full)) visit(relative ? `${relative}/${name}` : name);
  };
  visit('');
  return result;
}

/** A run that may not use the cache: prints what --no-cache prints, says why once, changes nothing in it. */
async function expectNotUsed(project: Project, truth: Run, { problemLine = true } = {}): Promise<void> {
  const before = snapshot(project.xdg);
  const run = await cli(project);
  expect({ code: run.code, stdout: run.stdout, notes: notes(run), reused: REUSED.test(run.stderr), cacheLines: cacheLines(run) }).toEqual({
    code: truth.code,
    stdout: truth.stdout,
    notes: notes(truth),
    reused: false,
    cacheLines: problemLine ? 1 : 0,
  });
  if (problemLine) expect(snapshot(project.xdg)).toEqual(before);
}

async function expectReplayed(project: Project, expected: { code: number; stdout: string }): Promise<void> {
  const run = await cli(project);
  expect({ code: run.code, stdout: run.stdout, reused: REUSED.test(run.stderr), cacheLines: cacheLines(run) }).toEqual({ ...expected, reused: true, cacheLines: 0 });
}

/** Rewrites a stored report to claim a clean project (nothing printed, exit 0), keeping its answers unless told. */
function doctored(file: string, changes: Record<string, unknown> = {}): string {
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ ...stored, report: '', stderr: '', exitCode: 0, ...changes });
}

const CLEAN = { code: 0, stdout: '' };

describe('a stored report', () => {
  NEEDS_ROOT('planted by another user (needs root to chown to nobody)', () => {
    it('is not replayed when owned by nobody, and the same file owned by you is (it would fool us)', async () => {
      const { project, truth, report } = await legitimate();
      writeFileSync(report, doctored(report), { mode: 0o600 });
      chownSync(report, NOBODY, NOBODY);
      const planted = readFileSync(report, 'utf8');
      await expectNotUsed(project, truth);
      expect([readFileSync(report, 'utf8'), lstatSync(report).uid]).toEqual([planted, NOBODY]);
      chownSync(report, 0, 0);
      chmodSync(report, 0o600);
      await expectReplayed(project, CLEAN);
    }, 120_000);
  });

  it('that depended on nothing (no answers) is never replayed, even when it is your own', async () => {
    const { project, truth, report } = await legitimate();
    writeFileSync(report, doctored(report, { answers: [] }), { mode: 0o600 });
    await expectNotUsed(project, truth, { problemLine: false });
    await expectReplayed(project, { code: 1, stdout: truth.stdout });
  }, 120_000);
});

describe('the tm-doctor cache directory', () => {
  NEEDS_ROOT('owned by another user (needs root to chown to nobody)', () => {
    it('is not used when the directory is nobody’s (its files still yours)', async () => {
      const { project, truth } = await legitimate();
      chownSync(project.cache, NOBODY, NOBODY);
      await expectNotUsed(project, truth);
      chownSync(project.cache, 0, 0);
      await expectReplayed(project, { code: 1, stdout: truth.stdout });
    }, 120_000);
  });

  it('is not used while it or its reports directory is writable by others', async () => {
    const { project, truth } = await legitimate();
    const reports = join(project.cache, 'reports');
    for (const [path, mode] of [
      [project.cache, 0o770],
      [project.cache, 0o777],
      [reports, 0o777],
    ] as const) {
      chmodSync(path, mode);
      await expectNotUsed(project, truth);
      chmodSync(path, 0o700);
      // Nothing was written meanwhile: the legitimate report is still there and replayed.
      await expectReplayed(project, { code: 1, stdout: truth.stdout });
    }
  }, 120_000);
});

describe('the directories above the cache ($XDG_CACHE_HOME)', () => {
  NEEDS_ROOT('owned by another user (needs root to chown to nobody)', () => {
    it('is not used when XDG_CACHE_HOME is nobody’s, even mode 0755', async () => {
      const { project, truth } = await legitimate();
      chownSync(project.xdg, NOBODY, NOBODY);
      chmodSync(project.xdg, 0o755);
      await expectNotUsed(project, truth);
      chownSync(project.xdg, 0, 0);
      await expectReplayed(project, { code: 1, stdout: truth.stdout });
    }, 120_000);
  });

  it('is not used below a world-writable directory unless it is sticky (like /tmp)', async () => {
    const { project, truth } = await legitimate();
    chmodSync(project.xdg, 0o777);
    await expectNotUsed(project, truth);
    chmodSync(project.xdg, 0o1777);
    await expectReplayed(project, { code: 1, stdout: truth.stdout });
    await expectReplayed(project, { code: 1, stdout: truth.stdout });
  }, 120_000);
});

/** A healthy handshake, as a planted verdict claims. */
const HEALTHY: HandshakeSuccess = { ok: true, protocol: 5, network: 'unix', address: '/tmp/plugin.sock', line: '1|5|unix|/tmp/plugin.sock|grpc|', ms: 3 };
/** Every finding as rule, message id and place (the JSON report's fix descriptions name a time). */
const findingsOf = (run: Run) =>
  (JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; messageId: string; file: string; line: number }> }).findings.map(({ ruleId, messageId, file, line }) => ({ ruleId, messageId, file, line }));

/**
 * A project with the real test provider, damaged to print garbage instead of its handshake
 * while the lock file's h1: matches it (only the handshake tells), and a "healthy" verdict for
 * it planted into the user's results store with ResultStore, proven to be believed.
 */
async function plantedVerdict() {
  const lab = createLab();
  const binary = addBinary(lab, 'garbage', (path) => writeFileSync(`${path}.say`, 'garbage\n'));
  const packageDir = addPackage(lab, 'garbage', binary);
  addStack(lab, 'stacks/garbage', [{ type: 'garbage', packageDir, hashes: [goH1(packageDir)] }]);
  const project: Project = { dir: lab.root, xdg: lab.env.XDG_CACHE_HOME, cache: join(lab.env.XDG_CACHE_HOME, 'tm-doctor'), args: ['--format', 'json', ...PROVIDER_RULES.flatMap((rule) => ['--rule', rule])], env: { ...lab.env, TM_DOCTOR_STATS: '1' } };
  // Each run below is a full check: no stored report stands in for it.
  const check = () => {
    rmSync(join(project.cache, 'reports'), { recursive: true, force: true });
    return cli(project);
  };
  await settle();
  const truth = await cli(project, ['--no-cache']);
  const first = await check();
  const fromStore = await check();
  expect([truth, first, fromStore].map((run) => run.code)).toEqual([1, 1, 1]);
  // Only the handshake tells: the lock file's h1: matches the damaged package.
  expect(findingsOf(truth)).toEqual([{ ruleId: 'provider-handshake', messageId: 'unrecognized-line', file: 'stacks/garbage/.terraform.lock.hcl', line: 3 }]);
  expect([findingsOf(first), findingsOf(fromStore)]).toEqual([findingsOf(truth), findingsOf(truth)]);
  // The third check took the verdict from the results store: the provider ran twice, not three times.
  expect(runsOf(binary)).toBe(2);

  const executable = await findExecutable(packageDir, 'garbage');
  const store = ResultStore.open(CacheDirectory.at(project.cache));
  store.setHandshake(identityKey(executable!), lab.env.PATH, HEALTHY);
  await store.save();
  const believed = await check();
  expect({ code: believed.code, findings: findingsOf(believed), cacheLines: cacheLines(believed), runs: runsOf(binary) }).toEqual({ code: 0, findings: [], cacheLines: 0, runs: 2 });
  const results = join(project.cache, 'results');
  const shard = readdirSync(results)
    .map((name) => join(results, name))
    .find((path) => readFileSync(path, 'utf8').includes(HEALTHY.line));
  expect(shard).toBeDefined();
  /** A check that must not believe the plant: the handshake runs and its finding is back. */
  const expectNotBelieved = async () => {
    const runs = runsOf(binary);
    const run = await check();
    expect({ code: run.code, findings: findingsOf(run), cacheLines: cacheLines(run), runs: runsOf(binary) }).toEqual({ code: 1, findings: findingsOf(truth), cacheLines: 1, runs: runs + 1 });
  };
  return { shard: shard!, check, expectNotBelieved };
}

describe('the results store (handshake verdicts)', () => {
  it('does not believe a planted verdict in a shard writable by others', async () => {
    const { shard, check, expectNotBelieved } = await plantedVerdict();
    chmodSync(shard, 0o666);
    await expectNotBelieved();
    chmodSync(shard, 0o600);
    expect((await check()).code).toBe(0);
  }, 120_000);

  NEEDS_ROOT('planted by another user (needs root to chown to nobody)', () => {
    it('does not believe a planted verdict in a shard owned by nobody', async () => {
      const { shard, check, expectNotBelieved } = await plantedVerdict();
      chownSync(shard, NOBODY, NOBODY);
      await expectNotBelieved();
      chownSync(shard, 0, 0);
      expect((await check()).code).toBe(0);
    }, 120_000);
  });
});

const HEX = (index: number) => createHash('md5').update(`theirs-${index}`).digest('hex');
const HOURS_AGO = (hours: number) => new Date(Date.now() - hours * 3_600_000);

/**
 * A directory of the user's own files, 84 of them, many named as tm-doctor names its own (70
 * reports, temp files two hours old, shards, the previous format's file), all old enough to be pruned.
 */
function theirFiles(): string {
  const dir = mkdtempSync(join(base, 'theirs-'));
  const files = [
    ...Array.from({ length: 70 }, (_, index) => `${HEX(index)}.json`),
    ...['x.json', 'y.tmp', `${HEX(70)}.json.1.0123456789ab.tmp`, 'shard-00.json.1.0123456789ab.tmp', 'shard-00.json', 'results-v2.json', 'notes.txt', 'compile-cache'],
    ...[`reports/${HEX(71)}.json`, `reports/${HEX(72)}.json`, `reports/${HEX(73)}.json.1.0123456789ab.tmp`],
    ...['results/shard-02.json', 'results/shard-02.json.1.0123456789ab.tmp', 'results/results-v2.json'],
  ];
  expect(files).toHaveLength(84);
  mkdirSync(join(dir, 'reports'));
  mkdirSync(join(dir, 'results'));
  files.forEach((name, index) => {
    writeFileSync(join(dir, name), `their file ${index}\n`, { mode: 0o600 });
    utimesSync(join(dir, name), HOURS_AGO(2 + index), HOURS_AGO(2 + index));
  });
  return dir;
}

describe('links and pruning: no file of the user’s is ever removed or written', () => {
  const cases: Array<[string, (cache: string, theirs: string) => void]> = [
    ['tm-doctor is a link to it', (cache, theirs) => {
      rmSync(cache, { recursive: true });
      symlinkSync(theirs, cache);
    }],
    ['tm-doctor/reports is a link to it', (cache, theirs) => {
      rmSync(join(cache, 'reports'), { recursive: true });
      symlinkSync(theirs, join(cache, 'reports'));
    }],
    // Without a stored report to replay (which never opens the results), so that the check runs.
    ['tm-doctor/results is a link to it', (cache, theirs) => {
      rmSync(join(cache, 'reports'), { recursive: true });
      rmSync(join(cache, 'results'), { recursive: true, force: true });
      symlinkSync(theirs, join(cache, 'results'));
    }],
  ];
  it.each(cases)('%s', async (_name, link) => {
    const { project, truth } = await legitimate();
    const theirs = theirFiles();
    const before = snapshot(theirs);
    link(project.cache, theirs);
    for (let round = 0; round < 3; round++) await expectNotUsed(project, truth);
    expect(snapshot(theirs)).toEqual(before);
  }, 120_000);

  it('is said once even when storing the report is what finds it (oclif runs the check, no replay first)', async () => {
    const { project, truth } = await legitimate();
    const theirs = theirFiles();
    const before = snapshot(theirs);
    rmSync(join(project.cache, 'reports'), { recursive: true });
    symlinkSync(theirs, join(project.cache, 'reports'));
    const run = await cli({ ...project, env: { ...project.env, DEBUG: 'nothing-of-ours' } });
    expect({ code: run.code, stdout: run.stdout, cacheLines: cacheLines(run) }).toEqual({ code: truth.code, stdout: truth.stdout, cacheLines: 1 });
    expect(snapshot(theirs)).toEqual(before);
  }, 120_000);

  it('a link in reports/ named like a report is not followed, and pruning never removes its target', async () => {
    const { project, truth, report } = await legitimate();
    const theirs = theirFiles();
    const reports = join(project.cache, 'reports');
    // In place of this run's own report, a link to their (clean-looking, valid) copy of it.
    const name = report.slice(reports.length + 1);
    writeFileSync(join(theirs, name), doctored(report), { mode: 0o600 });
    rmSync(report);
    symlinkSync(join(theirs, name), report);
    const before = snapshot(theirs);
    await expectNotUsed(project, truth);
    expect(snapshot(theirs)).toEqual(before);

    // Now a run that stores its report and prunes: 70 old reports of ours, and a link, older
    // than all of them, to one of their files named like a report.
    rmSync(report);
    for (let index = 0; index < 70; index++) {
      const path = join(reports, `${createHash('md5').update(`ours-${index}`).digest('hex')}.json`);
      writeFileSync(path, '{}', { mode: 0o600 });
      utimesSync(path, HOURS_AGO(3 + index), HOURS_AGO(3 + index));
    }
    symlinkSync(join(theirs, `${HEX(0)}.json`), join(reports, `${HEX(0)}.json`));
    lutimesSync(join(reports, `${HEX(0)}.json`), HOURS_AGO(500), HOURS_AGO(500));
    const stored = await cli(project);
    expect({ code: stored.code, stdout: stored.stdout, reused: REUSED.test(stored.stderr), cacheLines: cacheLines(stored) }).toEqual({
      code: 1,
      stdout: truth.stdout,
      reused: false,
      cacheLines: 0,
    });
    // Pruning ran (the newest reports of ours are left, this run's among them) and their files are intact.
    const regular = readdirSync(reports).filter((entry) => lstatSync(join(reports, entry)).isFile());
    expect([regular.length, regular.includes(name)]).toEqual([MAX_STORED_REPORTS, true]);
    expect(snapshot(theirs)).toEqual(before);
    await expectReplayed(project, { code: 1, stdout: truth.stdout });
  }, 120_000);
});
