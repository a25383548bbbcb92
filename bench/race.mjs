#!/usr/bin/env node
// The parallel-init plugin-cache race, measured with the REAL terraform (the table of
// /work/shared/notes/toolchain.md, "The race with real Terraform"): 10 stacks of a Terramate
// project need one big provider from a filesystem mirror; the seed's Makefile launches
// `make init dev P 5` through the Terramate stand-in (test/oracle/terramate-stand-in.mjs).
// Every trial starts cold (empty plugin cache, no .terraform), unless the row warms it up.
//
// Usage: node bench/race.mjs [--trials 10] [--mb 200] [--stacks 10] [--rows id,id] [--verbose]
//   --mb      size of the provider executable in MiB (the Go test provider padded up to it)
//   --rows    row ids (see ROWS below); default: all
// Without terraform (PATH or TM_DOCTOR_TERRAFORM) it prints why and exits 0.
//
// Rows are data: import { ROWS, runRow } from './race.mjs' and add your own (for instance a row
// whose `setup` runs `tm-doctor check --fix` on project.root before its trials).
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';

import { findTerraform } from '../test/oracle/terraform.mjs';
import { prepareProvider } from '../test/oracle/provider.mjs';
import { createRaceProject, disposeProject, MAY_BREAK_LOCK_ENV, resetCache, resetStacks, runProcess, runTrial, serialInit, terraformErrors, trialEnvironment } from '../test/oracle/race-trial.mjs';

/**
 * @typedef {import('../test/oracle/race-trial.mjs').RaceProject} RaceProject
 * @typedef {import('../test/oracle/race-trial.mjs').RaceProjectOptions} RaceProjectOptions
 * @typedef {import('../test/oracle/race-trial.mjs').TrialResult} TrialResult
 * @typedef {import('../test/oracle/provider.mjs').OracleProvider} OracleProvider
 *
 * @typedef {object} RaceRow
 * @property {string} id
 * @property {string} label
 * @property {Omit<RaceProjectOptions, 'terraform' | 'provider' | 'stacks'> | Array<Omit<RaceProjectOptions, 'terraform' | 'provider' | 'stacks'>>} project
 *           project options; a list: trials take turns between those projects
 * @property {readonly string[] | string} command  what a trial runs in the project root (measured)
 * @property {boolean} [warmUp]     before each trial: WARM_UP, then every stack's `.terraform` removed
 * @property {'keep' | 'remove' | 'keep-all'} [afterWarmUp]
 *           what the warm-up leaves for the measured command: 'keep' (default) keeps the lock files
 *           it wrote, 'remove' removes them (a warm cache but lock-less stacks), 'keep-all' keeps
 *           lock files and `.terraform` too (the warm-up exactly as `tm-doctor --fix` inserts it)
 * @property {boolean} [needsSchema]  the command needs a provider that answers GetProviderSchema
 * @property {(project: RaceProject) => Promise<void>} [setup]  once per project, after it is made
 *           (e.g. run `tm-doctor check --fix` there; push any plugin cache it adds to
 *           project.extraCacheDirs so resetCache empties it too)
 * @property {(project: RaceProject, trial: number) => Promise<void>} [beforeTrial]  after the reset
 *           (and warm-up) of each trial, right before the measured command
 *
 * @typedef {object} RowResult
 * @property {RaceRow} row
 * @property {string | null} skipped  why the row was not measured
 * @property {number} trials
 * @property {number} total        stack runs (stacks x trials)
 * @property {number} broken
 * @property {number} wrongHash
 * @property {number} missingLocks
 * @property {number} extraHash    wrong-hash lock files that also hold the correct h1 (a second h1 added)
 * @property {Record<string, number>} cacheStates  after each measured command: intact, corrupt, missing, linked
 * @property {number} skippedStacks
 * @property {number} timedOut     trials
 * @property {number[]} durationsMs  of the measured commands
 * @property {Record<string, number>} errorCounts
 */

/** `make init dev P N`: the incident's command, with the seed's Makefile. */
const makeInit = (/** @type {number} */ parallel) => ['make', 'init', 'dev', 'P', String(parallel)];
/** The serial warm-up: what `tm-doctor --fix` puts before the parallel init. */
export const WARM_UP = ['terramate', 'run', '--tags=dev', '--parallel=1', '--', 'terraform', 'init'];

/** @type {RaceRow[]} */
export const ROWS = [
  { id: 'cold-p5', label: 'cold, no lock files, P=5', project: { lockFiles: 'none' }, command: makeInit(5) },
  { id: 'cold-p10', label: 'cold, no lock files, P=10 (all start together)', project: { lockFiles: 'none' }, command: makeInit(10) },
  { id: 'cold-lock-p5', label: 'cold, complete lock files, P=5', project: { lockFiles: 'complete' }, command: makeInit(5) },
  {
    id: 'cold-var',
    label: 'cold, no lock files, TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE=true',
    project: { lockFiles: 'none', env: MAY_BREAK_LOCK_ENV },
    command: makeInit(5),
  },
  {
    id: 'cold-validate',
    label: 'cold, no lock files, `init && validate` per stack (P=5)',
    project: { lockFiles: 'none' },
    command: ['terramate', 'run', '--tags=dev', '-j', '5', '--', 'sh', '-c', 'terraform init && terraform validate'],
    needsSchema: true,
  },
  {
    id: 'warm-lock',
    label: 'warm-up first, complete lock files',
    project: { lockFiles: 'complete' },
    warmUp: true,
    command: makeInit(5),
  },
  {
    id: 'warm-nolock',
    label: 'warm-up first, no lock files (warm-up locks removed)',
    project: { lockFiles: 'none' },
    warmUp: true,
    afterWarmUp: 'remove',
    command: makeInit(5),
  },
  {
    id: 'warm-nolock-var',
    label: 'warm-up first, no lock files (removed), the variable set',
    project: { lockFiles: 'none', env: MAY_BREAK_LOCK_ENV },
    warmUp: true,
    afterWarmUp: 'remove',
    command: makeInit(5),
  },
  { id: 'unpacked-cache', label: 'unpacked mirror + shared cache', project: { mirrorLayout: 'unpacked' }, command: makeInit(5) },
  {
    id: 'no-cache',
    label: 'mirror (either layout), no shared cache',
    project: [
      { mirrorLayout: 'packed', sharedCache: false },
      { mirrorLayout: 'unpacked', sharedCache: false },
    ],
    command: makeInit(5),
  },
  {
    id: 'warm-fix',
    label: 'no lock files, warm-up as --fix inserts it (its locks and .terraform kept)',
    project: { lockFiles: 'none' },
    warmUp: true,
    afterWarmUp: 'keep-all',
    command: makeInit(5),
  },
];

/**
 * Whether the provider answers what `terraform validate` asks (its schema). The go-plugin test
 * provider answers only the handshake, so this is expected to say no, with Terraform's message.
 * @param {string} terraform
 * @param {OracleProvider} provider
 * @returns {Promise<{ok: boolean, reason: string}>}
 */
export async function probeSchema(terraform, provider) {
  const project = await createRaceProject({ terraform, provider, stacks: 1, lockFiles: 'none', sharedCache: false });
  try {
    const init = await serialInit(project);
    if (init.brokenStacks.length > 0) return { ok: false, reason: `a serial init failed: ${init.errors.join('; ')}` };
    const validate = await runProcess([terraform, 'validate'], {
      cwd: join(project.root, project.stacks[0]),
      env: trialEnvironment(project),
      timeoutMs: 120_000,
    });
    if (validate.exitCode === 0) return { ok: true, reason: '' };
    const errors = terraformErrors(validate.stderr, project);
    const schema = errors.some((error) => /GetProviderSchema method is not supported|schema/i.test(error));
    return { ok: false, reason: schema ? 'provider answers no schema' : `validate fails: ${errors.join('; ')}` };
  } finally {
    await disposeProject(project);
  }
}

/**
 * Measures one row: `trials` cold trials (each after resetCache), on `stacks` stacks.
 * @param {RaceRow} row
 * @param {{terraform: string, provider: OracleProvider, trials: number, stacks?: number, timeoutMs?: number,
 *          schema?: {ok: boolean, reason: string}, onTrial?: (trial: number, result: TrialResult) => void}} options
 * @returns {Promise<RowResult>}
 */
export async function runRow(row, options) {
  /** @type {RowResult} */
  const result = {
    row,
    skipped: null,
    trials: 0,
    total: 0,
    broken: 0,
    wrongHash: 0,
    missingLocks: 0,
    extraHash: 0,
    cacheStates: {},
    skippedStacks: 0,
    timedOut: 0,
    durationsMs: [],
    errorCounts: {},
  };
  if (row.needsSchema) {
    const schema = options.schema ?? (await probeSchema(options.terraform, options.provider));
    if (!schema.ok) {
      result.skipped = `n/a: ${schema.reason}`;
      return result;
    }
  }
  const variants = Array.isArray(row.project) ? row.project : [row.project];
  /** @type {RaceProject[]} */
  const projects = [];
  try {
    for (const variant of variants) {
      const project = await createRaceProject({ ...variant, terraform: options.terraform, provider: options.provider, stacks: options.stacks ?? 10 });
      projects.push(project);
      if (row.setup) await row.setup(project);
    }
    for (let trial = 0; trial < options.trials; trial += 1) {
      const project = projects[trial % projects.length];
      await resetCache(project);
      if (row.warmUp) {
        const warm = await runTrial(project, WARM_UP, { timeoutMs: options.timeoutMs });
        if (warm.brokenStacks.length > 0) throw new Error(`the warm-up failed in ${warm.brokenStacks.join(', ')}: ${warm.errors.join('; ')}`);
        const after = row.afterWarmUp ?? 'keep';
        if (after !== 'keep-all') resetStacks(project, { locks: after === 'remove' ? 'remove' : 'keep' });
      }
      if (row.beforeTrial) await row.beforeTrial(project, trial);
      const outcome = await runTrial(project, row.command, { timeoutMs: options.timeoutMs, inspectCache: project.sharedCache });
      result.trials += 1;
      result.total += outcome.stacks.length;
      result.broken += outcome.brokenStacks.length;
      result.wrongHash += outcome.wrongHashLocks.length;
      result.missingLocks += outcome.missingLocks.length;
      result.extraHash += outcome.wrongHashLocks.filter((stack) => outcome.lockHashes[stack]?.includes(options.provider.h1)).length;
      if (outcome.cache !== null) result.cacheStates[outcome.cache] = (result.cacheStates[outcome.cache] ?? 0) + 1;
      result.skippedStacks += outcome.skippedStacks.length;
      if (outcome.timedOut) result.timedOut += 1;
      result.durationsMs.push(outcome.durationMs);
      for (const [error, count] of Object.entries(outcome.errorCounts)) result.errorCounts[error] = (result.errorCounts[error] ?? 0) + count;
      options.onTrial?.(trial, outcome);
    }
  } finally {
    for (const project of projects) await disposeProject(project);
  }
  return result;
}

/**
 * One table line for a row result.
 * @param {RowResult} result
 * @returns {string[]}  cells: setup, stacks broken, wrong h1, cached package after the trials, mean time
 */
export function rowCells(result) {
  if (result.skipped !== null) return [result.row.label, result.skipped, '', '', ''];
  const mean = result.durationsMs.reduce((sum, value) => sum + value, 0) / Math.max(1, result.durationsMs.length);
  const notes = [];
  if (result.extraHash > 0) notes.push(`${result.extraHash} beside the right one`);
  if (result.missingLocks > 0) notes.push(`${result.missingLocks} without lock`);
  if (result.skippedStacks > 0) notes.push(`${result.skippedStacks} not run`);
  if (result.timedOut > 0) notes.push(`${result.timedOut} trial(s) timed out`);
  return [
    result.row.label,
    `${result.broken}/${result.total}`,
    `${result.wrongHash}/${result.total}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`,
    Object.entries(result.cacheStates).map(([state, count]) => `${state} ${count}/${result.trials}`).join(', ') || '-',
    `${(mean / 1000).toFixed(1)} s`,
  ];
}

/**
 * @param {string[][]} rows
 * @returns {string}
 */
function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`).join('\n');
}

/**
 * @param {string[]} argv
 */
function parseArgs(argv) {
  const options = { trials: 10, mb: 200, stacks: 10, rows: /** @type {string[] | null} */ (null), verbose: false };
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = argv[index].split(/=(.*)/s, 2);
    const value = () => {
      const text = inline ?? argv[++index];
      if (text === undefined) throw new Error(`${flag} needs a value`);
      return text;
    };
    const count = () => {
      const number = Number(value());
      if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} needs a positive integer`);
      return number;
    };
    if (flag === '--trials') options.trials = count();
    else if (flag === '--mb') options.mb = count();
    else if (flag === '--stacks') options.stacks = count();
    else if (flag === '--rows') options.rows = value().split(',').filter((id) => id !== '');
    else if (flag === '--verbose') options.verbose = true;
    else throw new Error(`unknown option ${argv[index]} (usage: node bench/race.mjs [--trials 10] [--mb 200] [--stacks 10] [--rows id,id] [--verbose])`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const terraform = findTerraform();
  if (terraform.path === null) {
    console.log(`race bench skipped: ${terraform.reason}`);
    return;
  }
  const rows = options.rows === null ? ROWS : options.rows.map((id) => {
    const row = ROWS.find((candidate) => candidate.id === id);
    if (row === undefined) throw new Error(`unknown row ${id}; rows: ${ROWS.map((candidate) => candidate.id).join(', ')}`);
    return row;
  });
  const started = Date.now();
  const provider = prepareProvider({ sizeMiB: options.mb });
  console.log(
    `terraform ${terraform.version} (${terraform.path}); provider ${provider.source} ${provider.version}, ` +
      `${(provider.bytes / 1024 / 1024).toFixed(0)} MiB, ${provider.h1}; ${options.stacks} stacks, ${options.trials} trial(s) a row`,
  );
  const baselineProject = await createRaceProject({ terraform: terraform.path, provider, stacks: options.stacks, lockFiles: 'none' });
  try {
    const parallel = await runTrial(baselineProject, makeInit(5));
    await resetCache(baselineProject);
    const serial = await serialInit(baselineProject);
    console.log(
      `baseline, cold cache: serial terraform init in each stack ${(serial.durationMs / 1000).toFixed(1)} s ` +
        `(broken ${serial.brokenStacks.length}, wrong h1 ${serial.wrongHashLocks.length}); make init dev P 5 ${(parallel.durationMs / 1000).toFixed(1)} s`,
    );
  } finally {
    await disposeProject(baselineProject);
  }

  const schema = rows.some((row) => row.needsSchema) ? await probeSchema(terraform.path, provider) : undefined;
  /** @type {RowResult[]} */
  const results = [];
  for (const row of rows) {
    const rowStarted = Date.now();
    const result = await runRow(row, {
      terraform: terraform.path,
      provider,
      trials: options.trials,
      stacks: options.stacks,
      schema,
      onTrial: options.verbose
        ? (trial, outcome) =>
            console.log(
              `  ${row.id} #${trial + 1}: broken [${outcome.brokenStacks.join(' ')}] ` +
                `wrong [${outcome.wrongHashLocks.map((stack) => `${stack}(${outcome.lockHashes[stack]?.length ?? 0} h1)`).join(' ')}] ` +
                `cache ${outcome.cache ?? '-'} ${outcome.durationMs} ms`,
            )
        : undefined,
    });
    results.push(result);
    console.log(`${row.id}: ${rowCells(result).slice(1).filter((cell) => cell !== '').join(', ')} (${((Date.now() - rowStarted) / 1000).toFixed(0)} s)`);
  }

  console.log('');
  console.log(table([['setup', 'stacks broken', 'lock files with a wrong h1:', 'cached package after a trial', 'mean command time'], ['---', '---', '---', '---', '---'], ...results.map(rowCells)]));
  /** @type {Map<string, {count: number, rows: Set<string>}>} */
  const errors = new Map();
  for (const result of results) {
    for (const [error, count] of Object.entries(result.errorCounts)) {
      const entry = errors.get(error) ?? { count: 0, rows: new Set() };
      entry.count += count;
      entry.rows.add(result.row.id);
      errors.set(error, entry);
    }
  }
  if (errors.size > 0) {
    console.log('\nTerraform errors seen (stack runs, rows):');
    for (const [error, entry] of [...errors].sort((left, right) => right[1].count - left[1].count)) {
      console.log(`  ${entry.count}x [${[...entry.rows].join(', ')}] ${error}`);
    }
  }
  console.log(`\ntotal time ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Whether this module is the program being run. */
function isMain() {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exitCode = 1;
  });
}
