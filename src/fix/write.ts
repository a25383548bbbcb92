// Puts a plan on disk without ever leaving a half-written file behind: each rewrite goes to a
// temp file in the same directory and is renamed over the original. Problems with one file
// are reported for that file; the others are still written.
import { randomBytes } from 'node:crypto';
import { constants, unlinkSync } from 'node:fs';
import { access, link, lstat, mkdir, open, readdir, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Fix } from '../types.js';
import { onInterrupt } from '../util/interrupts.js';
import { displayPath, isInsideRoot } from '../util/path.js';
import { TEMP_MARKER, writerPidOf, writerTempName } from '../util/writer-temp.js';
import { realRoot, whyOutside } from './confine.js';
import type { FileRewrite, FixPlan } from './plan.js';
import { hashBytes, isMissing, type Snapshot } from '../analysis/snapshot.js';

export type OutcomeStatus = 'written' | 'unchanged' | 'refused';

export interface ChangeOutcome {
  kind: 'rewrite' | 'create' | 'mkdir' | 'move';
  /** Absolute path as named by the change (for a move: its source). */
  path: string;
  /** For a move: its destination. */
  to?: string;
  status: OutcomeStatus;
  /** Why it was refused; absent otherwise. */
  reason?: string;
}

export interface WriteReport {
  outcomes: ChangeOutcome[];
  /** True when nothing was refused. */
  ok: boolean;
}

export interface WriteHooks {
  /** Runs after the temp file is complete and synced, before it replaces the original. */
  beforeRename?(tempFile: string, target: string): void | Promise<void>;
}

export interface WriteOptions {
  hooks?: WriteHooks;
  /**
   * Write where links lead even outside the project root (--unsafe-fixes). Otherwise every
   * path is resolved again just before it is written, and one that leads out is refused: a
   * link swapped in after the plan was made cannot carry a safe fix outside.
   */
  allowOutside?: boolean;
}

/** The resolved root writes must stay in, or null when they may go anywhere. */
type Confinement = { root: string; resolvedRoot: string } | null;

/** Marks our temp files: `.NAME.tm-doctor-PID-RANDOM`, so a later run can tell whose they are. */
export { TEMP_MARKER };

/** Order: directories, rewrites, creations, moves. Each file is written at most once. */
export async function writePlan(plan: FixPlan, snapshot: Snapshot, options: WriteOptions = {}): Promise<WriteReport> {
  const describe = (file: string): string => displayPath(snapshot.root, file);
  const confine: Confinement = options.allowOutside ? null : { root: snapshot.root, resolvedRoot: realRoot(snapshot.root) };
  const outside = (file: string): string | null => (confine === null ? null : whyOutside(file, confine.root, confine.resolvedRoot));
  const outcomes: ChangeOutcome[] = [];
  for (const dir of plan.directories) outcomes.push(await makeDirectory(dir, describe, outside));
  const writtenTargets = new Map<string, string>();
  for (const rewrite of plan.rewrites) {
    outcomes.push(await rewriteFile(rewrite, snapshot, writtenTargets, describe, options.hooks, confine));
  }
  for (const create of plan.creates) {
    outcomes.push(await createFile(create.file, create.text, create.mode, describe, options.hooks, confine));
  }
  for (const move of plan.moves) outcomes.push(await movePath(move.from, move.to, describe, outside));
  return { outcomes, ok: outcomes.every((o) => o.status !== 'refused') };
}

/** A fix is on disk when none of the paths it changes was refused. */
export function isFixWritten(fix: Fix, report: WriteReport): boolean {
  const refused = new Set(report.outcomes.filter((o) => o.status === 'refused').map((o) => o.path));
  return fix.changes.every((change) => {
    const changed = change.kind === 'mkdir' ? change.dir : change.kind === 'move' ? change.from : change.file;
    return !refused.has(path.resolve(changed));
  });
}

async function rewriteFile(
  rewrite: FileRewrite,
  snapshot: Snapshot,
  writtenTargets: Map<string, string>,
  describe: (file: string) => string,
  hooks: WriteHooks | undefined,
  confine: Confinement,
): Promise<ChangeOutcome> {
  const file = path.resolve(rewrite.file);
  const refuse = (reason: string): ChangeOutcome => ({ kind: 'rewrite', path: file, status: 'refused', reason });
  const fingerprint = snapshot.fingerprintOf(file);
  if (!fingerprint) return refuse(`${describe(file)} was not read, so it cannot be checked before writing`);
  if (rewrite.before === rewrite.after) return { kind: 'rewrite', path: file, status: 'unchanged' };

  let target: string;
  try {
    // Write through symlinks: replacing the link itself would silently detach it.
    target = await realpath(file);
  } catch (error) {
    return refuse(isMissing(error) ? `${describe(file)} was deleted since it was read` : failure(error));
  }
  if (confine !== null && !isInsideRoot(confine.resolvedRoot, target)) return refuse(leadsOutside(describe(file), target));
  const earlier = writtenTargets.get(target);
  if (earlier !== undefined) return refuse(`${describe(file)} is the same file as ${describe(earlier)}, already written in this pass`);

  try {
    const stats = await stat(target);
    if (!stats.isFile()) return refuse(`${describe(file)} is no longer a regular file`);
    const blocked = await whyNotWritable(target, stats.mode, describe(file));
    if (blocked !== null) return refuse(blocked);
    if (stats.nlink > 1) {
      // A rename gives this name a new inode: the other links would keep the old text.
      return refuse(`${describe(file)} has ${stats.nlink} hard links; replacing it atomically would split them`);
    }
    if (!(await matchesSnapshot(target, fingerprint.hash))) return refuse(`${describe(file)} changed on disk since it was read; not written`);

    await removeStaleTemps(path.dirname(target), path.basename(target));
    const outcome = await replaceAtomically(target, Buffer.from(rewrite.after, 'utf8'), stats, fingerprint.hash, hooks);
    if (outcome !== null) return refuse(`${describe(file)} ${outcome}`);
  } catch (error) {
    return refuse(`${describe(file)}: ${failure(error)}`);
  }
  writtenTargets.set(target, file);
  return { kind: 'rewrite', path: file, status: 'written' };
}

/** Returns null on success, otherwise why the original was left alone. */
async function replaceAtomically(
  target: string,
  bytes: Buffer,
  original: { mode: number; uid: number; gid: number },
  expectedHash: string,
  hooks: WriteHooks | undefined,
): Promise<string | null> {
  const temp = tempPathFor(target);
  let renamed = false;
  const forgetTemp = onInterrupt(() => removeOnTheWayOut(temp));
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
      // chown first: it clears set-id bits that the chmod then restores.
      await handle.chown(original.uid, original.gid).catch(ignoreNotPermitted);
      await handle.chmod(original.mode & 0o7777);
    } finally {
      await handle.close();
    }
    await hooks?.beforeRename?.(temp, target);
    // Narrow the window between the first check and the rename as far as we can.
    if (!(await matchesSnapshot(target, expectedHash))) return 'changed on disk while it was being written; not written';
    await rename(temp, target);
    renamed = true;
    await syncDirectory(path.dirname(target));
    return null;
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
    forgetTemp();
  }
}

/** For an interrupted run: its temp file goes (the target is either untouched or whole). */
function removeOnTheWayOut(temp: string): void {
  try {
    unlinkSync(temp);
  } catch {
    // not made yet, or renamed already
  }
}

async function createFile(
  file: string,
  text: string,
  mode: number | undefined,
  describe: (file: string) => string,
  hooks: WriteHooks | undefined,
  confine: Confinement,
): Promise<ChangeOutcome> {
  const target = path.resolve(file);
  const refuse = (reason: string): ChangeOutcome => ({ kind: 'create', path: target, status: 'refused', reason });
  const appeared = `${describe(target)} already exists (it appeared after the project was read); not overwritten`;
  const dir = path.dirname(target);
  const temp = tempPathFor(target);
  let tempMade = false;
  const forgetTemp = onInterrupt(() => removeOnTheWayOut(temp));
  try {
    if (await exists(target)) return refuse(appeared);
    if (confine !== null) {
      // mkdir -p follows links in the directories that exist: check where it would go first.
      const outside = whyOutside(target, confine.root, confine.resolvedRoot);
      if (outside !== null) return refuse(`${outside}; not created without --unsafe-fixes`);
    }
    await mkdir(dir, { recursive: true });
    if (confine !== null) {
      const resolvedDir = await realpath(dir);
      if (!isInsideRoot(confine.resolvedRoot, resolvedDir)) return refuse(leadsOutside(describe(dir), resolvedDir));
    }
    await removeStaleTemps(dir, path.basename(target));
    const dirStats = await stat(dir);
    const blocked = await whyDirectoryNotWritable(dir, dirStats.mode);
    if (blocked !== null) return refuse(blocked);
    // Without an explicit mode the umask decides, as for any new file.
    const handle = await open(temp, 'wx', mode ?? 0o666);
    tempMade = true;
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
      if (mode !== undefined) await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await hooks?.beforeRename?.(temp, target);
    // link() fails with EEXIST instead of replacing: O_EXCL semantics with complete content.
    try {
      await link(temp, target);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return refuse(appeared);
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK'].includes(errorCode(error) ?? '')) throw error;
      // File systems without hard links: exclusive create, then write.
      await writeFile(target, text, { flag: 'wx', mode: mode ?? 0o666 });
    }
    await syncDirectory(dir);
    return { kind: 'create', path: target, status: 'written' };
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return refuse(appeared);
    return refuse(`${describe(target)}: ${failure(error)}`);
  } finally {
    if (tempMade) await unlink(temp).catch(() => undefined);
    forgetTemp();
  }
}

async function makeDirectory(dir: string, describe: (file: string) => string, outside: (file: string) => string | null): Promise<ChangeOutcome> {
  const target = path.resolve(dir);
  const leaves = outside(target);
  if (leaves !== null) return { kind: 'mkdir', path: target, status: 'refused', reason: `${leaves}; not made without --unsafe-fixes` };
  try {
    const made = await mkdir(target, { recursive: true });
    return { kind: 'mkdir', path: target, status: made === undefined ? 'unchanged' : 'written' };
  } catch (error) {
    return { kind: 'mkdir', path: target, status: 'refused', reason: `${describe(target)}: ${failure(error)}` };
  }
}

async function movePath(from: string, to: string, describe: (file: string) => string, outside: (file: string) => string | null): Promise<ChangeOutcome> {
  const source = path.resolve(from);
  const destination = path.resolve(to);
  const refuse = (reason: string): ChangeOutcome => ({ kind: 'move', path: source, to: destination, status: 'refused', reason });
  // The source itself is moved, not what it links to: only its directory must stay inside.
  const leaves = outside(path.dirname(source)) ?? outside(destination);
  if (leaves !== null) return refuse(`${leaves}; not moved without --unsafe-fixes`);
  try {
    if (!(await exists(source))) return refuse(`${describe(source)} no longer exists`);
    if (await exists(destination)) return refuse(`${describe(destination)} already exists; ${describe(source)} not moved`);
    await mkdir(path.dirname(destination), { recursive: true });
    // rename() would silently replace an empty directory that appeared in between; check again.
    if (await exists(destination)) return refuse(`${describe(destination)} already exists; ${describe(source)} not moved`);
    await rename(source, destination);
    return { kind: 'move', path: source, to: destination, status: 'written' };
  } catch (error) {
    if (errorCode(error) === 'EXDEV') return refuse(`${describe(destination)} is on another file system; ${describe(source)} not moved`);
    return refuse(`${describe(source)}: ${failure(error)}`);
  }
}

/**
 * Why an existing file could not be rewritten in place of it (read-only, not this user's to
 * write, a directory without room for the temp file); null when it could, or does not exist.
 * Asked before fixes are planned, so that no later pass builds on a write that will be refused.
 */
export async function whyFileNotWritable(file: string, shown: string): Promise<string | null> {
  try {
    const target = await realpath(file);
    const stats = await stat(target);
    return stats.isFile() ? await whyNotWritable(target, stats.mode, shown) : null;
  } catch {
    return null;
  }
}

/**
 * Permission is decided by the mode bits as well as access(): root may write anything, but
 * a file without its owner write bit was made read-only on purpose and stays untouched.
 */
async function whyNotWritable(file: string, mode: number, shown: string): Promise<string | null> {
  if ((mode & 0o200) === 0) return `${shown} is read-only (mode ${formatMode(mode)}); not made writable`;
  if (!(await canAccess(file, constants.W_OK))) return `${shown} is not writable by this user`;
  const dir = path.dirname(file);
  return whyDirectoryNotWritable(dir, (await stat(dir)).mode);
}

async function whyDirectoryNotWritable(dir: string, mode: number): Promise<string | null> {
  if ((mode & 0o200) === 0 || !(await canAccess(dir, constants.W_OK | constants.X_OK))) {
    return `directory ${dir} is not writable (mode ${formatMode(mode)}); an atomic write needs a temp file there`;
  }
  return null;
}

/**
 * Removes temp files a killed run left next to `baseName`. Only ours (the marker) and only
 * when the process that made them is gone, so a concurrent run keeps its own.
 */
export async function removeStaleTemps(dir: string, baseName: string): Promise<string[]> {
  const prefix = `.${baseName}${TEMP_MARKER}`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const stale = path.join(dir, name);
    if (await removeIfWriterDead(stale)) removed.push(stale);
  }
  return removed;
}

/**
 * Removes the writer temp files among `files` whose process is gone, wherever a run met
 * them (the file walk lists every one in the directories it reads), so that a killed --fix
 * leaves nothing behind past the next run of any kind. A live process's files are kept.
 * Returns those removed.
 */
export async function removeDeadWritersTemps(files: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const file of files) if (await removeIfWriterDead(file)) removed.push(file);
  return removed;
}

async function removeIfWriterDead(file: string): Promise<boolean> {
  const pid = writerPidOf(path.basename(file));
  if (pid === null || pid === process.pid || isAlive(pid)) return false;
  try {
    // Only a regular file of ours: never a link or a directory that happens to match.
    if (!(await lstat(file)).isFile()) return false;
    await unlink(file);
    return true;
  } catch {
    // Another run cleaned it first, or the directory is not ours to change.
    return false;
  }
}

function leadsOutside(shown: string, landing: string): string {
  return `${shown} leads to ${landing} through a symbolic link, outside the project; not written without --unsafe-fixes`;
}

function tempPathFor(target: string): string {
  return path.join(path.dirname(target), writerTempName(path.basename(target), process.pid, randomBytes(4).toString('hex')));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

async function matchesSnapshot(file: string, expectedHash: string): Promise<boolean> {
  return hashBytes(await readFile(file)) === expectedHash;
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable; not every platform lets a directory be opened.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort.
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

async function canAccess(file: string, mode: number): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

function ignoreNotPermitted(error: unknown): void {
  if (errorCode(error) !== 'EPERM') throw error;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
