// Differential test of no-sharing-on-init's --fix, GNU make as the judge: on generated Makefiles
// whose init recipe gets a sharing flag, the real engine's --fix must leave `make -n init` with
// no flag and every other word in order, and `make -n plan` byte for byte as it was, under each
// environment the makefile reads. A fix not offered counts only when the finding's help gives a
// reason the generator predicts (a value known only at run time), and is reported apart; so is
// a positive with no finding at all, only when its flag is printed by `$(shell ...)` (the
// analysis never claims a flag it cannot know). Everything else is a failure.
//
// TM_DOCTOR_FIX_CASES: how many positives (default 300); TM_DOCTOR_FIX_SEED: the first seed.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runDoctor } from '../../../src/engine/doctor.js';
import { generateSharingMakefile, SHARING_WORD, type RunTimeSource, type SharingMakefile } from './sharing-generate.js';

const POSITIVES = Number(process.env.TM_DOCTOR_FIX_CASES ?? 300);
const FIRST_SEED = Number(process.env.TM_DOCTOR_FIX_SEED ?? 1);
const RULE = 'no-sharing-on-init';

/**
 * The help sentences each run-time source may refuse the fix with: its own, or the one for a
 * function over it (`$(word 1,$(shell ...))` is known only at run time too).
 */
const REASONS_OF: Record<RunTimeSource, string[]> = {
  shell: ['no-fix-shell', 'no-fix-run-time'],
  undefined: ['no-fix-undefined', 'no-fix-run-time'],
  'computed-name': ['no-fix-computed-name', 'no-fix-run-time'],
};

const workspace = mkdtempSync(join(tmpdir(), 'tm-doctor-sharing-diff-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

// `+` lines run even under `make -n`: a terramate that does nothing stands in for the real one.
const stubs = join(workspace, 'bin');
mkdirSync(stubs);
writeFileSync(join(stubs, 'terramate'), '#!/bin/sh\nexit 0\n');
chmodSync(join(stubs, 'terramate'), 0o755);
const home = join(workspace, 'home');
mkdirSync(home);

interface MakeRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** What `make -n` prints for each goal, under each environment the makefile reads. */
type MakeOutputs = Array<{ init: MakeRun; plan: MakeRun }>;

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const SEPARATOR = '__TM_DOCTOR_SEPARATOR__';
// Both goals in one make run: this makefile prints a line between them.
const separatorMakefile = join(workspace, 'separator.mk');
writeFileSync(separatorMakefile, `__tm_doctor_separator:\n\t@echo ${SEPARATOR}\n`);
let batches = 0;

/**
 * `make -n -f Makefile <init> <separator> <plan>` in each directory under each environment,
 * from one shell script: one process start for a whole batch instead of one per make.
 */
function makeAll(cases: ReadonlyArray<{ generated: SharingMakefile; dir: string }>): Map<string, MakeOutputs> {
  const out = join(workspace, `make-${batches++}`);
  mkdirSync(out);
  const path = `${stubs}:${process.env.PATH ?? '/usr/bin:/bin'}`;
  const lines = ['#!/bin/sh'];
  cases.forEach(({ generated, dir }, d) => {
    generated.environments.forEach((env, e) => {
      const assignments = Object.entries({ PATH: path, ...env }).map(([name, value]) => `${name}=${quote(value)}`).join(' ');
      const goals = [generated.init, '__tm_doctor_separator', generated.plan].map(quote).join(' ');
      const base = join(out, `${d}.${e}`);
      lines.push(
        `(cd ${quote(dir)} && env -i ${assignments} make -n -f Makefile -f ${quote(separatorMakefile)} ${goals} >${quote(`${base}.out`)} 2>${quote(`${base}.err`)}; echo $? >${quote(`${base}.rc`)})`,
      );
    });
  });
  const script = join(out, 'run.sh');
  writeFileSync(script, `${lines.join('\n')}\n`);
  const ran = spawnSync('sh', [script], { encoding: 'utf8' });
  if (ran.status !== 0) throw new Error(`make batch failed: ${ran.stderr}`);
  const results = new Map<string, MakeOutputs>();
  cases.forEach(({ generated, dir }, d) => {
    results.set(
      dir,
      generated.environments.map((_, e) => {
        const base = join(out, `${d}.${e}`);
        const status = Number(readFileSync(`${base}.rc`, 'utf8').trim());
        const stdout = readFileSync(`${base}.out`, 'utf8');
        const stderr = readFileSync(`${base}.err`, 'utf8');
        const parts = stdout.split(`echo ${SEPARATOR}\n`);
        if (status !== 0 || parts.length !== 2) return { init: { status: status || 1, stdout, stderr }, plan: { status: status || 1, stdout: '', stderr } };
        return { init: { status, stdout: parts[0], stderr }, plan: { status, stdout: parts[1], stderr } };
      }),
    );
  });
  rmSync(out, { recursive: true, force: true });
  return results;
}

/** The words the shell gets: a backslash-newline is a blank between words. */
function words(output: string): string[] {
  return output
    .replace(/\\\n/g, ' ')
    .split(/\s+/)
    .filter((word) => word !== '');
}

const hasSharing = (output: string) => words(output).some((word) => SHARING_WORD.test(word));

interface Outcome {
  kind: 'fixed' | 'wrong' | 'refused-predicted' | 'undetected-predicted' | 'refused';
  detail: string;
}

function writeProject(dir: string, makefile: string): void {
  mkdirSync(join(dir, 'stacks/a'), { recursive: true });
  writeFileSync(join(dir, 'terramate.tm.hcl'), 'terramate {\n  required_version = ">= 0.9"\n}\n');
  writeFileSync(join(dir, 'stacks/a/stack.tm.hcl'), 'stack {}\n');
  writeFileSync(join(dir, 'Makefile'), makefile);
}

/** The engine's --fix on the project; null when a fix was applied, else the outcome. */
async function fixOnce(generated: SharingMakefile, dir: string): Promise<Outcome | null> {
  const outcome = await runDoctor(
    { dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home }, only: [RULE], options: { noExec: true, handshakeTimeoutMs: 1000, noCache: true } },
    { fix: true },
  );
  const findings = outcome.findings.filter((finding) => finding.ruleId === RULE);
  const left = findings.filter((finding) => !finding.fixed);
  const fixed = findings.filter((finding) => finding.fixed);
  const predicted = new Set(generated.runTime.flatMap((source) => REASONS_OF[source]));
  if (fixed.length === 0) {
    if (left.length === 0) {
      // Only a value known at run time (`$(shell echo --enable-sharing)`) gives init a flag:
      // the analysis claims no flag it cannot know.
      return generated.runTimeFlag ? { kind: 'undetected-predicted', detail: 'no finding (a flag printed by $(shell ...))' } : { kind: 'refused', detail: 'no finding' };
    }
    const reasons = left.flatMap((finding) => (finding.helpIds ?? []).filter((id) => id.startsWith('no-fix')));
    const why = `${reasons.join(',') || 'no reason'}: ${left.map((finding) => finding.help).join(' | ')}`;
    return reasons.length > 0 && reasons.every((reason) => predicted.has(reason)) ? { kind: 'refused-predicted', detail: reasons.join(',') } : { kind: 'refused', detail: why };
  }
  if (left.length > 0) return { kind: 'wrong', detail: `a finding is left after the fix: ${left.map((finding) => finding.message).join(' | ')}` };
  return null;
}

/** GNU make's verdict on the fixed makefile. */
function judge(generated: SharingMakefile, before: MakeOutputs, after: MakeOutputs): Outcome {
  for (const [index, env] of generated.environments.entries()) {
    const { init, plan } = after[index];
    const where = `env ${JSON.stringify(env)}`;
    if (init.status !== 0 || plan.status !== 0) return { kind: 'wrong', detail: `${where}: make failed after the fix: ${init.stderr}${plan.stderr}` };
    if (hasSharing(init.stdout)) return { kind: 'wrong', detail: `${where}: a flag is left:\n${init.stdout}` };
    const expected = words(before[index].init.stdout).filter((word) => !SHARING_WORD.test(word));
    if (JSON.stringify(words(init.stdout)) !== JSON.stringify(expected)) {
      return { kind: 'wrong', detail: `${where}: an option was lost or added:\n--- before\n${before[index].init.stdout}--- after\n${init.stdout}` };
    }
    if (plan.stdout !== before[index].plan.stdout) return { kind: 'wrong', detail: `${where}: plan changed:\n--- before\n${before[index].plan.stdout}--- after\n${plan.stdout}` };
  }
  return { kind: 'fixed', detail: '' };
}

describe('no-sharing-on-init --fix against GNU make -n', () => {
  it(`fixes ${POSITIVES} generated positives right (first seed ${FIRST_SEED})`, async () => {
    const counts: Record<Outcome['kind'], number> = { fixed: 0, wrong: 0, 'refused-predicted': 0, 'undetected-predicted': 0, refused: 0 };
    const reasons: Record<string, number> = {};
    const failures: string[] = [];
    let positives = 0;
    let negatives = 0;
    let seed = FIRST_SEED;
    const record = (generated: SharingMakefile, outcome: Outcome) => {
      counts[outcome.kind]++;
      if (outcome.kind === 'refused-predicted' || outcome.kind === 'undetected-predicted') reasons[outcome.detail] = (reasons[outcome.detail] ?? 0) + 1;
      if (outcome.kind === 'wrong' || outcome.kind === 'refused') failures.push(`seed ${generated.seed}: ${outcome.kind}: ${outcome.detail}\n--- Makefile\n${generated.makefile}`);
    };
    while (positives < POSITIVES && seed < FIRST_SEED + POSITIVES * 20) {
      // A batch of makefiles; GNU make tells which are positives.
      const batch: Array<{ generated: SharingMakefile; dir: string }> = [];
      const size = Math.min(64, Math.ceil((POSITIVES - positives) * 1.2) + 2);
      for (let k = 0; k < size; k++, seed++) {
        const generated = generateSharingMakefile(seed);
        const dir = join(workspace, String(seed));
        writeProject(dir, generated.makefile);
        batch.push({ generated, dir });
      }
      const before = makeAll(batch);
      const fixed: Array<{ generated: SharingMakefile; dir: string }> = [];
      for (const { generated, dir } of batch) {
        const runs = before.get(dir)!;
        if (runs.some((run) => run.init.status !== 0 || run.plan.status !== 0)) {
          failures.push(`seed ${generated.seed}: the generated makefile does not run: ${runs.map((run) => run.init.stderr + run.plan.stderr).join('')}\n${generated.makefile}`);
          continue;
        }
        if (!runs.some((run) => hasSharing(run.init.stdout))) {
          negatives++;
          continue;
        }
        if (positives >= POSITIVES) continue;
        positives++;
        const outcome = await fixOnce(generated, dir);
        if (outcome) record(generated, outcome);
        else fixed.push({ generated, dir });
      }
      const after = makeAll(fixed);
      for (const { generated, dir } of fixed) record(generated, judge(generated, before.get(dir)!, after.get(dir)!));
      for (const { dir } of batch) rmSync(dir, { recursive: true, force: true });
    }
    const summary = { positives, negatives, ...counts, reasons };
    process.stdout.write(`sharing fix differential (first seed ${FIRST_SEED}): ${JSON.stringify(summary)}\n`);
    expect(failures.slice(0, 3).join('\n\n')).toBe('');
    expect(positives).toBe(POSITIVES);
    expect(counts.fixed + counts['refused-predicted'] + counts['undetected-predicted']).toBe(positives);
  }, Math.max(600_000, POSITIVES * 1_000));
});
