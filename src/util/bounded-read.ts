// Every file tm-doctor opens is read through here: a committed FIFO, a link to /dev/zero or a
// huge file must give a clear reason, never a hang or gigabytes of memory.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { describeErrno, errnoCode } from './errors.js';
import { observeFailedRead, observeRead } from './observed-fs.js';

/** The largest configuration file read: far above any real one, far below trouble. */
export const MAX_TEXT_BYTES = 8 * 1024 * 1024;

export type BoundedRead = { ok: true; bytes: Buffer; stats: Stats } | { ok: false; missing: boolean; reason: string };

// Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK returns at once.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The bytes of a regular file of at most `maxBytes`, or why not. */
export function readBounded(path: string, maxBytes = MAX_TEXT_BYTES): BoundedRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = errnoCode(error);
    observeFailedRead(path, code);
    return { ok: false, missing: code === 'ENOENT' || code === 'ENOTDIR', reason: describeErrno(error) };
  }
  try {
    const stats = fstatSync(fd);
    observeRead(path, stats);
    if (!stats.isFile()) return { ok: false, missing: false, reason: `not a regular file (${kindOf(stats)})` };
    if (stats.size > maxBytes) return { ok: false, missing: false, reason: tooLarge(stats.size, maxBytes) };
    // Only the bytes read are ever looked at (the subarray below): no need to zero the rest.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) return { ok: false, missing: false, reason: tooLarge(length, maxBytes) };
      // The size fstat gave is read (as readFileSync stops): no read more to learn the end.
      if (length === buffer.length || length === stats.size) break;
    }
    return { ok: true, bytes: buffer.subarray(0, length), stats };
  } catch (error) {
    observeFailedRead(path, errnoCode(error));
    return { ok: false, missing: false, reason: describeErrno(error) };
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number, limit: number): string {
  return `too large to be a configuration file (${size} bytes or more; the limit is ${limit})`;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

/** Nesting allowed in a configuration file before it is refused unparsed (real files stay under 30). */
export const MAX_NESTING = 256;

/**
 * The deepest bracket nesting of `text` (`{[(`), skipping quoted strings and comments roughly:
 * enough to refuse a file that would exhaust a parser's stack before handing it over.
 */
export function bracketDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const character = text[i];
    if (quote) {
      if (character === '\\') i++;
      else if (character === quote) quote = null;
      continue;
    }
    if (character === '"') quote = character;
    else if (character === '#' || (character === '/' && text[i + 1] === '/')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (character === '{' || character === '[' || character === '(') {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (character === '}' || character === ']' || character === ')') depth = Math.max(0, depth - 1);
  }
  return deepest;
}

/** The deepest YAML nesting: flow brackets plus indentation levels (two columns or more each). */
export function yamlDepth(text: string): number {
  let deepest = bracketDepth(text);
  for (const line of text.split('\n')) {
    const indent = /^( *)(?:- +)*/.exec(line)?.[0].length ?? 0;
    const levels = Math.floor(indent / 2) + (line.trimStart().match(/^(- +)+/)?.[0].split('-').length ?? 1) - 1;
    if (levels > deepest) deepest = levels;
  }
  return deepest;
}
