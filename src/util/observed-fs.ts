// The file-system calls a check makes to learn about the project, the user's configuration and
// the installed tools, each telling util/dependency-record what it asked and what it learnt.
// Modules that only write (fixes, the result cache, temp dirs of started processes) use
// node:fs directly; test/util/observed-fs.test.ts checks that no other module does. The async
// forms run the synchronous calls: metadata calls this small cost less than a thread-pool round trip.
import * as fs from 'node:fs';
import type { BigIntStats, Dirent, Stats } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { errnoCode } from './errors.js';
import { errorAnswer, isLastingError, isRecording, noteUnrepeatable, observe, statAnswer, statNow, type Question } from './dependency-record.js';

/** Runs `call`, recording its answer (or error) while a run is recorded; stats also feed the racy check. */
function observed<T>(question: Question, path: string, call: () => T, describe: (result: T) => string, statsOf?: (result: T) => Stats): T {
  if (!isRecording()) return call();
  let result: T;
  try {
    result = call();
  } catch (error) {
    observe(question, path, errorAnswer(error));
    throw error;
  }
  observe(question, path, describe(result), statsOf?.(result));
  return result;
}

const itself = (stats: Stats): Stats => stats;

/** Records the stat answer of `path` now (for questions answered by content, asked before reading it). */
function observeStat(question: Question, path: string): void {
  if (!isRecording()) return;
  const now = statNow(path);
  observe(question, path, now.answer, now.stats);
}

export function statSync(path: string): Stats {
  return observed('stat', path, () => fs.statSync(path), statAnswer, itself);
}

export function lstatSync(path: string): Stats {
  return observed('lstat', path, () => fs.lstatSync(path), statAnswer, itself);
}

export function existsSync(path: string): boolean {
  const exists = fs.existsSync(path);
  if (isRecording()) observe('exists', path, exists ? 'y' : 'n');
  return exists;
}

export function readdirSync(path: string): string[];
export function readdirSync(path: string, options: { withFileTypes: true }): Dirent[];
export function readdirSync(path: string, options: { encoding: 'buffer' }): Buffer[];
export function readdirSync(path: string, options?: { withFileTypes: true } | { encoding: 'buffer' }): string[] | Dirent[] | Buffer[] {
  // The directory's stat, taken first, changes with every entry added, removed or renamed.
  observeStat('list', path);
  return noteFailure(path, () => fs.readdirSync(path, options as { withFileTypes: true }));
}

/**
 * Runs the call whose question was recorded by a stat beforehand: when the stat succeeded but
 * the call fails for a reason of the moment (EMFILE, EIO...), the stat would still match next
 * time, so the run is marked unrepeatable.
 */
function noteFailure<T>(path: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    noteMomentaryFailure(path, errnoCode(error));
    throw error;
  }
}

function noteMomentaryFailure(path: string, code: string | undefined): void {
  if (isRecording() && !isLastingError(code)) noteUnrepeatable(`${path}: ${code ?? 'failed'}`);
}

export function realpathSync(path: string): string {
  return observed('realpath', path, () => fs.realpathSync.native(path), (result) => result);
}

export function readlinkSync(path: string): string {
  return observed('readlink', path, () => fs.readlinkSync(path), (result) => result);
}

/** Whether this process may execute `path` (throws like accessSync when not). */
export function assertExecutableSync(path: string): void {
  observed(
    'executable',
    path,
    () => fs.accessSync(path, fs.constants.X_OK),
    () => 'x',
  );
}

/** The bytes of a file, recorded by the stat of what was read. */
export function readFileSync(path: string): Buffer {
  observeStat('read', path);
  return noteFailure(path, () => fs.readFileSync(path));
}

/** Records that the content of `path` was read, by the stats of the open file (no extra call). */
export function observeRead(path: string, stats: Stats): void {
  if (isRecording()) observe('read', path, statAnswer(stats), stats);
}

/**
 * Records a read that failed: what a stat says now (a missing file, a chmod later...); an
 * error of the moment (EMFILE, EIO...) makes the run unrepeatable.
 */
export function observeFailedRead(path: string, code: string | undefined): void {
  observeStat('read', path);
  noteMomentaryFailure(path, code);
}

export async function stat(path: string): Promise<Stats> {
  return statSync(path);
}

/** A bigint stat (nanosecond times for identities); recorded by the ordinary stat answer. */
export function statBigIntSync(path: string): BigIntStats {
  observeStat('stat', path);
  return noteFailure(path, () => fs.statSync(path, { bigint: true }));
}

/** statBigIntSync for async callers. */
export async function statBigInt(path: string): Promise<BigIntStats> {
  return statBigIntSync(path);
}

export async function lstat(path: string): Promise<Stats> {
  return lstatSync(path);
}

export async function readdir(path: string): Promise<string[]> {
  return readdirSync(path);
}

export async function realpath(path: string): Promise<string> {
  return realpathSync(path);
}

export async function assertExecutable(path: string): Promise<void> {
  assertExecutableSync(path);
}

/** Opens a file to read part of it (a header): recorded as a read of the whole. */
export async function openForReading(path: string): Promise<fsp.FileHandle> {
  observeStat('read', path);
  try {
    return await fsp.open(path, 'r');
  } catch (error) {
    noteMomentaryFailure(path, errnoCode(error));
    throw error;
  }
}

/** A stream of a file's bytes (hashing): recorded as a read; a failure to read is noted as such. */
export function createReadStream(path: string, options: { highWaterMark: number }): fs.ReadStream {
  observeStat('read', path);
  return fs.createReadStream(path, options).once('error', (error) => noteMomentaryFailure(path, errnoCode(error)));
}
