// What the rules saw: the text of each file and a fingerprint of the bytes it came from, so a
// later write can tell whether the file changed underneath.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstatSync, readFileSync, realpathSync } from '../util/observed-fs.js';
import { normalAbsolute } from '../util/path.js';
import { readStats } from '../util/read-stats.js';

export interface FileFingerprint {
  /** sha256 of the bytes read, hex (computed when first asked: only a write asks). */
  readonly hash: string;
  size: number;
  mtimeMs: number;
  /** Permission bits (mode & 0o7777) of the file the path resolved to. */
  mode: number;
  /**
   * False when the bytes are not valid UTF-8 (or otherwise do not survive a decode/encode
   * round trip): writing the decoded text back would corrupt the file, so edits are refused.
   */
  lossless: boolean;
}

/**
 * The text the rules saw, per absolute path. `fingerprintOf` is `null` for a file that was
 * looked for and absent, `undefined` for a file never looked at.
 */
export interface Snapshot {
  readonly root: string;
  textOf(file: string): string | undefined;
  fingerprintOf(file: string): FileFingerprint | null | undefined;
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function fingerprintBytes(bytes: Buffer, stats: Pick<Stats, 'size' | 'mtimeMs' | 'mode'>): FileFingerprint {
  return new ReadFingerprint(bytes, isUtf8(bytes), stats);
}

/**
 * The fingerprint of a read, its hash computed when a write first asks. `source` is the bytes,
 * or, for valid UTF-8 (which decodes and encodes back to the same bytes), the text already
 * kept. A class: one is kept per file read, thousands per run.
 */
class ReadFingerprint implements FileFingerprint {
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
  private computedHash: string | undefined;

  constructor(
    private readonly source: Buffer | string,
    readonly lossless: boolean,
    stats: Pick<Stats, 'size' | 'mtimeMs' | 'mode'>,
  ) {
    this.size = stats.size;
    this.mtimeMs = stats.mtimeMs;
    this.mode = stats.mode & 0o7777;
  }

  get hash(): string {
    this.computedHash ??= hashBytes(typeof this.source === 'string' ? Buffer.from(this.source, 'utf8') : this.source);
    return this.computedHash;
  }
}

interface Recorded {
  text: string;
  fingerprint: FileFingerprint;
}

/**
 * A snapshot filled as the project is read. The project reader either reads through
 * `readText` or hands over bytes it read itself with `remember`.
 */
export class DiskSnapshot implements Snapshot {
  private readonly files = new Map<string, Recorded | null>();

  constructor(readonly root: string) {}

  /** Reads (once) and records the file; `undefined` when it does not exist or is not a file. */
  readText(file: string): string | undefined {
    const key = normalAbsolute(file);
    const known = this.files.get(key);
    if (known !== undefined) return known?.text;
    let bytes: Buffer;
    let stats: Stats;
    try {
      // Follow symlinks: the fingerprint must describe the bytes a write would replace.
      const real = realpathSync(key);
      stats = lstatSync(real);
      if (!stats.isFile()) {
        this.files.set(key, null);
        return undefined;
      }
      bytes = readFileSync(real);
    } catch (error) {
      if (isMissing(error)) {
        this.files.set(key, null);
        return undefined;
      }
      throw error;
    }
    return this.remember(key, bytes, stats);
  }

  /** Records bytes the caller read itself; returns the text the rules should see. */
  remember(file: string, bytes: Buffer, stats: Pick<Stats, 'size' | 'mtimeMs' | 'mode'>): string {
    const text = bytes.toString('utf8');
    readStats.files++;
    readStats.bytes += bytes.length;
    const lossless = isUtf8(bytes);
    this.files.set(normalAbsolute(file), { text, fingerprint: new ReadFingerprint(lossless ? text : bytes, lossless, stats) });
    return text;
  }

  /** Records that the file was looked for and did not exist. */
  rememberAbsent(file: string): void {
    readStats.absent++;
    this.files.set(normalAbsolute(file), null);
  }

  textOf(file: string): string | undefined {
    return this.files.get(normalAbsolute(file))?.text;
  }

  /** The text read (a string), null for a file looked for and absent, undefined for one never looked at. */
  recordedText(file: string): string | null | undefined {
    const known = this.files.get(normalAbsolute(file));
    return known === undefined ? undefined : known === null ? null : known.text;
  }

  fingerprintOf(file: string): FileFingerprint | null | undefined {
    const known = this.files.get(normalAbsolute(file));
    return known === undefined ? undefined : known === null ? null : known.fingerprint;
  }
}

export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
