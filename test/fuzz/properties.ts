// The fuzz suite's properties, shared by the Jest suite (test/fuzz/properties.test.ts, fixed
// seeds, bounded runs) and the long run (bench/fuzz.mjs, which runs that suite with more runs
// and a random or given seed through the environment variables read below).
//
// Each input is one generated file (a Makefile, a shell script, a GitHub workflow or a
// Terramate file) laid over a copy of a fixture project (seed-blog, seed-author-fixed or clean).
// Properties:
// - engine: runDoctor never throws, finishes within the budget, and its findings render in
//   every report format: JSON valid against json-report.schema.json, SARIF valid against the
//   official schema, well-formed JUnit XML, one GitHub workflow command per line, positions
//   that are 1-based and ordered;
// - --fix: no exception, within the budget, --fix-dry-run's diff applied by git gives what
//   --fix writes, no file that parsed stops parsing, and a second --fix changes nothing;
// - CLI: `check DIR --no-exec --format json` exits 0 or 1 (2 only for a bad config, which these
//   inputs never have) within the budget, with no stack trace on stderr, a report valid
//   against the schema, the exit code its findings call for, and the same report again from a
//   second run.
// A synchronous hang cannot be timed out from its own thread: a watchdog thread (watchdog.ts)
// writes the input to a file and kills the process.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { packageHomepage, packageVersion, ruleDoc } from '../../src/cli/package-info.js';
import { ruleMetas } from '../../src/engine/check.js';
import { runDoctor, type DoctorOutcome } from '../../src/engine/doctor.js';
import { reporters, REPORT_FORMATS, type ReportInput } from '../../src/reporters/index.js';
import type { Finding, Range } from '../../src/types.js';
import { compileSarifSchema } from '../support/sarif-schema.js';
import { rarely } from './arbitraries/common.js';
import { terramateDocument, terramateMutant } from './arbitraries/hcl.js';
import { makefileDocument, makefileMutant } from './arbitraries/make.js';
import { shellDocument, shellMutant } from './arbitraries/shell.js';
import { workflowDocument, workflowMutant } from './arbitraries/yaml.js';
import { Watchdog } from './watchdog.js';

const REPO = resolve(import.meta.dirname, '../..');
const BIN = join(REPO, 'bin/run.js');
const FIXTURES = join(REPO, 'fixtures');

// ---- Parameters -----------------------------------------------------------------------------

function numberFrom(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name}=${text}: not a number`);
  return value;
}

/** The suite's parameters: CI's fixed values unless the environment says otherwise. */
export const FUZZ = {
  /** One seed for every property (each property draws its own sequence from it). */
  seed: numberFrom('TM_DOCTOR_FUZZ_SEED', 20261203),
  /** Engine inputs per property (two properties per kind: grammar and mutation). */
  runs: numberFrom('TM_DOCTOR_FUZZ_RUNS', 16),
  /** CLI inputs per kind. */
  cliRuns: numberFrom('TM_DOCTOR_FUZZ_CLI_RUNS', 2),
  /** `--fix` inputs per kind (each costs four engine runs). */
  fixRuns: numberFrom('TM_DOCTOR_FUZZ_FIX_RUNS', 5),
  /** A long run: each property runs until this many seconds passed (then `runs` is ignored). */
  seconds: numberFrom('TM_DOCTOR_FUZZ_SECONDS', 0),
  /** Wall time one engine run may take; the CLI gets twice as much (it starts Node). */
  budgetMs: numberFrom('TM_DOCTOR_FUZZ_BUDGET_MS', 10_000),
  /** Replays one counterexample (with the seed it was found with and Jest's -t for its property). */
  path: process.env.TM_DOCTOR_FUZZ_PATH || undefined,
  /** Where counterexamples are written as project trees. */
  outDir: process.env.TM_DOCTOR_FUZZ_OUT || join(tmpdir(), 'tm-doctor-fuzz'),
};

/** True when the environment asked for more than CI's bounded sample. */
export const LONG_RUN = ['TM_DOCTOR_FUZZ_RUNS', 'TM_DOCTOR_FUZZ_CLI_RUNS', 'TM_DOCTOR_FUZZ_FIX_RUNS', 'TM_DOCTOR_FUZZ_SECONDS'].some((name) => Boolean(process.env[name]));

/** fast-check's parameters for a property that would make `runs` runs in CI. */
export function parameters<T>(runs: number): fc.Parameters<T> {
  return {
    seed: FUZZ.seed,
    path: FUZZ.path,
    numRuns: FUZZ.seconds > 0 ? Number.MAX_SAFE_INTEGER : runs,
    interruptAfterTimeLimit: FUZZ.seconds > 0 ? FUZZ.seconds * 1000 : undefined,
    markInterruptAsFailure: false,
    endOnFailure: FUZZ.path === undefined ? undefined : true,
  };
}

// ---- Inputs ---------------------------------------------------------------------------------

export type Kind = 'make' | 'shell' | 'yaml' | 'hcl';
export const KINDS: Kind[] = ['make', 'shell', 'yaml', 'hcl'];

/** Files (path relative to the project -> text) laid over a copy of a fixture project. */
export interface FuzzInput {
  kind: Kind;
  /** The fixture under fixtures/ the files are laid over. */
  base: 'seed-blog' | 'seed-author-fixed' | 'clean';
  files: Record<string, string>;
}

const base = fc.constantFrom<FuzzInput['base']>('seed-blog', 'seed-blog', 'seed-author-fixed', 'clean');

const HCL_PLACES = ['terramate.tm.hcl', 'stacks/dev/blog/stack.tm.hcl', 'stacks/dev/blog/extra.tm.hcl', 'config.tm', 'stacks/new/stack.tm.hcl', 'stacks/n\u001B]0;x\u0007ew/stack.tm.hcl'];

function files(kind: Kind, text: fc.Arbitrary<string>): fc.Arbitrary<Record<string, string>> {
  switch (kind) {
    case 'make':
      // Sometimes a second makefile the first may `include other.mk`.
      return fc.tuple(text, fc.option(makefileDocument, { nil: undefined, freq: 4 })).map(([makefile, other]) => ({ Makefile: makefile, ...(other === undefined ? {} : { 'other.mk': other }) }));
    case 'shell':
      // Names are project text too: one place holds an escape sequence.
      return fc.tuple(rarely(fc.constant('scripts/init.sh'), fc.constant('scripts/\u001B[2Jx/init.sh'), 10), text).map(([place, script]) => ({ [place]: script }));
    case 'yaml':
      return text.map((workflow) => ({ '.github/workflows/ci.yml': workflow }));
    case 'hcl':
      return fc.tuple(fc.constantFrom(...HCL_PLACES), text).map(([place, hcl]) => ({ [place]: hcl }));
  }
}

/** One file in 16 starts with a byte order mark, as some Windows editors write them. */
const withBom = (text: fc.Arbitrary<string>) => fc.tuple(rarely(fc.constant(''), fc.constant('\uFEFF'), 15), text).map(([bom, body]) => bom + body);

const placed = (kind: Kind, text: fc.Arbitrary<string>): fc.Arbitrary<FuzzInput> => fc.record({ kind: fc.constant(kind), base, files: files(kind, withBom(text)) });

const GRAMMAR: Record<Kind, fc.Arbitrary<string>> = { make: makefileDocument, shell: shellDocument, yaml: workflowDocument, hcl: terramateDocument };
const MUTANT: Record<Kind, fc.Arbitrary<string>> = { make: makefileMutant, shell: shellMutant, yaml: workflowMutant, hcl: terramateMutant };

/** Inputs of one kind from its grammar. */
export const grammarInput = (kind: Kind) => placed(kind, GRAMMAR[kind]);
/** Inputs of one kind from mutated fixtures (and mutated grammar documents). */
export const mutantInput = (kind: Kind) => placed(kind, MUTANT[kind]);
/** Either, for the CLI sample. */
export const anyInput = (kind: Kind) => fc.oneof(grammarInput(kind), mutantInput(kind));

// ---- Projects -------------------------------------------------------------------------------

interface Laid {
  project: string;
  home: string;
  remove(): void;
}

function layOut(input: FuzzInput): Laid {
  const base = mkdtempSync(join(tmpdir(), 'tm-doctor-fuzz-'));
  const project = join(base, 'project');
  const home = join(base, 'home');
  cpSync(join(FIXTURES, input.base), project, { recursive: true });
  mkdirSync(home);
  for (const [path, text] of Object.entries(input.files)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), text);
  }
  return { project, home, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Writes a counterexample as a project tree (the seed project plus the input's files); returns its directory. */
export function saveCounterexample(input: FuzzInput, label: string): string {
  const dir = join(FUZZ.outDir, `${label.replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-|-$/g, '')}-seed${FUZZ.seed}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(FIXTURES, input.base), dir, { recursive: true });
  for (const [path, text] of Object.entries(input.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** When the watchdog calls a run hung: well past the budget (which fails the property without it). */
const HANG_MS = Math.max(FUZZ.budgetMs * 3, 30_000);

const watchdog = new Watchdog();
let armed = 0;

/** Runs `work` under the watchdog: past `ms` the input is written out and the process killed. */
async function guarded<T>(input: FuzzInput, ms: number, what: string, work: () => Promise<T> | T): Promise<T> {
  const dumpFile = join(tmpdir(), `tm-doctor-fuzz-hang-${process.pid}-${++armed}.json`);
  watchdog.arm(ms, `tm-doctor fuzz: ${what} still running after ${ms} ms (seed ${FUZZ.seed}); the input is in ${dumpFile}`, dumpFile, JSON.stringify(input, null, 2));
  try {
    return await work();
  } finally {
    watchdog.disarm();
  }
}

export const stopWatchdog = () => watchdog.stop();

// ---- Checks ---------------------------------------------------------------------------------

let reportSchema: ValidateFunction | undefined;
let sarifSchema: ValidateFunction | undefined;

/** The JSON report's schema; rule ids refer to the config schema's rule enum. */
export function jsonReportValidator(): ValidateFunction {
  if (!reportSchema) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addSchema(JSON.parse(readFileSync(join(REPO, 'schema/tm-doctor.schema.json'), 'utf8')));
    reportSchema = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, 'json-report.schema.json'), 'utf8')));
  }
  return reportSchema;
}

function schemaErrors(validate: ValidateFunction, data: unknown): string | null {
  if (validate(data)) return null;
  return (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`).join('; ');
}

function rangeProblem(range: Range, text: string | undefined): string | null {
  const { line, column, endLine, endColumn } = range;
  if (![line, column, endLine, endColumn].every((value) => Number.isInteger(value) && value >= 1)) return `not 1-based integers: ${JSON.stringify(range)}`;
  if (endLine < line || (endLine === line && endColumn < column)) return `ends before it starts: ${JSON.stringify(range)}`;
  if (text === undefined) return null;
  // Lines as src/util/line-index.ts counts them: only \n breaks a line (a \r before it is the line's last character).
  const lines = text.split('\n');
  if (endLine > lines.length) return `${JSON.stringify(range)} ends past the file's ${lines.length} lines`;
  if (column > lines[line - 1].length + 1) return `${JSON.stringify(range)} starts past the end of line ${line} (${lines[line - 1].length} characters)`;
  if (endColumn > lines[endLine - 1].length + 1) return `${JSON.stringify(range)} ends past the end of line ${endLine} (${lines[endLine - 1].length} characters)`;
  return null;
}

/** Every finding's places are sane, and it renders in every format, each one well-formed. */
export function checkReports(outcome: DoctorOutcome): void {
  const problems: string[] = [];
  const places = (finding: Finding) => [finding.location, ...finding.related.map((related) => related.location)];
  // A fixed finding is placed in the text as read; readText gives the text as written (the
  // reporters show no text for fixed findings).
  for (const finding of outcome.findings.filter((candidate) => !candidate.fixed)) {
    for (const location of places(finding)) {
      if (!location?.range) continue;
      const problem = rangeProblem(location.range, outcome.readText(location.file));
      if (problem) problems.push(`${finding.ruleId} (${finding.messageId}) at ${location.file}: ${problem}`);
    }
  }
  const input: ReportInput = {
    root: outcome.root,
    tool: { name: 'tm-doctor', version: packageVersion(), informationUri: packageHomepage() },
    findings: outcome.findings,
    rules: ruleMetas(),
    ruleDocs: ruleDoc,
    color: false,
    readText: outcome.readText,
  };
  const rendered = new Map<string, string>();
  for (const format of REPORT_FORMATS) {
    try {
      rendered.set(format, reporters[format](input));
    } catch (error) {
      problems.push(`the ${format} reporter threw: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  // Stylish as a terminal gets it: colour, help wrapped to a narrow width. Text from the project
  // must not act on the terminal: no control character but line breaks, tabs and colour codes.
  let coloured: string | undefined;
  try {
    coloured = reporters.stylish({ ...input, color: true, width: 48 });
  } catch (error) {
    problems.push(`the stylish reporter threw with colour and a width: ${error instanceof Error ? error.stack : String(error)}`);
  }
  for (const [label, text] of [['stylish', rendered.get('stylish')], ['stylish with colour', coloured]] as const) {
    const bare = text?.replace(/\u001B\[[0-9;]*m/g, '') ?? '';
    const at = bare.search(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    if (at >= 0) problems.push(`${label} output holds control character U+${bare.charCodeAt(at).toString(16).padStart(4, '0')}: ${JSON.stringify(bare.slice(Math.max(0, at - 80), at + 40))}`);
  }
  const json = rendered.get('json');
  if (json !== undefined) {
    const errors = schemaErrors(jsonReportValidator(), JSON.parse(json));
    if (errors) problems.push(`JSON report invalid against json-report.schema.json: ${errors}`);
  }
  const sarif = rendered.get('sarif');
  if (sarif !== undefined) {
    sarifSchema ??= compileSarifSchema();
    const errors = schemaErrors(sarifSchema, JSON.parse(sarif));
    if (errors) problems.push(`SARIF report invalid against SARIF 2.1.0: ${errors}`);
  }
  const junit = rendered.get('junit');
  if (junit !== undefined) {
    const valid = XMLValidator.validate(junit);
    if (valid !== true) problems.push(`JUnit report is not well-formed XML: ${JSON.stringify(valid.err)}`);
  }
  const github = rendered.get('github');
  if (github !== undefined) {
    for (const line of github.split('\n').slice(0, -1)) {
      if (!/^::(error|warning|notice) [^\r\n]*::[^\r\n]*$/.test(line)) problems.push(`GitHub report line is not one workflow command: ${JSON.stringify(line.slice(0, 200))}`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

const request = (project: string, home: string) => ({
  dir: project,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
  options: { noExec: true, handshakeTimeoutMs: 10_000, noCache: true },
});

/** The engine on one input: no exception, within the budget, reports well-formed. */
export async function checkEngine(input: FuzzInput): Promise<void> {
  const laid = layOut(input);
  try {
    const started = performance.now();
    let outcome: DoctorOutcome;
    try {
      outcome = await guarded(input, HANG_MS, 'the engine', () => runDoctor(request(laid.project, laid.home)));
    } catch (error) {
      // These inputs carry no config file and name an existing directory: no UsageError is due either.
      throw new Error(`the engine threw: ${error instanceof Error ? error.stack : String(error)}`);
    }
    const elapsed = performance.now() - started;
    if (elapsed > FUZZ.budgetMs) throw new Error(`the engine took ${Math.round(elapsed)} ms, over the ${FUZZ.budgetMs} ms budget`);
    SLOWEST.set(input.kind, Math.max(SLOWEST.get(input.kind) ?? 0, elapsed));
    checkReports(outcome);
    const unparsed = new Set(outcome.findings.filter((finding) => finding.ruleId === 'parse-error').map((finding) => finding.location?.file));
    const parsed = Object.keys(input.files).every((path) => !unparsed.has(join(laid.project, path)));
    const counts = PARSED.get(input.kind) ?? { inputs: 0, parsed: 0 };
    PARSED.set(input.kind, { inputs: counts.inputs + 1, parsed: counts.parsed + (parsed ? 1 : 0) });
  } finally {
    laid.remove();
  }
}

/** The slowest engine run of each kind, in ms (a long run prints it: how close the inputs come to the budget). */
export const SLOWEST = new Map<Kind, number>();

/**
 * How many engine inputs of each kind had every generated file parse (a long run prints it: a
 * fuzzer whose inputs never parse tests only the parsers' error paths).
 */
export const PARSED = new Map<Kind, { inputs: number; parsed: number }>();

/** Every file under `dir` (path relative to it -> text), but those under `skip`. */
function treeOf(dir: string, skip?: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name));
    if (skip !== undefined && (path === skip || path.startsWith(`${skip}/`))) continue;
    files.set(path, readFileSync(join(dir, path), 'utf8'));
  }
  return files;
}

function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path)).sort();
}

const parseErrorFiles = (outcome: DoctorOutcome) => new Set(outcome.findings.filter((finding) => finding.ruleId === 'parse-error').map((finding) => finding.location?.file ?? ''));

/** How many --fix inputs of each kind had a generated file fixed (a long run prints it). */
export const FIXED = new Map<Kind, { inputs: number; fixed: number }>();

/**
 * `--fix` on one input: no exception, within the budget; `--fix-dry-run` writes nothing and its
 * diff, applied by `git apply`, gives what `--fix` writes; no file that parsed stops parsing;
 * and a second `--fix` changes nothing (what the first one left is stable).
 */
export async function checkFix(input: FuzzInput): Promise<void> {
  const laid = layOut(input);
  try {
    const run = (fix: boolean) =>
      guarded(input, HANG_MS, fix ? 'the engine with --fix' : 'the engine', async () => {
        const started = performance.now();
        let outcome: DoctorOutcome;
        try {
          outcome = await runDoctor(request(laid.project, laid.home), { fix });
        } catch (error) {
          throw new Error(`the engine${fix ? ' with --fix' : ''} threw: ${error instanceof Error ? error.stack : String(error)}`);
        }
        const elapsed = performance.now() - started;
        if (elapsed > FUZZ.budgetMs) throw new Error(`the engine${fix ? ' with --fix' : ''} took ${Math.round(elapsed)} ms, over the ${FUZZ.budgetMs} ms budget`);
        return outcome;
      });
    const before = await run(false);
    // --fix-dry-run writes nothing, and its diff, applied by git, gives what --fix writes.
    const asRead = treeOf(laid.project);
    const dryRun = await guarded(input, HANG_MS, 'the engine with --fix-dry-run', () => runDoctor(request(laid.project, laid.home), { dryRun: true }));
    const problems: string[] = [];
    const touched = changedFiles(asRead, treeOf(laid.project));
    if (touched.length > 0) problems.push(`--fix-dry-run wrote ${touched.join(', ')}`);
    const patched = join(dirname(laid.project), 'patched');
    cpSync(laid.project, patched, { recursive: true });
    const git = (...args: string[]) => spawnSync('git', args, { cwd: patched, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: laid.home, GIT_CONFIG_NOSYSTEM: '1' } });
    git('init', '-q');
    writeFileSync(join(dirname(laid.project), 'fix.patch'), dryRun.diff ?? '');
    const applied = dryRun.diff ? git('apply', '--whitespace=nowarn', join(dirname(laid.project), 'fix.patch')) : null;
    if (applied && applied.status !== 0) problems.push(`git apply refused the --fix-dry-run diff: ${applied.stderr.trim()}\n${dryRun.diff}`);
    const fixed = await run(true);
    const counts = FIXED.get(input.kind) ?? { inputs: 0, fixed: 0 };
    const fixedInput = Object.keys(input.files).some((path) => (dryRun.diff ?? '').includes(`+++ b/${path}\n`));
    FIXED.set(input.kind, { inputs: counts.inputs + 1, fixed: counts.fixed + (fixedInput ? 1 : 0) });
    if (applied?.status === 0 || !dryRun.diff) {
      const byPatch = treeOf(patched, '.git');
      const byFix = treeOf(laid.project);
      const differ = changedFiles(byPatch, byFix);
      if (differ.length > 0) problems.push(`the --fix-dry-run diff and --fix disagree on ${differ.join(', ')}:\n${differ.map((path) => `--- by the diff:\n${byPatch.get(path) ?? '(none)'}\n--- by --fix:\n${byFix.get(path) ?? '(none)'}`).join('\n')}\n--- the diff:\n${dryRun.diff}`);
    }
    checkReports(fixed);
    const afterFix = treeOf(laid.project);
    const after = await run(false);
    const brokenBefore = parseErrorFiles(before);
    const broken = [...parseErrorFiles(after)].filter((file) => !brokenBefore.has(file));
    if (broken.length > 0) problems.push(`--fix broke ${broken.map((file) => relative(laid.project, file)).join(', ')}: ${after.findings.filter((finding) => finding.ruleId === 'parse-error' && broken.includes(finding.location?.file ?? '')).map((finding) => finding.message).join('; ')}`);
    await run(true);
    const again = changedFiles(afterFix, treeOf(laid.project));
    if (again.length > 0) {
      const second = treeOf(laid.project);
      problems.push(`a second --fix changed ${again.join(', ')}:\n${again.map((path) => `--- after the first --fix:\n${afterFix.get(path) ?? '(none)'}\n--- after the second:\n${second.get(path) ?? '(none)'}`).join('\n')}`);
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
  } finally {
    laid.remove();
  }
}

const STACK_TRACE = /^\s+at (?:.+ \()?(?:file:\/\/|node:|\/|<anonymous>).*:\d+:\d+\)?$/m;

interface JsonReportShape {
  findings: Array<{ severity: string; fixed: boolean }>;
}

/**
 * The CLI on one input: exit 0 or 1 within the budget, no stack trace, a valid report that
 * agrees with the exit code, and the same report from a second run.
 */
export async function checkCli(input: FuzzInput): Promise<void> {
  const laid = layOut(input);
  try {
    const limit = FUZZ.budgetMs * 2;
    const cli = () =>
      guarded(input, HANG_MS + limit, 'the CLI', () =>
        spawnSync(process.execPath, ['--max-old-space-size=512', BIN, 'check', laid.project, '--no-exec', '--format', 'json'], {
          env: { PATH: process.env.PATH ?? '', HOME: laid.home },
          encoding: 'utf8',
          timeout: limit,
          killSignal: 'SIGKILL',
          maxBuffer: 64 * 1024 * 1024,
        }),
      );
    const run = await cli();
    const problems: string[] = [];
    // The same check again (with the result cache the first one left in HOME): the same report.
    if (!run.signal && (run.status === 0 || run.status === 1)) {
      const again = await cli();
      if (again.status !== run.status || again.stdout !== run.stdout) problems.push(`a second run differs: exit ${again.status} (first ${run.status}), stdout ${again.stdout === run.stdout ? 'the same' : `differs:\n${again.stdout.slice(0, 2000)}\nfirst:\n${run.stdout.slice(0, 2000)}`}`);
    }
    if (run.error && !run.signal) problems.push(`could not run: ${run.error.message}`);
    if (run.signal) problems.push(`killed by ${run.signal} (over the ${limit} ms budget, or out of memory)`);
    else if (![0, 1, 2].includes(run.status ?? -1)) problems.push(`exit ${run.status}`);
    else if (run.status === 2) problems.push('exit 2 (an internal failure: these inputs have no config file)');
    if (STACK_TRACE.test(run.stderr)) problems.push('a stack trace on stderr');
    const control = run.stderr.search(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
    if (control >= 0) problems.push(`stderr holds control character U+${run.stderr.charCodeAt(control).toString(16).padStart(4, '0')}`);
    if (run.status === 0 || run.status === 1) {
      let report: unknown;
      try {
        report = JSON.parse(run.stdout);
      } catch (error) {
        problems.push(`stdout is not JSON: ${(error as Error).message}: ${JSON.stringify(run.stdout.slice(0, 200))}`);
      }
      if (report !== undefined) {
        const errors = schemaErrors(jsonReportValidator(), report);
        if (errors) problems.push(`the report is invalid against json-report.schema.json: ${errors}`);
        else {
          const failing = (report as JsonReportShape).findings.some((finding) => !finding.fixed && (finding.severity === 'error' || finding.severity === 'warning'));
          if (run.status !== (failing ? 1 : 0)) problems.push(`exit ${run.status}, but the report ${failing ? 'has' : 'has no'} finding at warning or above`);
        }
      }
    }
    if (problems.length > 0) throw new Error(`${problems.join('; ')}\nstderr: ${run.stderr.slice(0, 2000)}`);
  } finally {
    laid.remove();
  }
}

// ---- Properties -----------------------------------------------------------------------------

export const engineProperty = (arbitrary: fc.Arbitrary<FuzzInput>) => fc.asyncProperty(arbitrary, checkEngine);
export const cliProperty = (arbitrary: fc.Arbitrary<FuzzInput>) => fc.asyncProperty(arbitrary, checkCli);
export const fixProperty = (arbitrary: fc.Arbitrary<FuzzInput>) => fc.asyncProperty(arbitrary, checkFix);

/** What a long run says after a property: how many inputs parse and the slowest, or how many had their own file fixed. */
function statistics(name: string): string {
  const kind = KINDS.find((candidate) => name.endsWith(` ${candidate}`) || name.includes(` ${candidate} `));
  if (!kind) return '';
  const fixed = FIXED.get(kind);
  if (name.includes('--fix') && fixed) return `, ${Math.round((100 * fixed.fixed) / fixed.inputs)}% of the ${kind} inputs so far had their own file fixed`;
  const parsed = PARSED.get(kind);
  if (name.startsWith('engine') && parsed) {
    return `, ${Math.round((100 * parsed.parsed) / parsed.inputs)}% of the ${kind} inputs so far parse, the slowest took ${Math.round(SLOWEST.get(kind) ?? 0)} ms`;
  }
  return '';
}

/**
 * Runs a property; on failure writes the shrunk counterexample as a project tree and throws
 * fast-check's report (seed, path, counterexample) with that directory and a replay line.
 */
export async function assertProperty(name: string, property: fc.IAsyncPropertyWithHooks<[FuzzInput]>, runs: number): Promise<void> {
  const details = await fc.check(property, parameters<[FuzzInput]>(runs));
  if (LONG_RUN && !details.failed) {
    process.stderr.write(`fuzz: ${name}: ${details.numRuns} inputs${details.interrupted ? ` in ${FUZZ.seconds} s` : ''} (seed ${FUZZ.seed})${statistics(name)}\n`);
  }
  if (!details.failed) return;
  const example = details.counterexample?.[0];
  const saved = example ? saveCounterexample(example, name) : null;
  const budget = process.env.TM_DOCTOR_FUZZ_BUDGET_MS ? ` TM_DOCTOR_FUZZ_BUDGET_MS=${FUZZ.budgetMs}` : '';
  const replay = `TM_DOCTOR_FUZZ_SEED=${details.seed} TM_DOCTOR_FUZZ_PATH=${details.counterexamplePath}${budget} npm run bench:fuzz -- --only ${JSON.stringify(name)}`;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n\nFailure: ${error}\n\nCounterexample project: ${saved ?? '(none)'}\nReplay: ${replay}\n`);
}
