// Where a change really lands. A file named inside the project may be a symbolic link to a
// file elsewhere (`Makefile -> /elsewhere/Makefile`), and a directory on the way may be one:
// written through, such a change leaves the project as surely as an edit of
// `include /elsewhere/x.mk` does, so it is judged by the path it resolves to.
import { lstatSync, readlinkSync, realpathSync } from '../util/observed-fs.js';
import path from 'node:path';
import type { Change, Fix } from '../types.js';
import { displayPath, isInsideRoot } from '../util/path.js';
import { isMissing } from '../analysis/snapshot.js';

/** Links followed at most, as the kernel does (ELOOP past 40). */
const MAX_LINKS = 40;

/**
 * The path a write to `file` reaches, every symbolic link on the way resolved, also for a
 * file or directories that do not exist yet (what exists is resolved, the rest appended; a
 * dangling link is followed to where it points). Null when it cannot be told: a link loop,
 * a directory that may not be searched.
 */
export function landingPath(file: string): string | null {
  return resolveLinks(path.resolve(file), 0);
}

function resolveLinks(file: string, hops: number): string | null {
  if (hops > MAX_LINKS) return null;
  try {
    return realpathSync(file);
  } catch (error) {
    if (!isMissing(error)) return null;
  }
  let isLink = false;
  try {
    isLink = lstatSync(file).isSymbolicLink();
  } catch (error) {
    if (!isMissing(error)) return null;
  }
  if (isLink) {
    let target: string;
    try {
      target = readlinkSync(file);
    } catch {
      return null;
    }
    return resolveLinks(path.resolve(path.dirname(file), target), hops + 1);
  }
  const parent = path.dirname(file);
  if (parent === file) return file;
  const resolvedParent = resolveLinks(parent, hops);
  return resolvedParent === null ? null : path.join(resolvedParent, path.basename(file));
}

/** The project root as links resolve it (a root reached through a link is still the root). */
export function realRoot(root: string): string {
  return landingPath(root) ?? path.resolve(root);
}

/** Every path a change writes: the file, the directory, both ends of a move. */
export function pathsWrittenBy(change: Change): string[] {
  switch (change.kind) {
    case 'text':
    case 'create':
      return [change.file];
    case 'mkdir':
      return [change.dir];
    case 'move':
      return [change.from, change.to];
  }
}

/**
 * Why writing `file` leaves the project, or null when the path it resolves to lies inside
 * the project's resolved root: named outside, leading out through a symbolic link, or
 * leading to a place that cannot be told.
 */
export function whyOutside(file: string, root: string, resolvedRoot: string = realRoot(root)): string | null {
  const absolute = path.resolve(file);
  const landing = landingPath(absolute);
  const shown = displayPath(root, absolute);
  if (landing === null) return `cannot tell where ${shown} leads (a link loop or a directory that cannot be searched)`;
  if (isInsideRoot(resolvedRoot, landing)) return null;
  if (!isInsideRoot(root, absolute)) return `changes ${absolute}, outside the project`;
  return `${shown} leads to ${landing} through a symbolic link, outside the project`;
}

/** Why `fix` writes outside the project (first such path), or null. */
export function whyFixLeavesProject(fix: Fix, root: string, resolvedRoot: string = realRoot(root)): string | null {
  for (const change of fix.changes) {
    for (const file of pathsWrittenBy(change)) {
      const reason = whyOutside(file, root, resolvedRoot);
      if (reason !== null) return reason;
    }
  }
  return null;
}

export interface Classified {
  fix: Fix;
  /** Set when a fix its rule marked safe turned out to write outside the project. */
  unsafeBecause: string | null;
}

/**
 * Safe means "only changes files inside the project", decided on the paths links resolve
 * to: a fix marked safe that writes outside is unsafe (applied only with --unsafe-fixes).
 */
export function classifyFix(fix: Fix, root: string, resolvedRoot: string = realRoot(root)): Classified {
  if (!fix.safe) return { fix, unsafeBecause: null };
  const reason = whyFixLeavesProject(fix, root, resolvedRoot);
  return reason === null ? { fix, unsafeBecause: null } : { fix: { ...fix, safe: false }, unsafeBecause: reason };
}
