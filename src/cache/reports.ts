// A pre-commit hook checks the same tree again and again. A check's report is stored with what
// it depended on: every file-system question the run asked and its answer
// (util/dependency-record), and every environment variable it read. The next run with the
// same key (src/cli/report-key.ts: arguments, working directory, terminal, user, build) asks
// those questions again and, when every answer is the same, its report is the stored one.
// Any difference, anything that might not repeat (a file written just before the run, a
// provider that timed out), or a report that depended on nothing means a full check.
import { createHash } from 'node:crypto';
import { answerNow, recordDependencies, type Question } from '../util/dependency-record.js';
import { temporaryPattern, type CacheDirectory } from './directory.js';

const FORMAT_VERSION = 1;
const REPORTS = 'reports';
const REPORT_NAME = '[0-9a-f]{32}\\.json';
const OURS = new RegExp(`^${REPORT_NAME}$`);
const OUR_TEMPORARIES = temporaryPattern(REPORT_NAME);
/** Stored reports kept (one per project, arguments and terminal); the least recently written go first. */
export const MAX_STORED_REPORTS = 64;
/** Bytes all stored reports may take together; a larger single report is not kept. */
export const MAX_STORED_BYTES = 32 * 1024 * 1024;
/** A temp file this old was left by a run that was killed. */
const ABANDONED_MS = 3_600_000;

export interface StoredReport {
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

function reportName(key: string): string {
  return `${REPORTS}/${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`;
}

const QUESTIONS = new Set<string>(['stat', 'lstat', 'exists', 'list', 'read', 'realpath', 'readlink', 'executable']);

function valueHash(value: string | undefined): string | null {
  return value === undefined ? null : createHash('sha256').update(value).digest('base64');
}

const isStringPair = (entry: unknown, second: (value: unknown) => boolean): boolean =>
  Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && second(entry[1]);

/** The stored report for `key` from its (trusted) file, or null when there is none or it is not one this build wrote. */
function readStored(cache: CacheDirectory, key: string): StoredReport | null {
  const content = cache.read(reportName(key), MAX_STORED_BYTES);
  if (content === null) return null;
  let stored: Partial<StoredReport> | null;
  try {
    stored = JSON.parse(content.toString('utf8')) as Partial<StoredReport> | null;
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
    // A report that depended on nothing could have been written by anyone for anything.
    stored.answers.length > 0 &&
    stored.answers.every((entry) => isStringPair(entry, (value) => typeof value === 'string') && QUESTIONS.has(questionOf(entry[0])));
  return valid ? (stored as StoredReport) : null;
}

/** The question of a `question\npath` key; '' when there is no newline. */
function questionOf(key: string): string {
  const newline = key.indexOf('\n');
  return newline > 0 ? key.slice(0, newline) : '';
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

/** The report stored under `key` when nothing it depended on changed; null when a check must run. */
export function replayableReport(cache: CacheDirectory, key: string): StoredReport | null {
  const stored = readStored(cache, key);
  return stored && stillHolds(stored) ? stored : null;
}

/** A check being recorded for the cache; `store` keeps its report when the run can be repeated. */
export interface ReportRecording {
  /** The environment to hand the run: reads are recorded. */
  readonly env: Record<string, string | undefined>;
  store(result: { report: string; stderr: string; exitCode: number }): void;
  /** Stops recording (also after `store`). */
  stop(): void;
}

/** Starts recording a check's dependencies, or null when the cache is not to be used. */
export function recordReport(cache: CacheDirectory, key: string): ReportRecording | null {
  if (!cache.usable) return null;
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
      const text = JSON.stringify({ format: FORMAT_VERSION, key, env: variables, answers: [...record.answers], ...result } satisfies StoredReport);
      if (Buffer.byteLength(text) > MAX_STORED_BYTES) return;
      // A failure to store costs only the next run's speed.
      if (cache.write(reportName(key), text)) pruneReports(cache);
    },
  };
}

/**
 * Keeps the newest reports within MAX_STORED_REPORTS and MAX_STORED_BYTES, and removes temp
 * files a killed run left (an hour old): only names written here, never through a link.
 */
export function pruneReports(cache: CacheDirectory, now = Date.now()): void {
  for (const entry of cache.list(REPORTS, OUR_TEMPORARIES)) if (entry.mtimeMs < now - ABANDONED_MS) cache.remove(REPORTS, entry.name, OUR_TEMPORARIES);
  const reports = cache.list(REPORTS, OURS).sort((left, right) => right.mtimeMs - left.mtimeMs);
  let bytes = 0;
  reports.forEach((report, index) => {
    bytes += report.size;
    if (index >= MAX_STORED_REPORTS || bytes > MAX_STORED_BYTES) cache.remove(REPORTS, report.name, OURS);
  });
}
