import type { Dirent } from 'node:fs';
import { readdirSync } from '../util/observed-fs.js';
import { describeErrno, errnoCode } from '../util/errors.js';
import { pace } from '../util/pacing.js';
import { writerPidOf } from '../util/writer-temp.js';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

/** The kinds of file tm-doctor reads, by name. */
export type FileKind =
  | 'terramate'
  | 'makefile'
  | 'shell'
  | 'github-workflow'
  | 'github-action'
  | 'gitlab-ci'
  | 'package-json'
  | 'taskfile'
  | 'justfile'
  | 'lockfile';

/** The files of each kind, by path relative to the scanned directory (picomatch, `dot: true`). */
export const PATTERNS: Readonly<Record<FileKind, readonly string[]>> = {
  terramate: ['**/*.tm', '**/*.tm.hcl'],
  makefile: ['**/Makefile', '**/makefile', '**/GNUmakefile', '**/*.mk'],
  shell: ['**/*.sh', '**/*.bash'],
  'github-workflow': ['**/.github/workflows/*.yml', '**/.github/workflows/*.yaml'],
  'github-action': ['**/action.yml', '**/action.yaml'],
  'gitlab-ci': ['**/.gitlab-ci.yml', '**/.gitlab-ci.yaml'],
  'package-json': ['**/package.json'],
  taskfile: ['**/Taskfile.yml', '**/Taskfile.yaml', '**/taskfile.yml', '**/taskfile.yaml'],
  justfile: ['**/justfile', '**/Justfile', '**/.justfile'],
  lockfile: ['**/.terraform.lock.hcl'],
};

/** Directories the walk never enters, wherever they are. */
const NEVER_WALKED = new Set(['.git', 'node_modules', '.terraform']);

/**
 * A pattern tested the cheap way: its last segment against the path's last segment (which any
 * match needs), and the whole pattern only when it says more than `**` before that segment.
 * picomatch's `**` prefix alone costs a scan of every prefix of the path.
 */
function segmentMatcher(pattern: string): (relativePath: string, name: string) => boolean {
  const last = pattern.slice(pattern.lastIndexOf('/') + 1);
  if (!pattern.startsWith('**/') || last.includes('**')) throw new Error(`a discovery pattern must be **/ then plain segments: ${pattern}`);
  const name = segmentTest(last);
  if (pattern === `**/${last}`) return (_relativePath, base) => name(base);
  const whole = picomatch(pattern, { dot: true });
  return (relativePath, base) => name(base) && whole(relativePath);
}

/**
 * The test of one path segment: a literal name and `*.ext` as string comparisons (with `dot`,
 * picomatch's `*.ext` is any name ending in `.ext`, `.ext` itself included, that does not start
 * with a line terminator), anything else by picomatch. test/analysis/discover.test.ts compares
 * kindOf with picomatch over many paths.
 */
function segmentTest(segment: string): (name: string) => boolean {
  const GLOB = /[*?[\]{}()!+@]/;
  if (!GLOB.test(segment)) return (name) => name === segment;
  const suffix = segment.slice(1);
  // picomatch's leading `*` needs a first character that is not a line terminator.
  if (segment.startsWith('*') && suffix.startsWith('.') && !GLOB.test(suffix)) return (name) => name.endsWith(suffix) && !LINE_TERMINATOR.test(name.charAt(0));
  return picomatch(segment, { dot: true });
}

const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

const MATCHERS = Object.entries(PATTERNS).map(([kind, patterns]) => ({ kind: kind as FileKind, matchers: patterns.map(segmentMatcher) }));

/** The kind of a `/`-separated path relative to the scanned directory, by the patterns above. */
export function kindOf(relativePath: string): FileKind | null {
  const slash = relativePath.lastIndexOf('/');
  // Every pattern starts with `**/`, whose directories never hold a line terminator in picomatch.
  if (slash >= 0 && LINE_TERMINATOR.test(relativePath.slice(0, slash))) return null;
  const name = relativePath.slice(slash + 1);
  for (const { kind, matchers } of MATCHERS) if (matchers.some((matches) => matches(relativePath, name))) return kind;
  return null;
}

function isHidden(relativePath: string): boolean {
  return relativePath.split('/').some((part) => part.startsWith('.'));
}

export interface DiscoveredFiles {
  byKind: Map<FileKind, string[]>;
  /** Directories skipped because they hold a `.tmskip` file. */
  skippedDirs: string[];
  /** Paths the walk could not enter or name: never skipped silently. */
  unwalked: Array<{ path: string; reason: string }>;
  /** Temp files of the fix writer (`.NAME.tm-doctor-PID-*`) met in the walked directories. */
  writerTemps: string[];
  /** The entries of every directory the walk read, by absolute path. */
  listings: Map<string, Dirent[]>;
}

/**
 * Reads a directory for the walk, recording what it cannot read (a directory without
 * permission) or cannot name faithfully (a line break, bytes that are not UTF-8), which the
 * matcher would otherwise pass over without a word.
 */
function readDirectory(path: string, unwalked: DiscoveredFiles['unwalked']): Dirent[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') unwalked.push({ path, reason: `cannot read directory: ${describeErrno(error)}` });
    return [];
  }
  for (const entry of entries) {
    if (entry.name.includes('\n') || entry.name.includes('\r')) unwalked.push({ path: join(path, entry.name), reason: 'skipped: its name has a line break' });
    else if (entry.name.includes('\uFFFD') && !isValidUtf8Name(path, entry.name)) unwalked.push({ path: join(path, entry.name), reason: 'skipped: its name is not valid UTF-8' });
  }
  return entries;
}

/**
 * Every entry below `scanDir` as a `/`-separated relative path (directories and links
 * included), read by one synchronous `readdir` per directory through observed-fs (so a stored
 * report knows what the walk saw), each listing kept and what cannot be read or named recorded;
 * the event loop gets its turns. Links to directories are not entered; neither are
 * NEVER_WALKED directories. Nothing below a directory whose name holds a line terminator is
 * returned (its listing is kept), as a picomatch `**` would not match it. globby is not used
 * here: README, "Why the walk is our own".
 */
async function walk(scanDir: string, unwalked: DiscoveredFiles['unwalked'], listings: Map<string, Dirent[]>): Promise<string[]> {
  const found: string[] = [];
  const pending: Array<{ dir: string; prefix: string }> = [{ dir: scanDir, prefix: '' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const turn = pace();
    if (turn) await turn;
    const entries = readDirectory(next.dir, unwalked);
    listings.set(next.dir, entries);
    const named = !LINE_TERMINATOR.test(next.prefix);
    for (const entry of entries) {
      const relativePath = next.prefix + entry.name;
      if (named) found.push(relativePath);
      if (entry.isDirectory() && !NEVER_WALKED.has(entry.name)) pending.push({ dir: join(next.dir, entry.name), prefix: `${relativePath}/` });
    }
  }
  return found;
}

/** Whether a name shown with U+FFFD really is that character (and not undecodable bytes). */
function isValidUtf8Name(dir: string, shown: string): boolean {
  try {
    return readdirSync(dir, { encoding: 'buffer' }).some((raw) => raw.toString('utf8') === shown && Buffer.from(shown, 'utf8').equals(raw));
  } catch {
    return true;
  }
}

/**
 * Lists the files of every kind below `scanDir` (absolute paths, sorted), plus the
 * Terramate files of the directories between the project root and `scanDir`, whose
 * configuration applies to the stacks below. Symbolic links to directories are not
 * followed, so a link loop cannot trap the walk.
 */
export async function discoverFiles(root: string, scanDir: string): Promise<DiscoveredFiles> {
  const unwalked: DiscoveredFiles['unwalked'] = [];
  const listings = new Map<string, Dirent[]>();
  // Every entry, classified below by kindOf (a name test first, the whole pattern only where
  // it says more), as the kinds' patterns would match it.
  const found = await walk(resolve(scanDir), unwalked, listings);
  const skipped = found.filter((path) => path === '.tmskip' || path.endsWith('/.tmskip')).map((path) => dirname(path));
  const isSkipped = (path: string) => skipped.some((dir) => dir === '.' || path.startsWith(`${dir}/`));

  const byKind = new Map<FileKind, string[]>();
  const writerTemps: string[] = [];
  for (const path of found) {
    // Every entry of the tree passes here: Ctrl-C must not wait for a million of them.
    const turn = pace();
    if (turn) await turn;
    if (writerPidOf(path.slice(path.lastIndexOf('/') + 1)) !== null) {
      writerTemps.push(join(scanDir, path));
      continue;
    }
    if (path === '.tmskip' || path.endsWith('/.tmskip')) continue;
    const kind = kindOf(path);
    if (!kind || isSkipped(path)) continue;
    // Terramate ignores dot-directories for configuration; CI files live in some by design.
    if ((kind === 'terramate' || kind === 'makefile' || kind === 'shell') && isHidden(path)) continue;
    const list = byKind.get(kind) ?? [];
    list.push(join(scanDir, path));
    byKind.set(kind, list);
  }
  // Sorted as the relative paths would be (one prefix): only what was kept, not every entry.
  for (const list of byKind.values()) list.sort();
  writerTemps.sort();

  const between = relative(root, scanDir);
  if (between && !between.startsWith('..')) {
    const terramateFiles = byKind.get('terramate') ?? [];
    let dir = dirname(scanDir);
    for (;;) {
      terramateFiles.unshift(...terramateFilesIn(dir));
      if (dir === root || !dir.startsWith(root + sep)) break;
      dir = dirname(dir);
    }
    byKind.set('terramate', terramateFiles);
  }
  const isUnder = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);
  const skippedAbsolute = skipped.map((dir) => join(scanDir, dir)).sort();
  const notNeverWalked = (path: string) => !relative(scanDir, path).split(sep).some((part) => part === '.git' || part === 'node_modules' || part === '.terraform');
  return {
    byKind,
    skippedDirs: skippedAbsolute,
    writerTemps,
    listings,
    unwalked: unwalked.filter(({ path }) => notNeverWalked(path) && !skippedAbsolute.some((dir) => isUnder(path, dir))).sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}

function terramateFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && (entry.name.endsWith('.tm') || entry.name.endsWith('.tm.hcl')))
      .map((entry) => join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}
