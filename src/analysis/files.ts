import { sep } from 'node:path';
import { DiskSnapshot } from './snapshot.js';
import { readBounded } from '../util/bounded-read.js';
import { LineIndex } from '../util/line-index.js';

export interface SourceFile {
  path: string;
  text: string;
  lines: LineIndex;
}

export interface UnreadableFile {
  path: string;
  reason: string;
}

export type ReadResult = { ok: true; file: SourceFile } | { ok: false; missing: boolean; problem: UnreadableFile };

/**
 * Every project file is read once and kept. Bytes read from disk are recorded in a snapshot
 * (shared by every pass of a --fix run) so that a fix can refuse to write a file that changed
 * since; text produced by earlier fix passes (the overlay) takes precedence over the disk.
 */
export class FileStore {
  private readonly cache = new Map<string, ReadResult>();

  /** `knownAbsent` answers from directory listings already read (the discovery walk) without a system call. */
  constructor(
    readonly snapshot: DiskSnapshot,
    private readonly overlay: ReadonlyMap<string, string> = new Map(),
    private readonly knownAbsent: (path: string) => boolean = () => false,
  ) {}

  /** Whether a fix not written yet creates a file below `dir`. */
  pendingUnder(dir: string): boolean {
    const prefix = dir.endsWith(sep) ? dir : `${dir}${sep}`;
    return [...this.overlay.keys()].some((file) => file.startsWith(prefix));
  }

  read(path: string): ReadResult {
    let result = this.cache.get(path);
    if (!result) {
      result = this.load(path);
      this.cache.set(path, result);
    }
    return result;
  }

  /** The file's text, or undefined when missing or unreadable (callers that care use read()). */
  text(path: string): string | undefined {
    const result = this.read(path);
    return result.ok ? result.file.text : undefined;
  }

  private load(path: string): ReadResult {
    const recorded = this.snapshot.recordedText(path);
    const pending = this.overlay.get(path) ?? recorded ?? undefined;
    if (pending !== undefined) return { ok: true, file: { path, text: pending, lines: new LineIndex(pending) } };
    if (recorded === null) return { ok: false, missing: true, problem: { path, reason: 'no such file' } };
    if (this.knownAbsent(path)) {
      this.snapshot.rememberAbsent(path);
      return { ok: false, missing: true, problem: { path, reason: 'no such file' } };
    }
    const read = readBounded(path);
    if (!read.ok) {
      if (read.missing) this.snapshot.rememberAbsent(path);
      return { ok: false, missing: read.missing, problem: { path, reason: read.missing ? 'no such file' : read.reason } };
    }
    if (read.bytes.subarray(0, 8000).includes(0)) {
      return { ok: false, missing: false, problem: { path, reason: 'binary file (contains NUL bytes), not text' } };
    }
    const text = this.snapshot.remember(path, read.bytes, read.stats);
    return { ok: true, file: { path, text, lines: new LineIndex(text) } };
  }
}
