#!/usr/bin/env node
// The long fuzz run: the same fast-check properties as CI's test/fuzz/properties.test.ts, with
// more inputs and a random (or given) seed.
//
//   npm run bench:fuzz [-- --seed N] [--runs N] [--fix-runs N] [--cli-runs N] [--seconds S] [--budget MS]
//                      [--only "engine: make from the grammar"] [--path P]
//
// It runs that Jest suite with TM_DOCTOR_FUZZ_* set, because the properties import the
// TypeScript sources: this repository runs TypeScript only through Jest's swc transform (no
// tsx or ts-node; Node 20 cannot strip types; dist/ holds src/ but not test/). Defaults: a
// random seed, 500 engine inputs per property, 50 --fix and 20 CLI inputs per kind; --seconds
// gives each property a time instead. The seed is printed first; on a failure, each failed property's
// fast-check report (seed, path, shrunk counterexample), the counterexample written as a
// project tree, and a replay command are printed, and the exit code is 1. A hang kills the run
// (the suite's watchdog) after printing where the input was written.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const REPO = resolve(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    runs: { type: 'string' },
    'cli-runs': { type: 'string' },
    'fix-runs': { type: 'string' },
    seconds: { type: 'string' },
    budget: { type: 'string' },
    only: { type: 'string' },
    path: { type: 'string' },
  },
});

const env = { ...process.env };
const choose = (name, flag, fallback) => {
  const value = flag ?? env[name] ?? fallback;
  if (value !== undefined && value !== '') env[name] = String(value);
  return value;
};
const seed = choose('TM_DOCTOR_FUZZ_SEED', values.seed, randomInt(2 ** 31));
const seconds = choose('TM_DOCTOR_FUZZ_SECONDS', values.seconds, undefined);
const runs = choose('TM_DOCTOR_FUZZ_RUNS', values.runs, 500);
const cliRuns = choose('TM_DOCTOR_FUZZ_CLI_RUNS', values['cli-runs'], 20);
const fixRuns = choose('TM_DOCTOR_FUZZ_FIX_RUNS', values['fix-runs'], 50);
choose('TM_DOCTOR_FUZZ_BUDGET_MS', values.budget, undefined);
const path = choose('TM_DOCTOR_FUZZ_PATH', values.path, undefined);

process.stdout.write(
  `fuzz: seed ${seed}, ${seconds ? `${seconds} s per property` : `${runs} engine inputs per property, ${fixRuns} --fix and ${cliRuns} CLI inputs per kind`}` +
    `${values.only ? `, only "${values.only}"` : ''}${path ? `, replaying path ${path}` : ''}\n`,
);

const jest = spawn(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    'test/fuzz/properties.test.ts',
    ...(values.only ? ['-t', values.only] : []),
  ],
  { cwd: REPO, env, stdio: ['ignore', 'inherit', 'pipe'] },
);
let output = '';
jest.stderr.on('data', (chunk) => {
  output += chunk;
  process.stderr.write(chunk);
});
jest.on('close', (code, signal) => {
  const replays = [...output.matchAll(/^\s*Replay: (.+)$/gm)].map((match) => match[1]);
  const projects = [...output.matchAll(/^\s*Counterexample project: (.+)$/gm)].map((match) => match[1]);
  const hangs = [...output.matchAll(/^tm-doctor fuzz: .+ still running after .+$/gm)].map((match) => match[0]);
  if (code === 0) {
    process.stdout.write(`fuzz: seed ${seed}: no failure\n`);
    return;
  }
  process.stdout.write(`\nfuzz: FAILED with seed ${seed}${signal ? ` (killed by ${signal})` : ''}\n`);
  for (const hang of hangs) process.stdout.write(`  ${hang}\n`);
  for (const project of projects) process.stdout.write(`  counterexample project: ${project}\n`);
  for (const replay of replays) process.stdout.write(`  replay: ${replay}\n`);
  process.exitCode = 1;
});
