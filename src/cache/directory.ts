// The one directory tm-doctor keeps things in between runs, and who it trusts there. A stored
// report or a stored handshake verdict is believed without looking at the project, so whoever
// can write this directory decides what a check prints: it counts only while it is provably
// the user's own, in the manner of OpenSSH's StrictModes and git's safe.directory.
// - The cache directory and each subdirectory and file read from it is owned by the
//   effective user and writable by no one else, checked with fstat on the open descriptor
//   (no gap between check and open), opened without following a link.
// - Every directory above it (after resolving links: `~/.cache` may be one) is owned by the
//   user or root and writable by no one else unless sticky (/tmp): nobody else can then
//   swap a path between two uses.
// Anything else and the cache is not used for the rest of the run; `problem` says why and
// how to mend it. Pruning removes only names this module's callers write, by exact pattern,
// with unlink (never through a link), and only in a directory that passed.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { errnoCode } from '../util/errors.js';

/** `$XDG_CACHE_HOME/tm-doctor` or `$HOME/.cache/tm-doctor`; null when neither is an absolute path. */
export function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'tm-doctor');
  const home = env.HOME ?? env.USERPROFILE;
  if (home && isAbsolute(home)) return join(home, '.cache', 'tm-doctor');
  return null;
}

/** Why the cache is not used: the path at fault, what is wrong with it, how to mend it. */
export interface CacheProblem {
  path: string;
  reason: string;
  remedy: string;
}

/** The one line on stderr for a cache that is not used (prefixed `tm-doctor: ` by the caller). */
export function describeCacheProblem(problem: CacheProblem): string {
  return `the cache is not used: ${problem.path} ${problem.reason}; ${problem.remedy}, or pass --no-cache`;
}

// Windows has neither O_NOFOLLOW nor owners in st_uid: there the profile's ACLs guard it.
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const OPEN_DIRECTORY = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | NO_FOLLOW;
const OPEN_FILE = constants.O_RDONLY | NO_FOLLOW | (constants.O_NONBLOCK ?? 0);
const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;
const STICKY = 0o1000;

const quoted = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;

function effectiveUid(): number | undefined {
  return process.geteuid?.();
}

/** What is wrong with a directory or file of the cache, from the fstat of its open descriptor. */
function ownProblem(stats: Stats, path: string, kind: 'directory' | 'file'): CacheProblem | null {
  if (kind === 'directory' ? !stats.isDirectory() : !stats.isFile()) {
    return { path, reason: `is not a ${kind}`, remedy: `remove it (tm-doctor recreates what it needs)` };
  }
  const euid = effectiveUid();
  if (euid === undefined) return null;
  if (stats.uid !== euid) {
    return { path, reason: `is owned by uid ${stats.uid}, not by you (uid ${euid})`, remedy: `remove it (tm-doctor recreates it) or chown it to yourself` };
  }
  if ((stats.mode & 0o022) !== 0) {
    return { path, reason: `is writable by ${(stats.mode & 0o002) !== 0 ? 'everyone' : 'its group'}`, remedy: `run chmod go-w ${quoted(path)}` };
  }
  return null;
}

function openProblem(error: unknown, path: string): CacheProblem {
  const code = errnoCode(error);
  // Opening a link with O_NOFOLLOW fails with ELOOP, or ENOTDIR when a directory was asked for.
  let link = code === 'ELOOP' || code === 'EMLINK';
  if (code === 'ENOTDIR') {
    try {
      link = lstatSync(path).isSymbolicLink();
    } catch {
      // gone meanwhile: not a directory either
    }
  }
  if (link) return { path, reason: 'is a symbolic link', remedy: 'replace it with a directory of your own' };
  if (code === 'ENOTDIR') return { path, reason: 'is not a directory', remedy: 'remove it (tm-doctor recreates what it needs)' };
  return { path, reason: `cannot be opened (${code ?? String(error)})`, remedy: 'check its permissions' };
}

/**
 * Each directory above `dir` that exists: owned by you or root, writable by no one else
 * unless sticky. Links among them are resolved first and the real directories checked.
 */
function ancestorProblem(dir: string): CacheProblem | null {
  const euid = effectiveUid();
  if (euid === undefined) return null;
  let existing = dirname(dir);
  let real: string | null = null;
  for (;;) {
    try {
      real = realpathSync(existing);
      break;
    } catch {
      if (dirname(existing) === existing) return null;
      existing = dirname(existing);
    }
  }
  for (let current = real; ; current = dirname(current)) {
    let stats: Stats;
    try {
      stats = statSync(current);
    } catch (error) {
      return { path: current, reason: `cannot be examined (${errnoCode(error) ?? String(error)})`, remedy: 'check its permissions' };
    }
    if (stats.uid !== euid && stats.uid !== 0) {
      return { path: current, reason: `is owned by uid ${stats.uid}, neither you (uid ${euid}) nor root`, remedy: 'set XDG_CACHE_HOME to a directory of your own' };
    }
    if ((stats.mode & 0o022) !== 0 && (stats.mode & STICKY) === 0) {
      const who = (stats.mode & 0o002) !== 0 ? 'everyone' : 'its group';
      const remedy = stats.uid === euid ? `run chmod go-w ${quoted(current)}` : 'set XDG_CACHE_HOME to a directory of your own';
      return { path: current, reason: `is writable by ${who} and not sticky`, remedy };
    }
    if (dirname(current) === current) return null;
  }
}

const PROBLEMS = Symbol.for('tm-doctor.cache-problems');

/**
 * Problems found in this process, by cache directory. The stored-report replay runs before the
 * check in the same process (and from another bundle): what it found still holds for the check.
 */
const problemsSeen: Map<string, CacheProblem> = ((globalThis as Record<symbol, unknown>)[PROBLEMS] as Map<string, CacheProblem> | undefined) ?? new Map();
(globalThis as Record<symbol, unknown>)[PROBLEMS] = problemsSeen;

/** A file of the cache directory, as `list` finds it (never followed: lstat). */
export interface CacheEntry {
  name: string;
  size: number;
  mtimeMs: number;
}

/**
 * The cache directory of one run. Reads and writes go through it, by name relative to it;
 * after a problem, reads answer nothing and writes do nothing.
 */
export class CacheDirectory {
  private found: CacheProblem | null;
  private readonly trusted = new Set<string>();

  private constructor(
    /** The directory, or null when there is none (no usable HOME) or the cache is turned off. */
    readonly path: string | null,
    earlier: CacheProblem | null,
  ) {
    this.found = earlier;
  }

  /**
   * The cache directory `env` names, as this process last found it; with `disabled`
   * (`--no-cache`) one that holds nothing.
   */
  static open(env: Readonly<Record<string, string | undefined>>, options: { disabled?: boolean } = {}): CacheDirectory {
    const path = options.disabled ? null : cacheDirectory(env);
    return new CacheDirectory(path, path === null ? null : (problemsSeen.get(path) ?? null));
  }

  /** A cache rooted at `path`, examined afresh (tests, benchmarks). */
  static at(path: string): CacheDirectory {
    return new CacheDirectory(path, null);
  }

  /** Why the cache is not used in this run, once found; null while it is. */
  get problem(): CacheProblem | null {
    return this.found;
  }

  get usable(): boolean {
    return this.path !== null && this.found === null;
  }

  private distrust(problem: CacheProblem): void {
    if (this.found || this.path === null) return;
    this.found = problem;
    problemsSeen.set(this.path, problem);
  }

  /**
   * Whether `relative` (a directory below the cache, '' for the cache itself) and the cache
   * above it may be used; with `create`, missing ones are made (mode 0700).
   */
  private directoryUsable(relative: string, create: boolean): boolean {
    if (!this.usable) return false;
    const root = this.path!;
    const parts = relative === '' ? [''] : ['', ...relative.split('/')];
    let path = root;
    for (let index = 0; index < parts.length; index++) {
      if (index > 0) path = join(path, parts[index]);
      if (this.trusted.has(path)) continue;
      if (index === 0) {
        const problem = ancestorProblem(root);
        if (problem) {
          this.distrust(problem);
          return false;
        }
      }
      let fd: number;
      try {
        fd = openSync(path, OPEN_DIRECTORY);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') {
          this.distrust(openProblem(error, path));
          return false;
        }
        if (!create) return false;
        try {
          mkdirSync(path, { recursive: index === 0, mode: 0o700 });
        } catch (made) {
          // Another run made it first: it is examined below like any other.
          if (errnoCode(made) !== 'EEXIST') return false; // read-only home: the run goes on without a cache
        }
        try {
          fd = openSync(path, OPEN_DIRECTORY);
        } catch (retry) {
          this.distrust(openProblem(retry, path));
          return false;
        }
        // Made now, below directories checked before they existed: check them again.
        if (index === 0) {
          const problem = ancestorProblem(root);
          if (problem) {
            closeSync(fd);
            this.distrust(problem);
            return false;
          }
        }
      }
      try {
        const problem = ownProblem(fstatSync(fd), path, 'directory');
        if (problem) {
          this.distrust(problem);
          return false;
        }
      } finally {
        closeSync(fd);
      }
      this.trusted.add(path);
    }
    return true;
  }

  /**
   * The path of the subdirectory `relative`, made when missing, for a reader that is not
   * ours (Node's compile cache); null when it is not to be used.
   */
  subdirectory(relative: string): string | null {
    if (!this.directoryUsable(relative, true)) return null;
    const path = join(this.path!, relative);
    // The reader makes its own subdirectories with the umask's modes (0775 under umask 002):
    // only a directory no one else may even enter keeps them ours.
    try {
      const stats = lstatSync(path);
      if ((stats.mode & 0o077) !== 0) chmodSync(path, 0o700);
    } catch {
      return null;
    }
    return path;
  }

  /**
   * The content of `relative` (a file below the cache), or null: absent, larger than
   * `maxBytes`, unreadable, or not trusted (the cache is then not used any more).
   */
  read(relative: string, maxBytes: number): Buffer | null {
    if (!this.directoryUsable(dirnameOf(relative), false)) return null;
    const path = join(this.path!, relative);
    let fd: number;
    try {
      fd = openSync(path, OPEN_FILE);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ELOOP' || code === 'EMLINK') this.distrust(openProblem(error, path));
      // A file of ours we may not read was not written by us as we are now.
      else if (code === 'EACCES' || code === 'EPERM') this.distrust({ path, reason: 'cannot be read by you', remedy: 'remove it (tm-doctor recreates it)' });
      return null;
    }
    try {
      const stats = fstatSync(fd);
      const problem = ownProblem(stats, path, 'file');
      if (problem) {
        this.distrust(problem);
        return null;
      }
      if (stats.size > maxBytes) return null;
      const buffer = Buffer.alloc(stats.size);
      let filled = 0;
      while (filled < buffer.length) {
        const count = readSync(fd, buffer, filled, buffer.length - filled, filled);
        if (count === 0) break;
        filled += count;
      }
      return buffer.subarray(0, filled);
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Replaces `relative` with `content` atomically (a temp file of a name `isTemporary`
   * recognises, then rename); false when the cache is not usable or the write failed.
   */
  write(relative: string, content: string | Buffer): boolean {
    if (!this.directoryUsable(dirnameOf(relative), true)) return false;
    const path = join(this.path!, relative);
    const temporary = temporaryName(path);
    let fd: number | null = null;
    try {
      fd = openSync(temporary, CREATE_FILE, 0o600);
      const buffer = typeof content === 'string' ? Buffer.from(content) : content;
      for (let written = 0; written < buffer.length; ) written += writeSync(fd, buffer, written, buffer.length - written);
      // No fsync: a file torn by a crash reads as damaged and is replaced, costing one recomputation.
      closeSync(fd);
      fd = null;
      renameSync(temporary, path);
      return true;
    } catch {
      if (fd !== null) closeSync(fd);
      try {
        unlinkSync(temporary);
      } catch {
        // never created
      }
      return false;
    }
  }

  /**
   * The regular files of the subdirectory `relative` whose names `ours` accepts (links and
   * anything else are left out); empty when the directory is absent or not trusted.
   */
  list(relative: string, ours: RegExp): CacheEntry[] {
    if (!this.directoryUsable(relative, false)) return [];
    const dir = join(this.path!, relative);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names.flatMap((name) => {
      if (!ours.test(name)) return [];
      try {
        const stats = lstatSync(join(dir, name));
        return stats.isFile() ? [{ name, size: stats.size, mtimeMs: stats.mtimeMs }] : [];
      } catch {
        return []; // removed meanwhile by another run's pruning
      }
    });
  }

  /** Unlinks the file `name` of `relative` when `ours` accepts the name (unlink never follows a link). */
  remove(relative: string, name: string, ours: RegExp): void {
    if (!ours.test(name) || name.includes('/') || !this.directoryUsable(relative, false)) return;
    try {
      unlinkSync(join(this.path!, relative, name));
    } catch {
      // gone already
    }
  }
}

function dirnameOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}

/** `NAME.PID.RANDOM.tmp`: what `write` creates beside NAME before renaming it. */
function temporaryName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** The temp files `write` leaves when killed, for names matching `name` (a pattern source without anchors). */
export function temporaryPattern(name: string): RegExp {
  return new RegExp(`^${name}\\.[0-9]+\\.[0-9a-f]{12}\\.tmp$`);
}
