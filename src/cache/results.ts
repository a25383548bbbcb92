// Remembers what is costly to recompute between runs: package hashes and handshake outcomes,
// keyed by file identity (device, inode, size, times), and HashiCorp's parse of each HCL
// file, the newest one per file. The store is split into shards by key, each read only
// when a key of it is asked for and rewritten only when one of its entries changed, and each
// kept within its share of a byte budget (the least recently used entries go first): a run
// costs the same however long the history behind it.
import { createHash } from 'node:crypto';
import { temporaryPattern, type CacheDirectory } from './directory.js';

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

/** `dev:ino:size:mtime` — the key every result about a file is filed under. */
export function identityKey(identity: FileIdentity): string {
  const mtime = identity.mtimeNs !== undefined ? `ns${identity.mtimeNs}` : `ms${identity.mtimeMs ?? 0}`;
  const ctime = identity.ctimeNs !== undefined ? `:c${identity.ctimeNs}` : '';
  return `${identity.dev}:${identity.ino}:${identity.size}:${mtime}${ctime}`;
}

/** One key for a set of files (a package directory): every file's name and identity. */
export function fileSetKey(files: ReadonlyArray<{ name: string } & FileIdentity>): string {
  return files.map((file) => `${file.name}=${identityKey(file)}`).join('\n');
}

/** Timeouts and resource shortages say nothing lasting about the file. */
export function isCacheableHandshake(result: HandshakeResult): boolean {
  if (result.ok) return true;
  if (result.cause === 'timeout') return false;
  if (result.cause === 'spawn-error') return !['EAGAIN', 'ENOMEM', 'EMFILE', 'ENFILE', 'ETXTBSY', 'UNKNOWN'].includes(result.errno ?? '');
  return true;
}

export interface ResultStoreOptions {
  /** Bytes the whole store may take (default DEFAULT_BUDGET_BYTES), split evenly among the shards. */
  budgetBytes?: number;
  /** Entries not used for this long are dropped when their shard is written. */
  maxAgeMs?: number;
  now?: () => number;
}

type Kind = 'hash' | 'handshake' | 'parse';

interface ParseEntry {
  /** sha256 of the file's content (base64): the parse is of this content. */
  content: string;
  parse: HclParse;
}

interface Entry {
  kind: Kind;
  key: string;
  value: unknown;
  usedAt: number;
}

interface Shard {
  entries: Map<string, Entry>;
  /** Entries this run added or refreshed: written back, merged into what is on disk then. */
  dirty: Set<string>;
}

const FORMAT_VERSION = 3;
const RESULTS = 'results';
const SHARDS = 16;
const SHARD_NAME = 'shard-[0-9a-f]{2}\\.json';
const OUR_TEMPORARIES = temporaryPattern(SHARD_NAME);
/** A few MB: a monorepo of a few thousand stacks keeps every parse. */
export const DEFAULT_BUDGET_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_AGE_MS = 90 * 24 * 60 * 60 * 1000;
const ABANDONED_MS = 3_600_000;
/** The one file the previous format kept everything in, replaced by the shards. */
const PREVIOUS_FORMAT_FILE = 'results-v2.json';

const VALID: Record<Kind, (value: unknown) => boolean> = {
  hash: (value) => typeof value === 'string' && value.startsWith('h1:'),
  handshake: (value) => typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean',
  parse: (value) => {
    if (typeof value !== 'object' || value === null) return false;
    const { content, parse } = value as Partial<ParseEntry>;
    return typeof content === 'string' && typeof parse === 'object' && parse !== null && 'body' in parse && 'diagnostic' in parse;
  },
};

/** FNV-1a over the UTF-16 units: stable across runs and platforms, and cheap (asked once per parse). */
function shardIndex(id: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index++) hash = Math.imul(hash ^ id.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % SHARDS;
}

function shardFile(index: number): string {
  return `${RESULTS}/shard-${index.toString(16).padStart(2, '0')}.json`;
}

/** The entries of a shard file: damaged, foreign or wrongly-shaped ones are left out. */
function parseShard(content: Buffer | null, index: number): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  if (content === null) return entries;
  let document: unknown;
  try {
    document = JSON.parse(content.toString('utf8'));
  } catch {
    return entries; // replaced when this shard is next written
  }
  if (typeof document !== 'object' || document === null) return entries;
  const { version, entries: stored } = document as { version?: unknown; entries?: unknown };
  if (version !== FORMAT_VERSION || !Array.isArray(stored)) return entries;
  for (const item of stored) {
    if (!Array.isArray(item) || item.length !== 4) continue;
    const [kind, key, usedAt, value] = item as [Kind, unknown, unknown, unknown];
    if (!Object.hasOwn(VALID, kind) || typeof key !== 'string' || typeof usedAt !== 'number' || !VALID[kind](value)) continue;
    const id = `${kind}\0${key}`;
    if (shardIndex(id) === index) entries.set(id, { kind, key, value, usedAt });
  }
  return entries;
}

/**
 * The results kept between runs. Nothing is read until asked for; nothing is kept when the
 * cache directory is not usable (turned off, missing, or not trusted).
 */
export class ResultStore {
  private readonly shards = new Map<number, Shard>();
  private readonly budgetBytes: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  private constructor(
    private readonly directory: CacheDirectory | null,
    options: ResultStoreOptions,
  ) {
    this.budgetBytes = options.budgetBytes ?? DEFAULT_BUDGET_BYTES;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  static open(directory: CacheDirectory, options: ResultStoreOptions = {}): ResultStore {
    return new ResultStore(directory, options);
  }

  /** A store that keeps nothing (`--no-cache`, tests). */
  static disabled(): ResultStore {
    return new ResultStore(null, {});
  }

  get disabled(): boolean {
    return this.directory === null || !this.directory.usable;
  }

  getHash(key: string): string | undefined {
    return this.get('hash', key) as string | undefined;
  }

  setHash(key: string, h1: string): void {
    this.set('hash', key, h1);
  }

  /** `path`: the PATH the provider runs with, which is part of what its answer depends on. */
  getHandshake(key: string, path: string | undefined): HandshakeResult | undefined {
    return this.get('handshake', handshakeKey(key, path)) as HandshakeResult | undefined;
  }

  setHandshake(key: string, path: string | undefined, result: HandshakeResult): void {
    if (isCacheableHandshake(result)) this.set('handshake', handshakeKey(key, path), result);
  }

  /** HashiCorp's parse of `file` when the parse kept is of this content (`contentHash`). */
  getParse(file: string, contentHash: string): HclParse | undefined {
    const entry = this.get('parse', file) as ParseEntry | undefined;
    return entry?.content === contentHash ? entry.parse : undefined;
  }

  setParse(file: string, contentHash: string, parse: HclParse): void {
    this.set('parse', file, { content: contentHash, parse } satisfies ParseEntry);
  }

  private shard(index: number): Shard | null {
    if (this.disabled) return null;
    let shard = this.shards.get(index);
    if (!shard) {
      shard = { entries: parseShard(this.directory!.read(shardFile(index), this.shardBudget()), index), dirty: new Set() };
      this.shards.set(index, shard);
    }
    return this.disabled ? null : shard;
  }

  private shardBudget(): number {
    return Math.floor(this.budgetBytes / SHARDS);
  }

  private get(kind: Kind, key: string): unknown {
    const id = `${kind}\0${key}`;
    const shard = this.shard(shardIndex(id));
    const entry = shard?.entries.get(id);
    if (!shard || !entry) return undefined;
    // Refresh the use time only when it is stale, so warm runs need not rewrite a shard.
    if (this.now() - entry.usedAt > this.maxAgeMs / 4) {
      entry.usedAt = this.now();
      shard.dirty.add(id);
    }
    return entry.value;
  }

  private set(kind: Kind, key: string, value: unknown): void {
    const id = `${kind}\0${key}`;
    const shard = this.shard(shardIndex(id));
    if (!shard) return;
    shard.entries.set(id, { kind, key, value, usedAt: this.now() });
    shard.dirty.add(id);
  }

  /**
   * Writes each shard this run changed: what is on disk now (another run may have written
   * meanwhile) with this run's entries over it, the newest within the shard's budget.
   * Concurrent savers never tear a shard; at worst one's new entries are lost, which only
   * costs a recomputation.
   */
  async save(): Promise<void> {
    if (this.disabled) return;
    const directory = this.directory!;
    for (const [index, shard] of this.shards) {
      if (shard.dirty.size === 0) continue;
      const merged = parseShard(directory.read(shardFile(index), this.shardBudget()), index);
      if (!directory.usable) return;
      for (const id of shard.dirty) merged.set(id, shard.entries.get(id)!);
      directory.write(shardFile(index), this.serialise(merged));
      shard.dirty.clear();
      // Saving is the last thing a run does: give the event loop (and Ctrl-C) a turn between shards.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const now = this.now();
    for (const entry of directory.list(RESULTS, OUR_TEMPORARIES)) if (entry.mtimeMs < now - ABANDONED_MS) directory.remove(RESULTS, entry.name, OUR_TEMPORARIES);
    directory.remove('', PREVIOUS_FORMAT_FILE, /^results-v2\.json$/);
  }

  /** The newest entries not older than the age limit that fit the shard's budget, as JSON. */
  private serialise(entries: Map<string, Entry>): string {
    const cutoff = this.now() - this.maxAgeMs;
    const newestFirst = [...entries.values()].filter((entry) => entry.usedAt >= cutoff).sort((left, right) => right.usedAt - left.usedAt);
    const budget = this.shardBudget();
    const head = `{"version":${FORMAT_VERSION},"entries":[`;
    let bytes = head.length + 3;
    const kept: string[] = [];
    for (const entry of newestFirst) {
      const text = JSON.stringify([entry.kind, entry.key, entry.usedAt, entry.value]);
      const size = Buffer.byteLength(text) + 1;
      if (bytes + size > budget) continue; // a smaller, older one may still fit
      bytes += size;
      kept.push(text);
    }
    return `${head}${kept.join(',')}]}\n`;
  }
}

function handshakeKey(key: string, path: string | undefined): string {
  return `${key}\0${createHash('sha256')
    .update(path ?? '\0unset')
    .digest('base64')}`;
}
