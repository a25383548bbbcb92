// Remembers what is costly to recompute between runs, in one JSON file that is only ever
// replaced whole: package hashes and handshake outcomes, keyed by file identity (device,
// inode, size, mtime), and HashiCorp's parse of each HCL file, keyed by its path and content.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheDirectory } from '../util/cache-dir.js';

import type { HclParse } from '../parsers/hcl.js';
import type { HandshakeResult } from '../providers/handshake.js';

export interface FileIdentity {
  dev: string | number | bigint;
  ino: string | number | bigint;
  size: number | bigint;
  /** Nanoseconds when known (bigint stat), else milliseconds: the key says which. */
  mtimeNs?: string | bigint;
  mtimeMs?: number;
  /** The change time, when known: a rewrite whose mtime was put back still changes it. */
  ctimeNs?: string | bigint;
}

export interface ResultCacheOptions {
  /** The environment to take XDG_CACHE_HOME / HOME from (never the real home behind its back). */
  env: Readonly<Record<string, string | undefined>>;
  /** `--no-cache`: nothing is read or written. */
  disabled?: boolean;
  /** Overrides the location (tests). */
  file?: string;
  /** Entries not used for this long are dropped on save. */
  maxAgeMs?: number;
  now?: () => number;
}

interface StoredEntry<T> {
  value: T;
  usedAt: number;
}

interface CacheDocument {
  version: typeof FORMAT_VERSION;
  hashes: Record<string, StoredEntry<string>>;
  handshakes: Record<string, StoredEntry<HandshakeResult>>;
  parses: Record<string, StoredEntry<HclParse>>;
}

const FORMAT_VERSION = 2;
const CACHE_FILE_NAME = 'results-v2.json';
const DEFAULT_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1000;

/** `dev:ino:size:mtime` — the key every cached result is filed under. */
export function identityKey(identity: FileIdentity): string {
  const mtime = identity.mtimeNs !== undefined ? `ns${identity.mtimeNs}` : `ms${identity.mtimeMs ?? 0}`;
  const ctime = identity.ctimeNs !== undefined ? `:c${identity.ctimeNs}` : '';
  return `${identity.dev}:${identity.ino}:${identity.size}:${mtime}${ctime}`;
}

/** One key for a set of files (a package directory): every file's name and identity. */
export function fileSetKey(files: ReadonlyArray<{ name: string } & FileIdentity>): string {
  return files.map((file) => `${file.name}=${identityKey(file)}`).join('\n');
}

/** `$XDG_CACHE_HOME/tm-doctor/…` or `$HOME/.cache/tm-doctor/…`; null when neither is usable. */
export function resultCacheFile(env: Readonly<Record<string, string | undefined>>): string | null {
  const dir = cacheDirectory(env);
  return dir === null ? null : join(dir, CACHE_FILE_NAME);
}

/** Timeouts and resource shortages say nothing lasting about the file. */
export function isCacheableHandshake(result: HandshakeResult): boolean {
  if (result.ok) return true;
  if (result.cause === 'timeout') return false;
  if (result.cause === 'spawn-error') return !['EAGAIN', 'ENOMEM', 'EMFILE', 'ENFILE', 'ETXTBSY', 'UNKNOWN'].includes(result.errno ?? '');
  return true;
}

export class ResultCache {
  private readonly document: CacheDocument;
  private readonly dirtyHashes = new Set<string>();
  private readonly dirtyHandshakes = new Set<string>();
  private readonly dirtyParses = new Set<string>();

  private constructor(
    readonly file: string | null,
    document: CacheDocument,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {
    this.document = document;
  }

  static async open(options: ResultCacheOptions): Promise<ResultCache> {
    const now = options.now ?? Date.now;
    const maxAge = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    const file = options.disabled ? null : (options.file ?? resultCacheFile(options.env));
    const document = file ? await readDocument(file) : emptyDocument();
    return new ResultCache(file, document, maxAge, now);
  }

  get disabled(): boolean {
    return this.file === null;
  }

  getHash(key: string): string | undefined {
    return this.touch(this.document.hashes, key, this.dirtyHashes);
  }

  setHash(key: string, h1: string): void {
    if (this.disabled) return;
    this.document.hashes[key] = { value: h1, usedAt: this.now() };
    this.dirtyHashes.add(key);
  }

  getHandshake(key: string): HandshakeResult | undefined {
    return this.touch(this.document.handshakes, key, this.dirtyHandshakes);
  }

  setHandshake(key: string, result: HandshakeResult): void {
    if (this.disabled || !isCacheableHandshake(result)) return;
    this.document.handshakes[key] = { value: result, usedAt: this.now() };
    this.dirtyHandshakes.add(key);
  }

  getParse(key: string): HclParse | undefined {
    return this.touch(this.document.parses, key, this.dirtyParses);
  }

  setParse(key: string, parse: HclParse): void {
    if (this.disabled) return;
    this.document.parses[key] = { value: parse, usedAt: this.now() };
    this.dirtyParses.add(key);
  }

  /**
   * Merges this run's entries into what is on disk now (another run may have written
   * meanwhile), then replaces the file atomically. Concurrent savers never tear the file;
   * at worst one's new entries are lost, which only costs a recomputation.
   */
  async save(): Promise<void> {
    if (!this.file || (this.dirtyHashes.size === 0 && this.dirtyHandshakes.size === 0 && this.dirtyParses.size === 0)) return;
    const onDisk = await readDocument(this.file);
    for (const key of this.dirtyHashes) onDisk.hashes[key] = this.document.hashes[key];
    for (const key of this.dirtyHandshakes) onDisk.handshakes[key] = this.document.handshakes[key];
    for (const key of this.dirtyParses) onDisk.parses[key] = this.document.parses[key];
    const cutoff = this.now() - this.maxAgeMs;
    prune(onDisk.hashes, cutoff);
    prune(onDisk.handshakes, cutoff);
    prune(onDisk.parses, cutoff);
    await writeAtomically(this.file, `${JSON.stringify(onDisk)}\n`);
    this.dirtyHashes.clear();
    this.dirtyHandshakes.clear();
    this.dirtyParses.clear();
  }

  private touch<T>(entries: Record<string, StoredEntry<T>>, key: string, dirty: Set<string>): T | undefined {
    if (this.disabled || !Object.hasOwn(entries, key)) return undefined;
    const entry = entries[key];
    // Refresh the use time only when it is stale, so warm runs need not rewrite the file.
    if (this.now() - entry.usedAt > this.maxAgeMs / 4) {
      entry.usedAt = this.now();
      dirty.add(key);
    }
    return entry.value;
  }
}

function emptyDocument(): CacheDocument {
  return { version: FORMAT_VERSION, hashes: {}, handshakes: {}, parses: {} };
}

async function readDocument(file: string): Promise<CacheDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return emptyDocument();
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isCacheDocument(parsed)) return parsed;
  } catch {
    // A foreign or damaged file is treated as empty and replaced on the next save.
  }
  return emptyDocument();
}

function isCacheDocument(value: unknown): value is CacheDocument {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<CacheDocument>;
  return (
    candidate.version === FORMAT_VERSION &&
    isEntryMap(candidate.hashes, (entry) => typeof entry === 'string' && entry.startsWith('h1:')) &&
    isEntryMap(candidate.handshakes, (entry) => typeof entry === 'object' && entry !== null && 'ok' in entry) &&
    isEntryMap(candidate.parses, (entry) => typeof entry === 'object' && entry !== null && 'body' in entry && 'diagnostic' in entry)
  );
}

function isEntryMap(value: unknown, isValue: (entry: unknown) => boolean): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(
    (entry: unknown) =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as StoredEntry<unknown>).usedAt === 'number' &&
      isValue((entry as StoredEntry<unknown>).value),
  );
}

function prune<T>(entries: Record<string, StoredEntry<T>>, cutoff: number): void {
  for (const [key, entry] of Object.entries(entries)) if (entry.usedAt < cutoff) delete entries[key];
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600, flush: true });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
