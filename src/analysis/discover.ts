import { readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { globby } from 'globby';
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

const PATTERNS: Record<FileKind, string[]> = {
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

const NEVER_WALKED = ['**/.git/**', '**/node_modules/**', '**/.terraform/**'];

const MATCHERS = Object.entries(PATTERNS).map(([kind, patterns]) => ({ kind: kind as FileKind, matches: picomatch(patterns, { dot: true }) }));

/** The kind of a `/`-separated path relative to the scanned directory, by the patterns above. */
export function kindOf(relativePath: string): FileKind | null {
  return MATCHERS.find(({ matches }) => matches(relativePath))?.kind ?? null;
}

function isHidden(relativePath: string): boolean {
  return relativePath.split('/').some((part) => part.startsWith('.'));
}

export interface DiscoveredFiles {
  byKind: Map<FileKind, string[]>;
  /** Directories skipped because they hold a `.tmskip` file. */
  skippedDirs: string[];
}

/**
 * Lists the files of every kind below `scanDir` (absolute paths, sorted), plus the
 * Terramate files of the directories between the project root and `scanDir`, whose
 * configuration applies to the stacks below. Symbolic links to directories are not
 * followed, so a link loop cannot trap the walk.
 */
export async function discoverFiles(root: string, scanDir: string): Promise<DiscoveredFiles> {
  const patterns = [...Object.values(PATTERNS).flat(), '**/.tmskip'];
  const found = await globby(patterns, {
    cwd: scanDir,
    dot: true,
    ignore: NEVER_WALKED,
    followSymbolicLinks: false,
    onlyFiles: false,
    suppressErrors: true,
    gitignore: false,
  });
  const skipped = found.filter((path) => path.endsWith('.tmskip')).map((path) => dirname(path));
  const isSkipped = (path: string) => skipped.some((dir) => dir === '.' || path.startsWith(`${dir}/`));

  const byKind = new Map<FileKind, string[]>();
  for (const path of found.sort()) {
    if (path.endsWith('.tmskip') || isSkipped(path)) continue;
    const kind = kindOf(path);
    if (!kind) continue;
    // Terramate ignores dot-directories for configuration; CI files live in some by design.
    if ((kind === 'terramate' || kind === 'makefile' || kind === 'shell') && isHidden(path)) continue;
    const list = byKind.get(kind) ?? [];
    list.push(join(scanDir, path));
    byKind.set(kind, list);
  }

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
  return { byKind, skippedDirs: skipped.map((dir) => join(scanDir, dir)) };
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
