#!/usr/bin/env node
// tm-doctor's cure measured against the disease, with the REAL terraform: the incident's
// project (10 stacks, the seed's Makefile, one big provider from a filesystem mirror, one shared
// plugin cache) with and without lock files, fixed by `tm-doctor check --fix`, then cold
// `make init dev P 5` runs (the fixed Makefile: one serial warm-up per distinct provider
// requirement, then the parallel init). In the same run, interleaved with them, a serial init of
// every stack from the same cold cache and with the same configuration: the fix must cost less
// than giving up parallelism (goal: at most 0.75x). The unfixed incident runs beside them too.
//
// Usage: npm run build && node bench/race-fix.mjs [--trials 3] [--mb 200] [--stacks 10]
// Without terraform (PATH or TM_DOCTOR_TERRAFORM) it prints why and exits 0.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { prepareProvider } from '../test/oracle/provider.mjs';
import { createRaceProject, disposeProject, INCIDENT, parallelismFlags, resetCache, runTrial, serialInit, trialEnvironment } from '../test/oracle/race-trial.mjs';
import { findTerraform } from '../test/oracle/terraform.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.TM_DOCTOR_DIST ?? join(repo, 'dist');
const TIMEOUT = 900_000;

const { values } = parseArgs({ options: { trials: { type: 'string', default: '3' }, mb: { type: 'string', default: '200' }, stacks: { type: 'string', default: '10' } } });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;


async function main() {
  const terraform = findTerraform();
  if (terraform.path === null) {
    console.log(`bench/race-fix: skipped: ${terraform.reason}`);
    return;
  }
  const [trials, sizeMiB, stacks] = [values.trials, values.mb, values.stacks].map(Number);
  const { runDoctor } = await import(join(dist, 'engine/doctor.js'));
  const provider = prepareProvider({ sizeMiB });
  console.log(`terraform ${terraform.version ?? ''} at ${terraform.path}; provider ${sizeMiB} MiB; ${stacks} stacks; ${trials} cold trials a row`);
  const lines = [];
  for (const lockFiles of ['none', 'complete']) {
    const fixedProject = await createRaceProject({ terraform: terraform.path, provider, stacks, lockFiles });
    const incidentProject = await createRaceProject({ terraform: terraform.path, provider, stacks, lockFiles });
    try {
      const doctor = (fix) =>
        runDoctor({ dir: fixedProject.root, env: trialEnvironment(fixedProject), options: { noExec: true, handshakeTimeoutMs: 30_000, noCache: true } }, fix ? { fix: true } : {});
      const fixed = await doctor(true);
      const makefile = readFileSync(join(fixedProject.root, 'Makefile'), 'utf8');
      const doubled = makefile.split('\n').filter((line) => parallelismFlags(line) > 1);
      const warmUps = makefile.split('\n').filter((line) => line.includes('--no-recursive'));
      const left = fixed.findings.filter((finding) => !finding.fixed && finding.severity !== 'info').map((finding) => finding.ruleId);
      const results = { fixed: [], serial: [], incident: [] };
      for (let trial = 0; trial < trials; trial += 1) {
        // Interleaved, each from a cold cache: serial, fixed, the unfixed incident.
        await resetCache(fixedProject);
        results.serial.push(await serialInit(fixedProject, { timeoutMs: TIMEOUT }));
        await resetCache(fixedProject);
        results.fixed.push(await runTrial(fixedProject, INCIDENT, { timeoutMs: TIMEOUT }));
        await resetCache(incidentProject);
        results.incident.push(await runTrial(incidentProject, INCIDENT, { timeoutMs: TIMEOUT }));
      }
      const count = (runs, key) => runs.reduce((sum, run) => sum + run[key].length, 0);
      const total = trials * stacks;
      const fixedMs = median(results.fixed.map((run) => run.durationMs));
      const serialMs = median(results.serial.map((run) => run.durationMs));
      const incidentMs = median(results.incident.map((run) => run.durationMs));
      lines.push(
        `lock files ${lockFiles}:`,
        `  --fix wrote ${warmUps.length} warm-up line(s), ${doubled.length} line(s) with two parallelism flags; findings left (not info): ${left.length === 0 ? 'none' : left.join(', ')}`,
        `  fixed make init dev P 5:    broken ${count(results.fixed, 'brokenStacks')}/${total}, wrong h1 ${count(results.fixed, 'wrongHashLocks')}/${total}, median ${seconds(fixedMs)} (${results.fixed.map((run) => seconds(run.durationMs)).join(', ')})`,
        `  serial init of every stack: broken ${count(results.serial, 'brokenStacks')}/${total}, wrong h1 ${count(results.serial, 'wrongHashLocks')}/${total}, median ${seconds(serialMs)} (${results.serial.map((run) => seconds(run.durationMs)).join(', ')})`,
        `  unfixed incident:           broken ${count(results.incident, 'brokenStacks')}/${total}, wrong h1 ${count(results.incident, 'wrongHashLocks')}/${total}, median ${seconds(incidentMs)}`,
        `  fixed / serial: ${(fixedMs / serialMs).toFixed(2)}x (goal: at most 0.75x); fixed / unfixed parallel: ${(fixedMs / incidentMs).toFixed(2)}x`,
      );
      console.log(lines.slice(-6).join('\n'));
    } finally {
      await disposeProject(fixedProject);
      await disposeProject(incidentProject);
    }
  }
}

await main();
