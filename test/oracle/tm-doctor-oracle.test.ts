// tm-doctor checked against the real terraform (the race oracle, test/oracle/*.mjs): each row of
// the measured race table (../shared/notes/toolchain.md, bench/race.mjs) is built as a project and
// the rules' verdict on it must agree with what Terraform did there; after `--fix`, a cold
// `make init dev P 5` (the incident's command) breaks no stack and writes no wrong `h1:`; and the
// damage a racing init leaves in lock files is reported on every damaged stack and on no healthy
// one. Whether one parallel init races is probabilistic: only what holds on every run is asserted.
// Skipped, with the reason printed, where terraform is not on PATH nor in TM_DOCTOR_TERRAFORM.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';

import { runDoctor } from '../../src/engine/doctor.js';
import type { Finding } from '../../src/types.js';
import { hash1, prepareProvider, type OracleProvider } from './provider.mjs';
import {
  createRaceProject,
  disposeProject,
  INCIDENT,
  inspectLockFiles,
  MAY_BREAK_LOCK_ENV,
  parallelismFlags,
  resetCache,
  runTrial,
  trialEnvironment,
  type RaceProject,
  type RaceProjectOptions,
} from './race-trial.mjs';
import { findTerraform } from './terraform.mjs';

const PROVIDER_MIB = 40;
const TIMEOUT = 600_000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const terraform = findTerraform();
if (terraform.path === null) console.log(`tm-doctor race oracle with real terraform skipped: ${terraform.reason}`);
const withTerraform = terraform.path === null ? describe.skip : describe;

async function doctor(project: RaceProject, options: { fix?: boolean; unsafe?: boolean; rules?: string[] } = {}): Promise<Finding[]> {
  const outcome = await runDoctor(
    { dir: project.root, env: trialEnvironment(project), only: options.rules, options: { noExec: true, handshakeTimeoutMs: 30_000, noCache: true } },
    options.fix ? { fix: true, unsafe: options.unsafe } : {},
  );
  return outcome.findings;
}

/** The race finding on the init recipe, as the rule tester shows findings. */
function raceVerdict(findings: Finding[], project: RaceProject) {
  return findings
    .filter((finding) => finding.ruleId === 'parallel-init-cache-race' && !finding.fixed)
    .map((finding) => ({
      file: finding.location ? relative(project.root, finding.location.file) : null,
      severity: finding.severity,
      help: finding.helpIds,
      fix: finding.fix !== null,
    }));
}


const WARM_UP_RECIPE = 'init:\n\tterramate run --tags=$(TAGS) --parallel=1 -- terraform init $(INIT_OPTS)\n\tterramate run --tags=$(TAGS) $(TM_COMMON) -- terraform init $(INIT_OPTS)\n';
const VALIDATE_RECIPE = "init:\n\tterramate run --tags=$(TAGS) $(TM_COMMON) -- sh -c 'terraform init && terraform validate'\n";

/** Replaces the seed Makefile's init recipe (the incident's: sharing flags, parallel with P). */
function setInitRecipe(project: RaceProject, recipe: string): void {
  const file = join(project.root, 'Makefile');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('init:\n');
  const end = text.indexOf('\n\n', start);
  writeFileSync(file, text.slice(0, start) + recipe.trimEnd() + text.slice(end));
}

interface Row {
  name: string;
  options: Partial<RaceProjectOptions>;
  recipe?: string;
  /** What the measured table says and the rule must agree with. */
  verdict: Array<{ severity: 'warning' | 'error'; help: string[] }>;
}

// The rows of the measured table (Terraform 1.11.4, 10 stacks, 200 MB, 5 at a time).
const ROWS: Row[] = [
  {
    name: 'cold cache, no lock files (0/100 broken, 40/100 wrong h1): an error, the stacks re-extract on every init',
    options: { lockFiles: 'none' },
    verdict: [{ severity: 'error', help: ['symptoms', 'exposed', 'cold-cache', 'terraform-never-locks', 'options'] }],
  },
  {
    name: 'cold, complete lock files (2/100 broken, 7/100 wrong h1): a warning, a cold cache races',
    options: { lockFiles: 'complete' },
    verdict: [{ severity: 'warning', help: ['symptoms', 'cold-cache', 'terraform-never-locks', 'options'] }],
  },
  {
    name: 'cold, no lock files, the variable set (5/100 to 64/100 wrong h1): fires, and says the variable alone is no cure',
    options: { lockFiles: 'none', env: MAY_BREAK_LOCK_ENV },
    verdict: [{ severity: 'warning', help: ['symptoms', 'variable-no-cure', 'cold-cache', 'terraform-never-locks', 'options'] }],
  },
  {
    name: 'cold, no lock files, `init && validate` per stack (18/60 broken): fires through sh -c',
    options: { lockFiles: 'none' },
    recipe: VALIDATE_RECIPE,
    verdict: [{ severity: 'error', help: ['symptoms', 'exposed', 'cold-cache', 'terraform-never-locks', 'options'] }],
  },
  {
    name: 'warm-up, complete lock files (0/100): silent',
    options: { lockFiles: 'complete' },
    recipe: WARM_UP_RECIPE,
    verdict: [],
  },
  {
    name: 'warm-up, no lock files (28/100 wrong h1): still an error, the warm-up is bypassed',
    options: { lockFiles: 'none' },
    recipe: WARM_UP_RECIPE,
    verdict: [{ severity: 'error', help: ['symptoms', 'warm-up-bypassed', 'terraform-never-locks', 'options'] }],
  },
  {
    name: 'warm-up, no lock files, the variable set (0/50): silent',
    options: { lockFiles: 'none', env: MAY_BREAK_LOCK_ENV },
    recipe: WARM_UP_RECIPE,
    verdict: [],
  },
  {
    name: 'unpacked filesystem mirror + shared cache (13/100 broken): a mirror is no way out, it fires',
    options: { lockFiles: 'none', mirrorLayout: 'unpacked' },
    verdict: [{ severity: 'error', help: ['symptoms', 'exposed', 'cold-cache', 'terraform-never-locks', 'options'] }],
  },
  { name: 'packed mirror, no shared cache (0/50): silent', options: { lockFiles: 'none', sharedCache: false }, verdict: [] },
  { name: 'unpacked mirror, no shared cache (0/50): silent', options: { lockFiles: 'none', sharedCache: false, mirrorLayout: 'unpacked' }, verdict: [] },
];

withTerraform('tm-doctor against the real terraform', () => {
  let provider: OracleProvider;
  const projects: RaceProject[] = [];

  beforeAll(() => {
    provider = prepareProvider({ sizeMiB: PROVIDER_MIB });
  }, TIMEOUT);

  afterAll(async () => {
    for (const project of projects) await disposeProject(project);
  }, TIMEOUT);

  async function project(options: Partial<RaceProjectOptions>): Promise<RaceProject> {
    const made = await createRaceProject({ terraform: terraform.path as string, provider, stacks: 10, ...options });
    projects.push(made);
    return made;
  }

  describe('each row of the measured race table, as the race rule sees it', () => {
    test.each(ROWS.map((row) => [row.name, row] as const))(
      '%s',
      async (_name, row) => {
        const made = await project(row.options);
        if (row.recipe) setInitRecipe(made, row.recipe);
        const findings = await doctor(made, { rules: ['parallel-init-cache-race', 'lockfile-cache-env'] });
        expect(raceVerdict(findings, made)).toEqual(row.verdict.map((want) => ({ file: 'Makefile', ...want, fix: true })));
        // The lock-file variable is never offered alone beside an unwarmed parallel init.
        const variable = findings.find((finding) => finding.ruleId === 'lockfile-cache-env');
        const unwarmed = row.verdict.length > 0 && !row.verdict[0].help.includes('warm-up-bypassed');
        if (variable && unwarmed) expect(variable.fix).toBeNull();
      },
      TIMEOUT,
    );
  });

  describe.each(['none', 'complete'] as const)('after --fix, lock files %s', (lockFiles) => {
    test(
      'no launch line carries two parallelism flags, and one cold `make init dev P 5` breaks no stack and writes no wrong h1',
      async () => {
        const made = await project({ lockFiles });
        const fixed = await doctor(made, { fix: true });
        // What is left is information only: stacks without a lock file until their first init.
        expect(fixed.filter((finding) => !finding.fixed && finding.severity !== 'info').map((finding) => `${finding.ruleId}/${finding.messageId}`)).toEqual([]);
        expect(fixed.filter((finding) => finding.fixed).map((finding) => finding.ruleId)).toContain('parallel-init-cache-race');
        const makefile = readFileSync(join(made.root, 'Makefile'), 'utf8');
        for (const line of makefile.split('\n')) expect(parallelismFlags(line)).toBeLessThanOrEqual(1);
        // One warm-up: the ten stacks share one provider requirement.
        expect(makefile.split('\n').filter((line) => line.includes('--no-recursive'))).toEqual(['\tterramate run -C stacks/s01 --no-recursive -- terraform init -backend=false $(INIT_OPTS)']);

        await resetCache(made);
        const result = await runTrial(made, INCIDENT, { timeoutMs: TIMEOUT });
        expect(result).toMatchObject({ brokenStacks: [], wrongHashLocks: [], missingLocks: [], exitCode: 0, timedOut: false });
        // The project as the trial left it is clean, its lock files included.
        expect((await doctor(made)).map((finding) => `${finding.ruleId}/${finding.messageId}`)).toEqual([]);
      },
      TIMEOUT,
    );
  });

  test.each([
    ['none', 'lock-damaged'],
    ['complete', 'lock-extra-hash'],
  ] as const)(
    'the damage of racing inits, lock files %s: provider-checksum reports every lock file with a wrong h1 (%s) and no other, and its fix repairs them',
    async (lockFiles, messageId) => {
      const made = await project({ lockFiles });
      let damaged: string[] = [];
      let hashes: Record<string, string[] | null> = {};
      // Up to six cold racing runs until one leaves damage (most do).
      for (let trial = 0; trial < 6 && damaged.length === 0; trial += 1) {
        await resetCache(made);
        // Six trials fit in the test's own budget.
        const result = await runTrial(made, INCIDENT, { timeoutMs: TIMEOUT / 8 });
        expect(result.timedOut).toBe(false);
        damaged = result.wrongHashLocks;
        hashes = result.lockHashes;
      }
      if (damaged.length === 0) console.log(`no racing run left a wrong h1 (lock files ${lockFiles}): only "no healthy stack reported" is shown`);
      const findings = await doctor(made, { rules: ['provider-checksum'] });
      const reported = [...new Set(findings.filter((finding) => finding.location).map((finding) => relative(made.root, finding.location!.file)))].sort();
      const lockOf = (stack: string) => `${stack}/.terraform.lock.hcl`;
      // Never a healthy stack. Every damaged one, except where the files alone cannot tell: an
      // extra hash beside the right one that two lock files share reads as another platform's,
      // unless it is the package's half-written hash (its executable still empty), which is certain.
      expect(reported.filter((file) => !damaged.map(lockOf).includes(file))).toEqual([]);
      const halfWritten = hash1([{ name: provider.executableName, sha256: EMPTY_SHA256 }]);
      /** Every wrong hash of the stack's lock file is listed by another one too, and is not the half-written hash. */
      const shared = (locks: Record<string, string[] | null>, stack: string) =>
        (locks[stack] ?? [])
          .filter((hash) => hash !== provider.h1)
          .every((hash) => hash !== halfWritten && Object.entries(locks).some(([other, list]) => other !== stack && list?.includes(hash)));
      const ambiguous = (stack: string) => (hashes[stack] ?? []).includes(provider.h1) && shared(hashes, stack);
      expect(damaged.filter((stack) => !ambiguous(stack)).map(lockOf).filter((file) => !reported.includes(file))).toEqual([]);
      const vouched = damaged.length < made.stacks.length;
      if (vouched) for (const finding of findings) expect(finding.messageId).toBe(messageId);
      if (damaged.length > 0 && vouched) {
        await doctor(made, { fix: true, unsafe: true, rules: ['provider-checksum'] });
        // Repaired, but for a hash two lock files share beside the right one (read as a platform's).
        const after = inspectLockFiles(made);
        expect(after.wrongHashLocks.filter((stack) => !shared(after.lockHashes, stack))).toEqual([]);
        expect(await doctor(made, { rules: ['provider-checksum'] })).toEqual([]);
      }
    },
    TIMEOUT,
  );
});
