// What parallel-init-cache-race and lockfile-cache-env both need to know about a parallel init
// on a shared plugin cache: which stacks share the cache, which serial warm-up inits run before
// it, which distinct provider requirements those warm, and which stacks can reuse a warmed cache.
//
// Measured with Terraform 1.11.4 (10 stacks, 200 MB provider, P=5; ../notes/toolchain.md and
// bench/race.mjs): a warm-up cures the race only for stacks that reuse the cache entry: those
// whose lock entry has an h1: hash, or with TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE in
// effect. A lock-less stack ignores the cached package and extracts it again (warm-up, no lock
// files: 22-28/100 lock files with a wrong hash; with the variable: 0/50 and 0/100).

import type { Analysis } from '../../analysis/analysis.js';
import type { InitLaunch } from '../../analysis/launches.js';
import type { ParallelCondition } from '../../analysis/parallelism.js';
import { CACHE_DIR_VAR, MAY_BREAK_LOCK_VAR, sourceLocation } from '../../analysis/settings.js';
import type { Stack } from '../../analysis/terramate.js';
import type { VersionEvidence } from '../../analysis/tool-version.js';
import type { Location } from '../../types.js';
import { isInsideRoot } from '../../util/path.js';
import { isKnown, UNKNOWN } from '../../util/unknown.js';

/**
 * The recipe, CI job or script a launch belongs to: a warm-up counts only within it. A GitLab
 * job's `before_script` and `script` are one site (one shell, in that order); its `after_script`
 * runs after them, so it is a block of its own.
 */
function blockOf(launch: InitLaunch): string {
  switch (launch.context) {
    case 'makefile':
      return `${launch.file}\0${launch.make?.recipe.targets.join(' ') ?? launch.label}`;
    case 'github-step':
      return `${launch.file}\0${launch.label.replace(/\.steps\[\d+\]$/, '')}`;
    case 'task':
      return `${launch.file}\0${launch.label.replace(/\.cmds\[\d+\]$/, '')}`;
    case 'shell':
      return launch.file;
    default:
      return `${launch.file}\0${launch.label}`;
  }
}

/** A launch that runs one stack at a time: serial, or one stack only (`--no-recursive`). */
function isSerial(launch: InitLaunch): boolean {
  return !launch.recursive || (isKnown(launch.parallel) && launch.parallel <= 1);
}

/** The serial inits of each file, block and tool, in the launches' order (built once per list of launches). */
const serialByBlock = new WeakMap<readonly InitLaunch[], Map<string, InitLaunch[]>>();

function serialGroupKey(launch: InitLaunch): string {
  return `${launch.file}\0${blockOf(launch)}\0${launch.tool}`;
}

/** Serial inits of the same tool earlier in the same recipe, job or script. */
function warmUpsBefore(launch: InitLaunch, launches: readonly InitLaunch[]): InitLaunch[] {
  // Indexed once: scanning every launch for each one made a long recipe quadratic.
  let groups = serialByBlock.get(launches);
  if (!groups) {
    groups = new Map();
    for (const other of launches) {
      if (!isSerial(other)) continue;
      const key = serialGroupKey(other);
      const group = groups.get(key);
      if (group) group.push(other);
      else groups.set(key, [other]);
    }
    serialByBlock.set(launches, groups);
  }
  return (groups.get(serialGroupKey(launch)) ?? []).filter((other) => other !== launch && other.start < launch.start);
}

/** The stacks a launch may run in: under its scope (all when unknown), or only the one at it for `--no-recursive`. */
export function reachedBy(launch: InitLaunch, stacks: readonly Stack[]): Stack[] {
  if (launch.scope === null) return [...stacks];
  const scope = launch.scope;
  return stacks.filter((stack) => (launch.recursive ? isInsideRoot(scope, stack.dir) : stack.dir === scope));
}

/**
 * The stacks a warm-up surely inits before `launch`: none where its directory is unknown; under
 * `--no-recursive` the one stack (Terramate then ignores tags and `--changed`); otherwise those
 * it reaches when its filters select no fewer stacks than the launch's (no filter, or the same
 * tags, and `--changed` only if the launch has it too).
 */
function warmedBy(warmUp: InitLaunch, launch: InitLaunch, stacks: readonly Stack[]): Stack[] {
  if (warmUp.scope === null) return [];
  if (!warmUp.recursive) return reachedBy(warmUp, stacks);
  const same = (a: readonly string[], b: readonly string[]) => a.length === 0 || (a.length === b.length && a.every((item, i) => item === b[i]));
  const { tags, noTags, changed } = warmUp.filters;
  const narrower = !same(tags, launch.filters.tags) || !same(noTags, launch.filters.noTags) || (changed !== false && launch.filters.changed !== true);
  return narrower ? [] : reachedBy(warmUp, stacks);
}

/** Stacks grouped by the cache directory they use; the groups of two or more share one. */
async function sharedCaches(analysis: Analysis, stacks: readonly Stack[], tool: 'terraform' | 'tofu'): Promise<{ stacks: Stack[]; settings: Location[] }> {
  const groups = new Map<string | symbol, { stacks: Stack[]; settings: Location[] }>();
  for (const stack of stacks) {
    const cache = await analysis.setting(stack, tool, CACHE_DIR_VAR);
    if (!cache) continue;
    const key = cache.value === UNKNOWN ? UNKNOWN : cache.value;
    const group = groups.get(key) ?? { stacks: [], settings: [] };
    group.stacks.push(stack);
    const where = sourceLocation(cache.source);
    if (where?.range && !group.settings.some((known) => known.file === where.file && known.range?.line === where.range?.line)) group.settings.push(where);
    groups.set(key, group);
  }
  const shared = [...groups.values()].filter((group) => group.stacks.length >= 2);
  return { stacks: shared.flatMap((group) => group.stacks), settings: shared.flatMap((group) => group.settings) };
}

/** A stack's requirement key; a stack whose requirements cannot be read is a group of its own. */
export async function requirementKey(analysis: Analysis, stack: Stack): Promise<string> {
  const { key } = await analysis.providerRequirements(stack);
  return key ?? `\0stack:${stack.dir}`;
}

/** Stacks whose lock file lacks an entry with an h1: hash for some provider (or the file). */
async function lockLessStacks(analysis: Analysis, stacks: readonly Stack[]): Promise<Stack[]> {
  const found: Stack[] = [];
  for (const stack of stacks) {
    const lock = await analysis.lockFile(stack.dir);
    if (!lock || lock.providers.some((provider) => !provider.hashes.some((hash) => hash.startsWith('h1:')))) found.push(stack);
  }
  return found;
}

export interface WarmUpState {
  /** Serial inits before the launch in its block. */
  warmUps: InitLaunch[];
  /** One stack per distinct provider requirement the warm-ups do not reach (first in path order). */
  unwarmed: Stack[];
  /** Stacks that ignore a warmed cache entry: no h1: lock entry and no variable in effect. */
  bypassing: Stack[];
  /** Lock-less stacks that have the variable in effect. */
  variableInEffect: Stack[];
}

/** How far serial warm-ups before `launch` protect the `shared` stacks it reaches. */
async function warmUpState(analysis: Analysis, launch: InitLaunch, launches: readonly InitLaunch[], shared: readonly Stack[]): Promise<WarmUpState> {
  const warmUps = warmUpsBefore(launch, launches);
  const all = await analysis.terraformStacks();
  const warmed = new Set<string>();
  for (const warmUp of warmUps) for (const stack of warmedBy(warmUp, launch, all)) warmed.add(await requirementKey(analysis, stack));
  const unwarmed = new Map<string, Stack>();
  for (const stack of [...shared].sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))) {
    const key = await requirementKey(analysis, stack);
    if (!warmed.has(key) && !unwarmed.has(key)) unwarmed.set(key, stack);
  }
  const bypassing: Stack[] = [];
  const variableInEffect: Stack[] = [];
  for (const stack of await lockLessStacks(analysis, shared)) {
    if (await analysis.setting(stack, launch.tool, MAY_BREAK_LOCK_VAR)) variableInEffect.push(stack);
    else bypassing.push(stack);
  }
  return { warmUps, unwarmed: [...unwarmed.values()], bypassing, variableInEffect };
}

/** A warm-up protects the launch: it reaches every requirement and every stack reuses the cache. */
function isCured(state: WarmUpState): boolean {
  return state.warmUps.length > 0 && state.unwarmed.length === 0 && state.bypassing.length === 0;
}

/** A parallel init on a shared plugin cache the tool does not lock, not cured by a warm-up. */
export interface RacingLaunch {
  launch: InitLaunch;
  shared: { stacks: Stack[]; settings: Location[] };
  /** No stack it reaches has a cache yet: taken as sharing the one plugin-cache-dir's fix adds. */
  cacheAssumed: boolean;
  state: WarmUpState;
  condition: ParallelCondition;
  evidence: VersionEvidence;
}

const racingByAnalysis = new WeakMap<Analysis, Promise<RacingLaunch[]>>();

/** The racing launches of one analysis, found once for the rules that ask. */
export function racingLaunches(analysis: Analysis): Promise<RacingLaunch[]> {
  let found = racingByAnalysis.get(analysis);
  if (!found) {
    found = findRacingLaunches(analysis);
    racingByAnalysis.set(analysis, found);
  }
  return found;
}

async function findRacingLaunches(analysis: Analysis): Promise<RacingLaunch[]> {
  const launches = await analysis.launches();
  const stacks = await analysis.terraformStacks();
  const found: RacingLaunch[] = [];
  for (const launch of launches) {
    if (launch.context === 'terramate-script' || isSerial(launch)) continue;
    // Cheapest first: the shared cache; then the warm-ups; then what makes it parallel (a
    // makefile read again per goal or variable tried); then the tool's version (which may start
    // the binary).
    const reached = reachedBy(launch, stacks);
    let shared = await sharedCaches(analysis, reached, launch.tool);
    const cacheAssumed = shared.stacks.length < 2 && !(await anyCache(analysis, reached, launch.tool));
    if (cacheAssumed) shared = { stacks: reached, settings: [] };
    if (shared.stacks.length < 2) continue;
    const state = await warmUpState(analysis, launch, launches, shared.stacks);
    if (isCured(state)) continue;
    const condition = analysis.parallelCondition(launch);
    if (!condition) continue;
    const evidence = await analysis.toolVersion(launch.tool, shared.stacks.map((stack) => stack.dir));
    if (evidence.locksCache !== true) found.push({ launch, shared, cacheAssumed, state, condition, evidence });
  }
  return found;
}

/**
 * Parallel inits on a shared cache the tool does not lock that no warm-up covers (missing or
 * not reaching every provider requirement): there the lock-file variable alone is no cure
 * (measured on a cold cache: 5-64/100 lock files wrong with it).
 */
export async function unwarmedParallelInits(analysis: Analysis): Promise<InitLaunch[]> {
  return (await racingLaunches(analysis)).filter(({ state }) => state.warmUps.length === 0 || state.unwarmed.length > 0).map(({ launch }) => launch);
}

async function anyCache(analysis: Analysis, stacks: readonly Stack[], tool: 'terraform' | 'tofu'): Promise<boolean> {
  for (const stack of stacks) if (await analysis.setting(stack, tool, CACHE_DIR_VAR)) return true;
  return false;
}
