// The one per-run look at installed provider packages that provider-checksum and
// provider-handshake both report from: discover once, hash each package once, check headers,
// and start only binaries whose checksum did not fail (never under --no-exec, nor when
// provider-handshake is not selected).
import { noteUnrepeatable } from '../util/dependency-record.js';
import { existsSync } from '../util/observed-fs.js';
import { memoized } from '../util/memo.js';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

import { CACHE_DIR_VAR, cacheDirProblem } from './settings.js';
import type { Analysis, RunSession } from './analysis.js';
import {
  discoverProviderPackages,
  type DiscoveryProblem,
  type DiscoveryResult,
  type ProviderPackage,
} from './provider-packages.js';
import type { Stack } from './terramate.js';
import { mapWithConcurrency } from '../providers/concurrency.js';
import { halfWrittenHashes, hashPackageDir, listPackageFiles, type PackageListing } from '../providers/dirhash.js';
import type { HandshakeResult } from '../providers/handshake.js';
import { runHandshakes } from '../providers/handshake-pool.js';
import { checkExecutableHeader, hostPlatform, type HeaderCheckResult } from '../providers/header.js';
import { fileSetKey, identityKey, isCacheableHandshake } from '../cache/results.js';
import type { Range, RunOptions } from '../types.js';

/** How one stack's lock file judges the package it uses. */
export interface LockVerdict {
  stack: Stack;
  lockFile: string;
  range: Range | null;
  status: 'match' | 'mismatch' | 'no-h1';
}

export type HeaderFailure = Extract<HeaderCheckResult, { ok: false }>;

export type ExecutableVerdict =
  | { kind: 'no-executable' }
  | { kind: 'bad-header'; header: HeaderFailure }
  | { kind: 'not-started'; reason: 'checksum' | 'no-exec' | 'not-selected' | 'foreign-platform' }
  | { kind: 'started'; result: HandshakeResult; fromCache: boolean };

export interface InspectedPackage {
  package: ProviderPackage;
  /** Stacks that link to (or hold) the package, in discovery order. */
  stacks: Stack[];
  /** Null when no lock file could check it (nothing to compare with), or hashing failed. */
  h1: string | null;
  /** The hashes of this package caught half-written by a racing extraction (`halfWrittenHashes`). */
  halfWrittenH1s: string[];
  hashError: string | null;
  locks: LockVerdict[];
  checksumFailed: boolean;
  executable: ExecutableVerdict;
}

export interface DanglingLink {
  problem: Extract<DiscoveryProblem, { kind: 'dangling-link' }>;
  stack: Stack;
  /** The stack's lock entry for the provider, when there is one. */
  lock: { file: string; range: Range | null } | null;
}

export interface InspectionStats {
  packages: number;
  packagesHashed: number;
  filesHashed: number;
  bytesHashed: number;
  hashesFromCache: number;
  handshakesRun: number;
  handshakesFromCache: number;
  /** Wall time of the inspection itself (discovery, hashing, headers, handshakes). */
  elapsedMs: number;
}

export interface ProviderInspection {
  packages: InspectedPackage[];
  danglingLinks: DanglingLink[];
  /** `<root>/.tm-doctor-quarantine/<stamp>`: where this run's quarantine fixes move things (named on first use). */
  readonly quarantineDir: string;
  stats: InspectionStats;
}

interface InspectionInputs {
  stacks: Stack[];
  /** Stacks grouped by the TF_DATA_DIR they run with ('' = default). */
  dataDirGroups: Map<string, Stack[]>;
  cacheDirs: string[];
  /** Lock entries per stack dir, keyed by lower-cased provider address. */
  locks: Map<string, Map<string, LockEntry>>;
}

/** A stack's lock entry for one provider, by the provider's address in lower case. */
interface LockEntry {
  file: string;
  version: string | null;
  hashes: string[];
  readonly range: Range | null;
}

export const QUARANTINE_DIR_NAME = '.tm-doctor-quarantine';

/**
 * The inspection for this pass. The passes of one --fix run share it through the session
 * while its inputs are unchanged: broken binaries are started once, and quarantine paths stay.
 */
export async function inspectProviders(analysis: Analysis, progress: (status: string) => void): Promise<ProviderInspection> {
  const inputs = await gatherInputs(analysis);
  // An earlier pass's inspection when its inputs are the same: compared, not serialized
  // (a key built from thousands of stacks' lock entries cost more than the comparison, which
  // only a second pass makes).
  const inspections = memoized(earlierInspections, analysis.session, () => []);
  const earlier = inspections.find((known) => sameInspectionInputs(known.inputs, known.options, inputs, analysis.options));
  if (earlier) return earlier.inspection;
  const inspection = inspect(analysis, inputs, progress).then((done) => {
    analysis.session.inspections.push(done);
    return done;
  });
  inspections.push({ inputs, options: analysis.options, inspection });
  return inspection;
}

interface EarlierInspection {
  inputs: InspectionInputs;
  options: RunOptions;
  inspection: Promise<ProviderInspection>;
}

/** The inspections of a run's passes (a --fix run has several), with what each looked at. */
const earlierInspections = new WeakMap<RunSession, EarlierInspection[]>();

async function gatherInputs(analysis: Analysis): Promise<InspectionInputs> {
  const stacks = await analysis.stacks();
  const terramate = await analysis.terramate();
  const dataDirGroups = new Map<string, Stack[]>();
  const cacheDirs = new Set<string>();
  const locks: InspectionInputs['locks'] = new Map();
  // Thousands of stacks usually name a handful of cache directories: each is looked at once.
  const usableCache = new Map<string, boolean>();
  for (const stack of stacks) {
    const fromTerramate = terramate.envFor(stack.dir, analysis.env).get('TF_DATA_DIR')?.value;
    const dataDir = typeof fromTerramate === 'string' ? fromTerramate : (analysis.env.TF_DATA_DIR ?? '');
    const group = dataDirGroups.get(dataDir);
    if (group) group.push(stack);
    else dataDirGroups.set(dataDir, [stack]);
    const cache = await analysis.setting(stack, 'terraform', CACHE_DIR_VAR);
    if (cache && typeof cache.value === 'string') {
      let usable = usableCache.get(cache.value);
      if (usable === undefined) {
        usable = cacheDirProblem(cache.value, (dir) => analysis.files.pendingUnder(dir)) === null;
        usableCache.set(cache.value, usable);
      }
      if (usable) cacheDirs.add(cache.value);
    }
    const lock = await analysis.lockFile(stack.dir);
    const entries = new Map<string, LockEntry>();
    for (const provider of lock?.providers ?? []) {
      entries.set(provider.address.toLowerCase(), {
        file: lock?.file ?? '',
        version: provider.version,
        hashes: provider.hashes,
        // Found in the text only for an entry that is reported.
        get range() {
          return provider.range;
        },
      });
    }
    locks.set(stack.dir, entries);
  }
  return { stacks, dataDirGroups, cacheDirs: [...cacheDirs].sort(), locks };
}

/** Whether two passes would inspect the same: the same options, data directories, caches and lock entries. */
function sameInspectionInputs(left: InspectionInputs, leftOptions: RunOptions, right: InspectionInputs, rightOptions: RunOptions): boolean {
  const optionsOf = ({ noExec, skipHandshakes, handshakeTimeoutMs, noCache }: RunOptions) => [noExec, Boolean(skipHandshakes), handshakeTimeoutMs, noCache];
  const sameStacks = (a: Stack[], b: Stack[]) => sameList(a, b, (x, y) => x.dir === y.dir);
  const sameEntry = (a: LockEntry, b: LockEntry) => a.version === b.version && sameList(a.hashes, b.hashes);
  return (
    sameList(optionsOf(leftOptions), optionsOf(rightOptions)) &&
    sameList(left.cacheDirs, right.cacheDirs) &&
    sameEntries(left.dataDirGroups, right.dataDirGroups, sameStacks) &&
    sameEntries(left.locks, right.locks, (a, b) => sameEntries(a, b, sameEntry))
  );
}

function sameList<T>(left: readonly T[], right: readonly T[], same: (a: T, b: T) => boolean = (a, b) => a === b): boolean {
  return left.length === right.length && left.every((item, index) => same(item, right[index]));
}

/** Two maps with the same keys in the same order, and values the same by `same`. */
function sameEntries<K, V>(left: ReadonlyMap<K, V>, right: ReadonlyMap<K, V>, same: (a: V, b: V) => boolean): boolean {
  return sameList([...left], [...right], ([leftKey, leftValue], [rightKey, rightValue]) => leftKey === rightKey && same(leftValue, rightValue));
}

async function inspect(analysis: Analysis, inputs: InspectionInputs, progress: (status: string) => void): Promise<ProviderInspection> {
  const { options } = analysis;
  const stats: InspectionStats = {
    packages: 0,
    packagesHashed: 0,
    filesHashed: 0,
    bytesHashed: 0,
    hashesFromCache: 0,
    handshakesRun: 0,
    handshakesFromCache: 0,
    elapsedMs: 0,
  };
  const startedAt = performance.now();
  let quarantineDir: string | undefined;

  progress('discovering provider packages');
  const discovery = await discover(inputs, (path) => analysis.knownAbsent(path));
  const stackByDir = new Map(inputs.stacks.map((stack) => [stack.dir, stack]));
  const cache = analysis.cache;

  const packages: InspectedPackage[] = discovery.packages.map((found) => {
    const stacks = uniqueStacks(found.usedBy.map((use) => stackByDir.get(use.stack)));
    return {
      package: found,
      stacks,
      h1: null,
      halfWrittenH1s: [],
      hashError: null,
      locks: [],
      checksumFailed: false,
      executable: { kind: 'no-executable' },
    };
  });
  stats.packages = packages.length;

  const toHash = packages.filter((inspected) => lockEntriesFor(inspected, inputs).length > 0);
  const listings = new Map<InspectedPackage, PackageListing>();
  let hashed = 0;
  await mapWithConcurrency(toHash, availableParallelism(), async (inspected) => {
    try {
      const listing = await listPackageFiles(inspected.package.packageDir);
      listings.set(inspected, listing);
      const key = fileSetKey(listing.files);
      const known = cache.getHash(key);
      if (known !== undefined) {
        inspected.h1 = known;
        stats.hashesFromCache += 1;
      } else {
        const { h1 } = await hashPackageDir(inspected.package.packageDir, { listing });
        inspected.h1 = h1;
        cache.setHash(key, h1);
        stats.packagesHashed += 1;
        stats.filesHashed += listing.files.length;
        stats.bytesHashed += listing.files.reduce((sum, file) => sum + file.size, 0);
      }
    } catch (error) {
      inspected.hashError = error instanceof Error ? error.message : String(error);
    }
    hashed += 1;
    progress(`checksums ${hashed}/${toHash.length}`);
  });

  for (const inspected of toHash) {
    const entries = lockEntriesFor(inspected, inputs);
    inspected.locks = entries.map(({ stack, entry }) => {
      const h1s = entry.hashes.filter((hash) => hash.startsWith('h1:'));
      const status = h1s.length === 0 ? 'no-h1' : inspected.h1 !== null && h1s.includes(inspected.h1) ? 'match' : 'mismatch';
      return { stack, lockFile: entry.file, range: entry.range, status };
    });
    inspected.checksumFailed = inspected.hashError !== null || inspected.locks.some((verdict) => verdict.status === 'mismatch');
    // Only a lock entry that records some other h1: can hold a half-written one.
    const listing = listings.get(inspected);
    const otherHash = entries.some(({ entry }) => entry.hashes.some((hash) => hash.startsWith('h1:') && hash !== inspected.h1));
    if (listing && inspected.h1 !== null && otherHash) {
      try {
        inspected.halfWrittenH1s = await halfWrittenHashes(listing);
      } catch {
        // A file gone since it was hashed: nothing can be said to be half-written.
      }
    }
  }

  const host = hostPlatform();
  const toStart: InspectedPackage[] = [];
  await mapWithConcurrency(packages, availableParallelism(), async (inspected) => {
    const executable = inspected.package.executable;
    if (executable === null) return;
    const header = await checkExecutableHeader(executable.path, inspected.package.platform);
    if (!header.ok) inspected.executable = { kind: 'bad-header', header };
    else if (inspected.checksumFailed) inspected.executable = { kind: 'not-started', reason: 'checksum' };
    else if (inspected.package.platform !== host) inspected.executable = { kind: 'not-started', reason: 'foreign-platform' };
    else if (options.noExec) inspected.executable = { kind: 'not-started', reason: 'no-exec' };
    else if (options.skipHandshakes) inspected.executable = { kind: 'not-started', reason: 'not-selected' };
    else toStart.push(inspected);
  });

  if (toStart.length > 0) {
    const executables = toStart.map((inspected) => inspected.package.executable?.path ?? '');
    const cacheKeys = new Map(toStart.map((inspected) => [inspected.package.executable?.path ?? '', identityKey(inspected.package.executable ?? { dev: 0, ino: 0, size: 0 })]));
    progress(`handshakes 0/${toStart.length}`);
    const entries = await runHandshakes(executables, {
      timeoutMs: options.handshakeTimeoutMs,
      path: analysis.env.PATH,
      tempRoot: handshakeTempRoot(analysis.env),
      lookup: (_identity, path) => cache.getHandshake(cacheKeys.get(path) ?? path, analysis.env.PATH),
      onSettled: (done, total) => progress(`handshakes ${done}/${total}`),
    });
    const counted = new Set<string>();
    entries.forEach((entry, index) => {
      toStart[index].executable = { kind: 'started', result: entry.result, fromCache: entry.fromLookup };
      if (entry.ran) {
        stats.handshakesRun += 1;
        cache.setHandshake(cacheKeys.get(entry.executable) ?? entry.executable, analysis.env.PATH, entry.result);
        if (!isCacheableHandshake(entry.result)) noteUnrepeatable(`${entry.executable}: handshake ${entry.result.ok ? 'ok' : entry.result.cause}`);
      }
      if (entry.fromLookup && !counted.has(entry.identity)) stats.handshakesFromCache += 1;
      counted.add(entry.identity);
    });
  }

  const danglingLinks = discovery.problems.flatMap((problem): DanglingLink[] => {
    if (problem.kind !== 'dangling-link') return [];
    const stack = stackByDir.get(problem.stack);
    if (!stack) return [];
    const entry = inputs.locks.get(stack.dir)?.get(problem.source.toLowerCase());
    return [{ problem, stack, lock: entry ? { file: entry.file, range: entry.range } : null }];
  });

  stats.elapsedMs = Math.round(performance.now() - startedAt);
  return {
    packages,
    danglingLinks,
    get quarantineDir() {
      return (quarantineDir ??= freshQuarantineDir(analysis.root));
    },
    stats,
  };
}

async function discover(inputs: InspectionInputs, knownAbsent: (path: string) => boolean): Promise<DiscoveryResult> {
  const groups = [...inputs.dataDirGroups];
  if (groups.length === 0) return { packages: [], problems: [] };
  const results = await Promise.all(
    groups.map(([dataDir, stacks], index) =>
      discoverProviderPackages({
        stacks: stacks.map((stack) => stack.dir),
        tfDataDir: dataDir === '' ? undefined : dataDir,
        pluginCacheDirs: index === 0 ? inputs.cacheDirs : [],
        knownAbsent,
      }),
    ),
  );
  if (results.length === 1) return results[0];
  const merged = new Map<string, ProviderPackage>();
  for (const result of results) {
    for (const found of result.packages) {
      const known = merged.get(found.key);
      if (!known) merged.set(found.key, found);
      else {
        known.usedBy.push(...found.usedBy);
        for (const cacheDir of found.inCaches) if (!known.inCaches.includes(cacheDir)) known.inCaches.push(cacheDir);
      }
    }
  }
  return {
    packages: [...merged.values()].sort((left, right) => Buffer.compare(Buffer.from(left.packageDir), Buffer.from(right.packageDir))),
    problems: results.flatMap((result) => result.problems),
  };
}

/** Lock entries of the stacks using the package that name its provider at its version. */
function lockEntriesFor(inspected: InspectedPackage, inputs: InspectionInputs) {
  const address = inspected.package.source.toLowerCase();
  return inspected.stacks.flatMap((stack) => {
    const entry = inputs.locks.get(stack.dir)?.get(address);
    return entry && entry.version === inspected.package.version ? [{ stack, entry }] : [];
  });
}

function uniqueStacks(stacks: Array<Stack | undefined>): Stack[] {
  const seen = new Set<string>();
  const unique: Stack[] = [];
  for (const stack of stacks) {
    if (!stack || seen.has(stack.dir)) continue;
    seen.add(stack.dir);
    unique.push(stack);
  }
  return unique;
}

function handshakeTempRoot(env: Analysis['env']): string {
  const fromEnv = env.TMPDIR;
  return fromEnv && isAbsolute(fromEnv) && existsSync(fromEnv) ? fromEnv : tmpdir();
}

function freshQuarantineDir(root: string): string {
  // The report shows this path: a later run names another one.
  noteUnrepeatable('the quarantine directory is named by the time of the run');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = join(root, QUARANTINE_DIR_NAME, stamp);
  let candidate = base;
  for (let counter = 2; existsSync(candidate); counter += 1) candidate = `${base}-${counter}`;
  return candidate;
}
