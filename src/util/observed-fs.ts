// The file-system calls a check makes to learn about the project, the user's configuration and
// the installed tools, each telling util/dependency-record what it asked and what it learnt.
// Modules that only write (fixes, the result cache, temp dirs of started processes) use
// node:fs directly; test/architecture checks that no other module does.
import * as fs from 'node:fs';
import type { BigIntStats, Dirent, Stats } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { errnoCode } from './errors.js';
import { errorAnswer, isLastingError, isRecording, noteUnrepeatable, observe, statAnswer, statNow, type Question } from './dependency-record.js';

function observed<T>(question: Question, path: string, call: () => T, describe: (result: T) => string): T {
  if (!isRecording()) return call();
  let result: T;
  try {
    result = call();
  } catch (error) {
    observe(question, path, errorAnswer(error));
    throw error;
  }
  observe(question, path, describe(result));
  return result;
}

/** Records the stat answer of `path` now (for questions answered by content, asked before reading it). */
function observeStat(question: Question, path: string): void {
  if (!isRecording()) return;
  const now = statNow(path);
  observe(question, path, now.answer, now.stats);
}

export function statSync(path: string): Stats {
  if (!isRecording()) return fs.statSync(path);
  try {
    const stats = fs.statSync(path);
    observe('stat', path, statAnswer(stats), stats);
    return stats;
  } catch (error) {
    observe('stat', path, errorAnswer(error));
    throw error;
  }
}

export function lstatSync(path: string): Stats {
  if (!isRecording()) return fs.lstatSync(path);
  try {
    const stats = fs.lstatSync(path);
    observe('lstat', path, statAnswer(stats), stats);
    return stats;
  } catch (error) {
    observe('lstat', path, errorAnswer(error));
    throw error;
  }
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
    if (isRecording() && !isLastingError(errnoCode(error))) noteUnrepeatable(`${path}: ${errnoCode(error) ?? 'failed'}`);
    throw error;
  }
}

async function noteFailureAsync<T>(path: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isRecording() && !isLastingError(errnoCode(error))) noteUnrepeatable(`${path}: ${errnoCode(error) ?? 'failed'}`);
    throw error;
  }
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
  if (!isRecording()) return;
  observeStat('read', path);
  if (!isLastingError(code)) noteUnrepeatable(`${path}: ${code ?? 'read failed'}`);
}

export async function stat(path: string): Promise<Stats> {
  return statSync(path);
}

/** A bigint stat (nanosecond times for identities); recorded by the ordinary stat answer. */
export function statBigIntSync(path: string): BigIntStats {
  observeStat('stat', path);
  return noteFailure(path, () => fs.statSync(path, { bigint: true }));
}

/** A bigint stat (nanosecond times for identities); recorded by the ordinary stat answer. */
export async function statBigInt(path: string): Promise<BigIntStats> {
  observeStat('stat', path);
  return noteFailureAsync(path, () => fsp.stat(path, { bigint: true }));
}

export async function lstat(path: string): Promise<Stats> {
  return lstatSync(path);
}

export async function readdir(path: string): Promise<string[]> {
  observeStat('list', path);
  return noteFailureAsync(path, () => fsp.readdir(path));
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
    observeFailedRead(path, errnoCode(error));
    throw error;
  }
}

/** A stream of a file's bytes (hashing): recorded as a read; a failure to read is noted as such. */
export function createReadStream(path: string, options: { highWaterMark: number }): fs.ReadStream {
  observeStat('read', path);
  return fs.createReadStream(path, options).once('error', (error) => observeFailedRead(path, errnoCode(error)));
}
