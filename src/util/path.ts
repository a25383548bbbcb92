import path from 'node:path';

/**
 * True for a path `path.resolve` would return unchanged: absolute, with no `.`/`..` segment,
 * no doubled or trailing `/` (POSIX). The paths tm-doctor builds with `join` all are.
 */
export function isNormalAbsolute(file: string): boolean {
  if (path.sep !== '/' || file.charCodeAt(0) !== SLASH) return false;
  if (file.length > 1 && file.charCodeAt(file.length - 1) === SLASH) return false;
  return !NOT_NORMAL.test(file);
}

const SLASH = 47;
/** A doubled `/`, or a `.` or `..` segment. */
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)/;

/** `path.resolve(file)`, without its cost (a string per call) when `file` is already normal and absolute. */
export function normalAbsolute(file: string): string {
  return isNormalAbsolute(file) ? file : path.resolve(file);
}

/** True when `absPath` is `root` itself or lies below it. */
export function isInsideRoot(root: string, absPath: string): boolean {
  // Called per stack and per launch: normal absolute paths compare as strings.
  if (isNormalAbsolute(root) && isNormalAbsolute(absPath)) return absPath === root || absPath.startsWith(root === '/' ? '/' : `${root}/`);
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
