import path from 'node:path';

/** True when `absPath` is `root` itself or lies below it. */
export function isInsideRoot(root: string, absPath: string): boolean {
  const relative = path.relative(root, absPath);
  const escapesRoot = relative === '..' || relative.startsWith(`..${path.sep}`);
  return !escapesRoot && !path.isAbsolute(relative);
}

/**
 * How every report names a file: relative to the root with `/` separators when inside
 * it (`.` for the root itself), the absolute path unchanged when outside.
 */
export function displayPath(root: string, absPath: string): string {
  if (!isInsideRoot(root, absPath)) return absPath;
  const relative = path.relative(root, absPath);
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}

/** `displayPath` for an optional path: null stays null. */
export function displayPathOrNull(root: string, absPath: string | null): string | null {
  return absPath === null ? null : displayPath(root, absPath);
}
