// A pre-commit hook checks the same tree again and again. A check's report is stored with what
// it depended on: every file-system question the run asked and its answer
// (util/dependency-record), and every environment variable it read. The next run with the
// same arguments, working directory, terminal, user and build asks those questions again and,
// when every answer is the same, prints the stored report without loading the analysis
// (bin/run.js tries this first). Any difference, or anything that might not repeat (a file
// written just before the run, a provider that timed out), means a full check.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCheckArgs } from './check-args.js';
import type { CheckFlags } from './check-run.js';
import { REPORT_FORMATS } from '../reporters/formats.js';
import { cacheDirectory } from '../util/cache-dir.js';
import { escapeControlCharacters } from '../util/control-characters.js';
import { describeErrno } from '../util/errors.js';
import { answerNow, recordDependencies, statNow, type Question } from '../util/dependency-record.js';

const FORMAT_VERSION = 1;
/** Stored reports kept (one per project, arguments and terminal); the least recently written go first. */
const MAX_STORED = 64;

interface StoredReport {
  format: typeof FORMAT_VERSION;
  key: string;
  /** Environment variables read, with a hash of their values (null: unset): no secret is stored. */
  env: Array<[string, string | null]>;
  /** `question\npath` and the answer it had, in the order asked. */
  answers: Array<[string, string]>;
  /** The report, printed on stdout or written to the --output file (part of the key). */
  report: string;
  /** Notes the run printed on stderr. */
  stderr: string;
  exitCode: number;
}

const BUNDLES = ['fast-check.js', 'report-cache.js'];
const BUILD_IDENTITY = Symbol.for('tm-doctor.build-identity');

/**
 * The files that make up this build: a rebuild, a reinstall or an updated dependency is another
 * tool. A packed build (scripts/bundle.mjs wrote `bundled.json` after the bundles) is its two
 * bundles; a development build (tsc, maybe --watch rewriting single files) every file under
 * dist. Both: package.json, the schema, the rule docs (SARIF embeds them) and the package.json
 * of each runtime dependency, found as Node finds it. Asked once per process: a run that finds
 * no stored report asks again when it records, from the other bundle (hence globalThis).
 */
function buildIdentity(): string {
  const memo = globalThis as Record<symbol, string | undefined>;
  return (memo[BUILD_IDENTITY] ??= computeBuildIdentity());
}

function computeBuildIdentity(): string {
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const marker = statNow(join(packageRoot, 'dist', 'cli', 'bundled.json'));
  const bundles = BUNDLES.map((name) => statNow(join(packageRoot, 'dist', 'cli', name)));
  const lines = [marker.answer, ...bundles.map((bundle) => bundle.answer), ...dependencyIdentities(packageRoot)];
  const bundled = marker.stats && bundles.every((bundle) => bundle.stats && bundle.stats.mtimeMs <= marker.stats!.mtimeMs);
  const visit = (path: string): void => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      lines.push(`${path} absent`);
      return;
    }
    if (stats.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else lines.push(`${path} ${stats.ino} ${stats.size} ${stats.mtimeMs} ${stats.ctimeMs}`);
  };
  for (const part of [...(bundled ? [] : ['dist']), 'schema', join('docs', 'rules')]) visit(join(packageRoot, part));
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** package.json of the package and of each runtime dependency (the nearest node_modules that has it). */
function dependencyIdentities(packageRoot: string): string[] {
  const manifest = join(packageRoot, 'package.json');
  const lines = [statNow(manifest).answer];
  const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(dependencies).sort()) {
    for (let dir = packageRoot; ; dir = dirname(dir)) {
      const found = statNow(join(dir, 'node_modules', name, 'package.json'));
      if (found.stats || dirname(dir) === dir) {
        lines.push(`${name} ${found.answer}`);
        break;
      }
    }
  }
  return lines;
}

/** Everything besides the file system and the environment that shapes the report. */
function reportKey(dir: string, flags: CheckFlags): string {
  const toTerminal = !flags.output && process.stdout.isTTY === true;
  return JSON.stringify({
    format: FORMAT_VERSION,
    build: buildIdentity(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    // Who asks decides what may be read: ids and every group.
    user: [process.getuid?.(), process.geteuid?.(), process.getgid?.(), process.getegid?.(), process.getgroups?.().sort((a, b) => a - b)],
    cwd: process.cwd(),
    dir: resolve(dir),
    output: flags.output === undefined ? null : resolve(flags.output),
    flags: Object.entries(flags).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)),
    terminal: toTerminal ? [process.stdout.columns ?? null, process.env.NO_COLOR ?? null] : null,
  });
}

function storedFile(key: string): string | null {
  const dir = cacheDirectory(process.env);
  return dir === null ? null : join(dir, 'reports', `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
}

/** Whether a check with these flags may be answered from, and stored into, the cache. */
function cacheable(flags: CheckFlags): boolean {
  return flags.cache && !flags.fix && !flags['fix-dry-run'];
}

const QUESTIONS = new Set<string>(['stat', 'lstat', 'exists', 'list', 'read', 'realpath', 'readlink', 'executable']);

function valueHash(value: string | undefined): string | null {
  return value === undefined ? null : createHash('sha256').update(value).digest('base64');
}

const isStringPair = (entry: unknown, second: (value: unknown) => boolean): boolean =>
  Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && second(entry[1]);

/** The stored report for `key`, or null when there is none or it is not one this build wrote. */
function readStored(file: string, key: string): StoredReport | null {
  let stored: Partial<StoredReport> | null;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredReport> | null;
  } catch {
    return null;
  }
  const valid =
    stored !== null &&
    typeof stored === 'object' &&
    stored.format === FORMAT_VERSION &&
    stored.key === key &&
    typeof stored.report === 'string' &&
    typeof stored.stderr === 'string' &&
    Number.isInteger(stored.exitCode) &&
    Array.isArray(stored.env) &&
    stored.env.every((entry) => isStringPair(entry, (value) => value === null || typeof value === 'string')) &&
    Array.isArray(stored.answers) &&
    stored.answers.every((entry) => isStringPair(entry, (value) => typeof value === 'string') && QUESTIONS.has(entry[0].slice(0, entry[0].indexOf('\n'))));
  return valid ? (stored as StoredReport) : null;
}

/** Whether every variable and every file-system answer the stored run depended on is unchanged. */
function stillHolds(stored: StoredReport): boolean {
  for (const [name, value] of stored.env) if (valueHash(process.env[name]) !== value) return false;
  for (const [asked, answer] of stored.answers) {
    const newline = asked.indexOf('\n');
    if (answerNow(asked.slice(0, newline) as Question, asked.slice(newline + 1)) !== answer) return false;
  }
  return true;
}

/**
 * Prints the stored report of `tm-doctor check ARGV` and sets the exit code when nothing it
 * depended on changed; false (nothing printed) when a check must run.
 */
export function replayStoredReport(argv: readonly string[]): boolean {
  let stored: StoredReport | null;
  let reportFile: string | null;
  try {
    const parsed = parseCheckArgs(argv, REPORT_FORMATS);
    if (!parsed || !cacheable(parsed.flags)) return false;
    const key = reportKey(parsed.args.dir, parsed.flags);
    const file = storedFile(key);
    stored = file === null ? null : readStored(file, key);
    if (!stored || !stillHolds(stored)) return false;
    // Where this run's arguments send the report (the key holds them too), not where the file says.
    reportFile = parsed.flags.output === undefined ? null : resolve(parsed.flags.output);
  } catch {
    return false; // whatever went wrong (a build directory vanishing under us), the check runs
  }
  if (reportFile !== null) {
    try {
      writeFileSync(reportFile, stored.report);
    } catch {
      return false; // the full run reports why it cannot write it
    }
  }
  if (process.env.TM_DOCTOR_STATS === '1') {
    process.stderr.write(`tm-doctor stats: files read 0 (0 bytes), absent 0; stored report reused after ${stored.answers.length} answers compared\n`);
  }
  process.stderr.write(stored.stderr);
  process.exitCode = stored.exitCode;
  if (reportFile === null && stored.report !== '') {
    process.stdout.on('error', (error) => {
      process.stderr.write(`tm-doctor: ${escapeControlCharacters(`cannot write the report to stdout: ${describeErrno(error)}`)}\n`);
      process.exitCode = 2;
    });
    process.stdout.write(stored.report);
  }
  return true;
}

/** A check being recorded for the cache; `store` keeps its report when the run can be repeated. */
export interface ReportRecording {
  /** The environment to hand the run: reads are recorded. */
  readonly env: Record<string, string | undefined>;
  store(result: { report: string; stderr: string; exitCode: number }): void;
  /** Stops recording (also after `store`). */
  stop(): void;
}

/** Starts recording a check's dependencies, or null when its report is not to be stored. */
export function recordReport(dir: string, flags: CheckFlags): ReportRecording | null {
  if (!cacheable(flags)) return null;
  let key: string;
  let file: string | null;
  try {
    key = reportKey(dir, flags);
    file = storedFile(key);
  } catch {
    return null;
  }
  if (file === null) return null;
  const { record, stop } = recordDependencies();
  const reads = new Set<string>();
  let enumerated = false;
  const source: Record<string, string | undefined> = { ...process.env };
  const env = new Proxy(source, {
    get(target, name) {
      if (typeof name === 'string') reads.add(name);
      return Reflect.get(target, name);
    },
    has(target, name) {
      if (typeof name === 'string') reads.add(name);
      return Reflect.has(target, name);
    },
    getOwnPropertyDescriptor(target, name) {
      if (typeof name === 'string') reads.add(name);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
    ownKeys(target) {
      enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  return {
    env,
    stop,
    store(result) {
      stop();
      // No answers at all means the questions went to a record this one never saw: nothing to trust.
      if (record.unrepeatable.length > 0 || record.answers.size === 0) return;
      const names = enumerated ? Object.keys(source) : [...reads];
      const variables = names.map((name): [string, string | null] => [name, valueHash(source[name])]);
      writeStored(file, { format: FORMAT_VERSION, key, env: variables, answers: [...record.answers], ...result });
    },
  };
}

/** Replaces the stored report atomically; a failure to store costs only the next run's speed. */
function writeStored(file: string, stored: StoredReport): void {
  const dir = dirname(file);
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, JSON.stringify(stored), { mode: 0o600 });
    renameSync(temporary, file);
    pruneStored(dir);
  } catch {
    rmSync(temporary, { force: true });
  }
}

/** Keeps the MAX_STORED newest reports, and removes temp files a killed run left (an hour old). */
export function pruneStored(dir: string): void {
  const entries = readdirSync(dir).flatMap((name) => {
    try {
      return [{ name, path: join(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs }];
    } catch {
      return []; // removed meanwhile by another run's pruning
    }
  });
  for (const entry of entries) if (entry.name.endsWith('.tmp') && entry.mtimeMs < Date.now() - 3_600_000) rmSync(entry.path, { force: true });
  const reports = entries.filter((entry) => entry.name.endsWith('.json'));
  if (reports.length <= MAX_STORED) return;
  reports.sort((left, right) => left.mtimeMs - right.mtimeMs);
  for (const report of reports.slice(0, reports.length - MAX_STORED)) rmSync(report.path, { force: true });
}
