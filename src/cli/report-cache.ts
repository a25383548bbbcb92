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
import { answerNow, recordDependencies, statNow, type DependencyRecord, type Question } from '../util/dependency-record.js';

const FORMAT_VERSION = 1;
/** Stored reports kept (one per project, arguments and terminal); the least recently written go first. */
const MAX_STORED = 64;

interface StoredReport {
  format: typeof FORMAT_VERSION;
  key: string;
  /** Environment variables read, with their values (null: unset). */
  env: Array<[string, string | null]>;
  /** `question\npath` and the answer it had, in the order asked. */
  answers: Array<[string, string]>;
  report: string;
  /** The --output file the report went to; null for stdout. */
  reportFile: string | null;
  /** Notes the run printed on stderr. */
  stderr: string;
  exitCode: number;
}

const BUNDLES = ['fast-check.js', 'report-cache.js'];

/**
 * The package's own files that make up this build: a rebuild or a reinstall is another tool.
 * A packed build (scripts/bundle.mjs wrote `bundled.json` after the bundles) is its bundles;
 * a development build (tsc, maybe --watch rewriting single files) is every file under dist.
 */
function buildIdentity(): string {
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const marker = statNow(join(packageRoot, 'dist', 'cli', 'bundled.json'));
  const bundles = BUNDLES.map((name) => statNow(join(packageRoot, 'dist', 'cli', name)));
  const lines = [statNow(join(packageRoot, 'package.json')).answer, marker.answer, ...bundles.map((bundle) => bundle.answer)];
  if (marker.stats && bundles.every((bundle) => bundle.stats && bundle.stats.mtimeMs <= marker.stats!.mtimeMs)) {
    return createHash('sha256').update(lines.join('\n')).digest('hex');
  }
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
  for (const part of ['package.json', 'dist', 'schema', join('docs', 'rules')]) visit(join(packageRoot, part));
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Everything besides the file system and the environment that shapes the report. */
function reportKey(dir: string, flags: CheckFlags): string {
  const toTerminal = !flags.output && process.stdout.isTTY === true;
  return JSON.stringify({
    format: FORMAT_VERSION,
    build: buildIdentity(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    user: [process.getuid?.() ?? null, process.getgid?.() ?? null],
    cwd: process.cwd(),
    dir: resolve(dir),
    output: flags.output === undefined ? null : resolve(flags.output),
    flags: Object.entries(flags).sort(([left], [right]) => left.localeCompare(right)),
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

function readStored(file: string, key: string): StoredReport | null {
  let stored: StoredReport;
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as StoredReport;
  } catch {
    return null;
  }
  if (stored?.format !== FORMAT_VERSION || stored.key !== key || !Array.isArray(stored.env) || !Array.isArray(stored.answers)) return null;
  return stored;
}

/** Whether every variable and every file-system answer the stored run depended on is unchanged. */
function stillHolds(stored: StoredReport): boolean {
  for (const [name, value] of stored.env) if ((process.env[name] ?? null) !== value) return false;
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
  const parsed = parseCheckArgs(argv, REPORT_FORMATS);
  if (!parsed || !cacheable(parsed.flags)) return false;
  const key = reportKey(parsed.args.dir, parsed.flags);
  const file = storedFile(key);
  const stored = file === null ? null : readStored(file, key);
  if (!stored || !stillHolds(stored)) return false;
  if (stored.reportFile !== null) {
    try {
      writeFileSync(stored.reportFile, stored.report);
    } catch {
      return false; // the full run reports why it cannot write it
    }
  }
  if (process.env.TM_DOCTOR_STATS === '1') {
    process.stderr.write(`tm-doctor stats: files read 0 (0 bytes), absent 0; stored report reused after ${stored.answers.length} answers compared\n`);
  }
  process.stderr.write(stored.stderr);
  process.exitCode = stored.exitCode;
  if (stored.reportFile === null && stored.report !== '') {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      process.stderr.write(`tm-doctor: cannot write the report to stdout: ${error.code ?? error.message}\n`);
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
  store(result: { report: string; reportFile: string | null; stderr: string; exitCode: number }): void;
  /** Stops recording (also after `store`). */
  stop(): void;
}

/** Starts recording a check's dependencies, or null when its report is not to be stored. */
export function recordReport(dir: string, flags: CheckFlags): ReportRecording | null {
  if (!cacheable(flags)) return null;
  const key = reportKey(dir, flags);
  const file = storedFile(key);
  if (file === null) return null;
  const { record, stop } = recordDependencies();
  const reads = new Map<string, string | null>();
  let enumerated = false;
  const source: Record<string, string | undefined> = { ...process.env };
  const env = new Proxy(source, {
    get(target, name) {
      if (typeof name === 'string') reads.set(name, target[name] ?? null);
      return Reflect.get(target, name);
    },
    has(target, name) {
      if (typeof name === 'string') reads.set(name, target[name] ?? null);
      return Reflect.has(target, name);
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
      if (record.unrepeatable.length > 0) return;
      const variables = enumerated ? Object.keys(source).map((name) => [name, source[name] ?? null] as [string, string | null]) : [...reads];
      writeStored(file, { format: FORMAT_VERSION, key, env: variables, answers: answersOf(record), ...result });
    },
  };
}

function answersOf(record: DependencyRecord): Array<[string, string]> {
  return [...record.answers];
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

function pruneStored(dir: string): void {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ path: join(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs }));
  if (files.length <= MAX_STORED) return;
  files.sort((left, right) => left.mtimeMs - right.mtimeMs);
  for (const file of files.slice(0, files.length - MAX_STORED)) rmSync(file.path, { force: true });
}
