// What a check's report depended on outside its arguments: every file-system question the run
// asked (with the answer it got, as a fingerprint) and whether anything it saw cannot be
// repeated (a provider that timed out). src/cache/reports.ts stores the list beside the
// report and, on the next run, asks each question again: same answers, same report.
//
// Records are process-wide observers, not per-run objects: the questions are asked in leaf
// modules (a root search, a PATH lookup, a provider's header) that know nothing of the run.
// A record that also sees another run's questions only holds more entries, which can only
// make a stored report miss, never make a wrong one hit. The set of active records lives on
// globalThis: the published package holds this module twice (in each of its two bundles, and
// the oclif command's modules load the unbundled engine), and all copies must see one set.
import { accessSync, constants, existsSync, readlinkSync, realpathSync, statSync, lstatSync, type Stats } from 'node:fs';

/**
 * The questions, and how each is asked again: `read` and `list` are answered by the stat of
 * the file or directory (taken before the content was read), which changes with the content.
 */
export type Question = 'stat' | 'lstat' | 'exists' | 'list' | 'read' | 'realpath' | 'readlink' | 'executable';

/**
 * Files changed this close to the run may change again within one timestamp tick (ext3 and
 * HFS+: 1 s, FAT: 2 s), and file times come from a clock a little behind Date.now().
 */
const RACY_MS = 3_000;

/** Errors that describe the file, not the moment: anything else (EMFILE, EIO, EAGAIN...) may not repeat. */
const LASTING_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP', 'EISDIR', 'ENAMETOOLONG', 'EINVAL', 'ENXIO']);

export function isLastingError(code: string | undefined): boolean {
  return code !== undefined && LASTING_ERRORS.has(code);
}

export class DependencyRecord {
  readonly answers = new Map<string, string>();
  /** Why the report cannot be reused: a file changed during or just before the run, a provider timed out... */
  readonly unrepeatable: string[] = [];

  constructor(private readonly startedAtMs: number) {}

  note(question: Question, path: string, answer: string, stats?: Pick<Stats, 'mtimeMs' | 'ctimeMs'>): void {
    const key = `${question}\n${path}`;
    const earlier = this.answers.get(key);
    if (earlier !== undefined && earlier !== answer) this.unrepeatable.push(`${path} changed during the run`);
    this.answers.set(key, answer);
    if (answer.startsWith('! ') && !isLastingError(answer.slice(2))) this.unrepeatable.push(`${path}: ${answer.slice(2)}`);
    if (stats && Math.max(stats.mtimeMs, stats.ctimeMs) > this.startedAtMs - RACY_MS) this.unrepeatable.push(`${path} changed just before the run`);
  }
}

const REGISTRY = Symbol.for('tm-doctor.dependency-records');
const active: Set<DependencyRecord> = ((globalThis as Record<symbol, unknown>)[REGISTRY] as Set<DependencyRecord> | undefined) ?? new Set();
(globalThis as Record<symbol, unknown>)[REGISTRY] = active;

/** Starts recording every question asked through observed-fs until `stop`. */
export function recordDependencies(startedAtMs = Date.now()): { record: DependencyRecord; stop(): void } {
  const record = new DependencyRecord(startedAtMs);
  active.add(record);
  return { record, stop: () => active.delete(record) };
}

export function isRecording(): boolean {
  return active.size > 0;
}

export function observe(question: Question, path: string, answer: string, stats?: Pick<Stats, 'mtimeMs' | 'ctimeMs'>): void {
  for (const record of active) record.note(question, path, answer, stats);
}

/** Something the run saw may come out differently next time (a timeout, a lack of resources). */
export function noteUnrepeatable(reason: string): void {
  for (const record of active) record.unrepeatable.push(reason);
}

/** What a stat says of a file's identity and content: any write, chmod, rename or replacement changes it. */
export function statAnswer(stats: Stats): string {
  const kind = stats.isFile() ? 'f' : stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : 'o';
  return `${kind} ${stats.dev} ${stats.ino} ${stats.mode} ${stats.size} ${stats.mtimeMs} ${stats.ctimeMs}`;
}

export function errorAnswer(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return `! ${typeof code === 'string' ? code : 'error'}`;
}

function answer(ask: () => string): { answer: string; stats?: Stats } {
  try {
    return { answer: ask() };
  } catch (error) {
    return { answer: errorAnswer(error) };
  }
}

/** The stat answer for `path` now, with the stats (for the racy check) when there are some. */
export function statNow(path: string, follow = true): { answer: string; stats?: Stats } {
  try {
    const stats = follow ? statSync(path) : lstatSync(path);
    return { answer: statAnswer(stats), stats };
  } catch (error) {
    return { answer: errorAnswer(error) };
  }
}

/** Asks `question` of `path` again; equal to the recorded answer when nothing it depends on changed. */
export function answerNow(question: Question, path: string): string {
  switch (question) {
    case 'stat':
    case 'read':
    case 'list':
      return statNow(path).answer;
    case 'lstat':
      return statNow(path, false).answer;
    case 'exists':
      return existsSync(path) ? 'y' : 'n';
    case 'realpath':
      return answer(() => realpathSync.native(path)).answer;
    case 'readlink':
      return answer(() => readlinkSync(path)).answer;
    case 'executable':
      return answer(() => {
        accessSync(path, constants.X_OK);
        return 'x';
      }).answer;
  }
}
