import path from 'node:path';

/**
 * True for a path `path.resolve` would return unchanged: absolute, with no `.`/`..` segment,
 * no doubled or trailing `/` (POSIX). The paths tm-doctor builds with `join` all are.
 */
export function isNormalAbsolute(file: string): boolean {
  // One pass (this is asked for every file looked at): a `/` followed by `/`, or by `.` or `..`
  // ending a segment, or a trailing `/`, makes the path other than what resolve returns.
  if (path.sep !== '/' || file.charCodeAt(0) !== SLASH) return false;
  const length = file.length;
  if (length > 1 && file.charCodeAt(length - 1) === SLASH) return false;
  for (let at = file.indexOf('/', 0); at !== -1; at = file.indexOf('/', at + 1)) {
    let next = at + 1;
    if (next === length) break;
    const first = file.charCodeAt(next);
    if (first === SLASH) return false;
    if (first !== DOT) continue;
    next++;
    if (next < length && file.charCodeAt(next) === DOT) next++;
    if (next === length || file.charCodeAt(next) === SLASH) return false;
  }
  return true;
}

const SLASH = 47;
const DOT = 46;

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
