// Mutation fuzzing from real fixtures: HCL, Makefiles, workflow YAML, lock files and the CLI
// config, damaged the ways editors, merges and attackers damage them. Whatever the input:
// no exception escapes the engine, the CLI exits 0, 1 or 2 without a stack trace in bounded
// time and memory, and --fix never turns a file that parsed into one that does not.
// CI runs a bounded sample; TM_DOCTOR_FUZZ_CASES / TM_DOCTOR_FUZZ_CLI_CASES / TM_DOCTOR_FUZZ_SEED
// run more (see README, "Fuzzing").
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runDoctor } from '../../src/engine/doctor.js';
import { UsageError } from '../../src/util/errors.js';
import { FIXTURES, tempDir } from '../support/project.js';
import { seededRandom } from '../support/seeded-random.js';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');
const SEED = Number(process.env.TM_DOCTOR_FUZZ_SEED ?? 20261202);
const CASES = Number(process.env.TM_DOCTOR_FUZZ_CASES ?? 100);
const CLI_CASES = Number(process.env.TM_DOCTOR_FUZZ_CLI_CASES ?? 16);
/** A long run: keep going (engine cases, then one CLI case in ten) until this many seconds passed. */
const SECONDS = Number(process.env.TM_DOCTOR_FUZZ_SECONDS ?? 0);

const WORKFLOW = `name: init
on: [push]
jobs:
  init:
    runs-on: ubuntu-latest
    env:
      TM_ARG_RUN_PARALLEL: "4"
    steps:
      - uses: actions/checkout@v4
      - run: terramate run --parallel 4 -- terraform init
      - run: |
          terramate run \\
            --enable-sharing -- terraform plan
`;
const TERRAFORMRC = 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\ncredentials "app.terraform.io" {\n  token = "x"\n}\n';

/** The files mutated, by their place in the seed project (a copy of fixtures/seed-blog). */
const TARGETS = ['Makefile', 'terramate.tm.hcl', 'sharing.tm.hcl', 'stacks/dev/network/.terraform.lock.hcl', 'stacks/dev/blog/stack.tm.hcl', '.github/workflows/ci.yml', '~/.terraformrc'];

const FRAGMENTS = [
  '{', '}', '[', ']', '(', ')', '"', "'", '\\', '$(', '${', '$$', '#', '\n', '\r\n', '\t', ' ', '\u0000', '\u001b[2J', '\uFEFF', 'ü',
  'include Makefile\n', 'ifeq (a,b)\n', 'endif\n', 'define X\n', 'endef\n', '--enable-sharing', '--mock-on-fail', '-j 9', '--parallel=', '$(shell x)',
  'terramate run -- terraform init', 'stack {}', 'terramate {', 'env {', 'TF_PLUGIN_CACHE_DIR = "~/c"', 'h1:', 'zh:', '- run: ', ': ', '&a ', '*a', '<<: *a',
  'script "a" {\n', 'commands = [["terraform", "init", { enable_sharing = true }]]', '${terramate.root.path.fs.absolute}', '"${env.HOME}"',
];

function mutate(text: string, next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const at = () => Math.floor(next() * (text.length + 1));
  let out = text;
  const steps = 1 + Math.floor(next() * 4);
  for (let step = 0; step < steps; step++) {
    const start = Math.floor(next() * (out.length + 1));
    const end = Math.min(out.length, start + Math.floor(next() * 40));
    switch (Math.floor(next() * 7)) {
      case 0:
        out = out.slice(0, start) + out.slice(end);
        break;
      case 1:
        out = out.slice(0, start) + pick(FRAGMENTS) + out.slice(start);
        break;
      case 2:
        out = out.slice(0, end) + out.slice(start, end) + out.slice(end);
        break;
      case 3:
        out = out.slice(0, start);
        break;
      case 4: {
        const lines = out.split('\n');
        const a = Math.floor(next() * lines.length);
        const b = Math.floor(next() * lines.length);
        [lines[a], lines[b]] = [lines[b], lines[a]];
        out = lines.join('\n');
        break;
      }
      case 5:
        out = out.slice(0, start) + pick(['{', '[', '(', '$(']).repeat(1 + Math.floor(next() * 400)) + out.slice(start);
        break;
      default:
        out = out.slice(0, at()) + String.fromCharCode(Math.floor(next() * 0x250)) + out.slice(at());
    }
  }
  return out;
}

interface FuzzCase {
  index: number;
  target: string;
  text: string;
}

function fuzzCase(index: number): FuzzCase {
  const next = seededRandom(SEED + index * 7919);
  const target = TARGETS[index % TARGETS.length];
  const original = target === '.github/workflows/ci.yml' ? WORKFLOW : target === '~/.terraformrc' ? TERRAFORMRC : readFileSync(join(FIXTURES, 'seed-blog', target), 'utf8');
  return { index, target, text: mutate(original, next) };
}

function layOut(fuzz: FuzzCase): { project: string; home: string } {
  const project = join(tempDir('tm-doctor-fuzz-'), 'project');
  const home = tempDir('tm-doctor-fuzz-home-');
  cpSync(join(FIXTURES, 'seed-blog'), project, { recursive: true });
  mkdirSync(join(project, '.github/workflows'), { recursive: true });
  writeFileSync(join(project, '.github/workflows/ci.yml'), WORKFLOW);
  writeFileSync(join(home, '.terraformrc'), TERRAFORMRC);
  const path = fuzz.target.startsWith('~/') ? join(home, fuzz.target.slice(2)) : join(project, fuzz.target);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, fuzz.text);
  return { project, home };
}

const request = (dir: string, home: string) => ({
  dir,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
  options: { noExec: true, handshakeTimeoutMs: 10_000, noCache: true },
});

describe(`mutation fuzzing (seed ${SEED})`, () => {
  it(`${CASES} mutated projects: the engine never throws, and --fix never breaks a file that parsed`, async () => {
    const failures: string[] = [];
    const deadline = SECONDS > 0 ? Date.now() + SECONDS * 1000 : 0;
    let index = 0;
    for (; deadline ? Date.now() < deadline : index < CASES; index++) {
      const fuzz = fuzzCase(index);
      const { project, home } = layOut(fuzz);
      try {
        const before = await runDoctor(request(project, home));
        const parsedBefore = (file: string) => !before.findings.some((finding) => finding.ruleId === 'parse-error' && finding.location?.file === file);
        await runDoctor(request(project, home), { fix: true });
        const after = await runDoctor(request(project, home));
        for (const finding of after.findings) {
          if (finding.ruleId === 'parse-error' && finding.location && parsedBefore(finding.location.file)) {
            failures.push(`case ${fuzz.index} (${fuzz.target}): --fix broke ${finding.location.file}: ${finding.message}`);
          }
        }
      } catch (error) {
        if (!(error instanceof UsageError)) failures.push(`case ${fuzz.index} (${fuzz.target}): ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    if (deadline) process.stderr.write(`fuzz: ${index} engine cases (seed ${SEED}), ${failures.length} failures\n`);
    expect(failures).toEqual([]);
  }, SECONDS > 0 ? SECONDS * 1000 + 600_000 : 600_000);

  it(`${CLI_CASES} mutated projects through the CLI: exit 0, 1 or 2, no stack trace, bounded time and memory`, () => {
    const failures: string[] = [];
    for (let index = 0; index < CLI_CASES; index++) {
      const fuzz = fuzzCase(100_000 + index);
      const { project, home } = layOut(fuzz);
      const run = spawnSync(process.execPath, ['--max-old-space-size=512', BIN, 'check', project, '--no-exec', '--format', index % 2 ? 'json' : 'stylish'], {
        env: { PATH: process.env.PATH ?? '', HOME: home },
        encoding: 'utf8',
        timeout: 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
      });
      const problems: string[] = [];
      if (run.signal) problems.push(`killed by ${run.signal} (time or memory bound)`);
      if (![0, 1, 2].includes(run.status ?? -1)) problems.push(`exit ${run.status}`);
      if (/^\s+at .+\(.+:\d+:\d+\)$/m.test(run.stderr)) problems.push('a stack trace on stderr');
      if (problems.length > 0) failures.push(`case ${fuzz.index} (${fuzz.target}): ${problems.join(', ')}: ${run.stderr.slice(0, 500)}`);
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
